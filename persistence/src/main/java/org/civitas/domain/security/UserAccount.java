package org.civitas.domain.security;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.civitas.domain.consortium.Enterprise;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A person who logs in to the portal or calls the API. Belongs to an enterprise, or to the
 * consortium itself (no enterprise). Failed logins in a row are counted; the account is never
 * locked (a lock would let anyone who knows a user name lock that user out): the login service
 * slows guessing down per client address instead.
 */
@Entity
@Table(name = "user_account")
public class UserAccount {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{2,63}");

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 64)
    private String username;

    @Column(name = "password_hash", nullable = false, length = 200)
    private String passwordHash;

    @ManyToOne(fetch = FetchType.EAGER)
    @JoinColumn(name = "enterprise_id")
    private Enterprise enterprise;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "user_account_role", joinColumns = @JoinColumn(name = "user_id"))
    @Enumerated(EnumType.STRING)
    @Column(name = "role", length = 40, nullable = false)
    private Set<Role> roles = EnumSet.noneOf(Role.class);

    @Column(name = "failed_logins", nullable = false)
    private int failedLogins;

    @Column(name = "locked_until")
    private Instant lockedUntil;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Version
    private long version;

    protected UserAccount() {
    }

    /**
     * @param enterprise null for a consortium user
     * @param passwordHash the encoded PBKDF2 hash, never the password
     */
    public UserAccount(String username, String passwordHash, Enterprise enterprise, Set<Role> roles, Instant now) {
        if (username == null || !NAME.matcher(username).matches()) {
            throw new IllegalArgumentException("user name must be 3-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter");
        }
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("a user needs at least one role");
        }
        if (enterprise == null && (roles.contains(Role.DATA_STEWARD) || roles.contains(Role.IT_OPERATOR))) {
            throw new IllegalArgumentException("data stewards and IT operators act for an enterprise: name one");
        }
        this.username = username;
        this.passwordHash = passwordHash;
        this.enterprise = enterprise;
        this.roles = EnumSet.copyOf(roles);
        this.createdAt = now;
    }

    /** A failed login, counted (shown to administrators); it never locks the account. */
    public void loginFailed() {
        failedLogins++;
    }

    public void loginSucceeded() {
        failedLogins = 0;
        lockedUntil = null;
    }

    public void changePasswordHash(String hash) {
        this.passwordHash = hash;
    }

    public Long getId() {
        return id;
    }

    public String getUsername() {
        return username;
    }

    public String getPasswordHash() {
        return passwordHash;
    }

    public Enterprise getEnterprise() {
        return enterprise;
    }

    public Set<Role> getRoles() {
        return Collections.unmodifiableSet(roles);
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public Instant getLockedUntil() {
        return lockedUntil;
    }

    public int getFailedLogins() {
        return failedLogins;
    }
}
