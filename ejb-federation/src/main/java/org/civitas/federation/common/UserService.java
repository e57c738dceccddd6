package org.civitas.federation.common;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.security.Role;
import org.civitas.domain.security.UserAccount;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.UserRepository;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.time.Clock;

/**
 * Logins against the user accounts. A password is checked against its PBKDF2 hash (about a tenth
 * of a second on purpose); a successful check is remembered for a few minutes, renewed by each
 * success ({@link VerifiedPasswords}), so API clients sending Basic credentials on every request
 * are not slowed down. Failed logins slow further attempts from the same address
 * for the same user ({@link LoginThrottle}); no account is ever locked. A login for a user that
 * does not exist checks the password against a stand-in hash, so it takes as long as a real one
 * and its timing does not tell which user names exist.
 */
@Stateless
public class UserService {

    @Inject
    Clock clock;

    /** What a login gives: the caller, or why it was refused. */
    public record Login(Caller caller, String refusal) {
    }

    private static final VerifiedPasswords VERIFIED = new VerifiedPasswords();
    private static final LoginThrottle THROTTLE = new LoginThrottle();
    /** A hash of a random password, checked for unknown users so that their logins cost the same. */
    private static final String STAND_IN_HASH = PasswordHashes.hash(java.util.UUID.randomUUID().toString().toCharArray());

    @Inject
    UserRepository users;

    @Inject
    ConsortiumRepository consortium;

    @jakarta.ejb.EJB
    AuditService audit;

    /** A login from an unknown address (the API's own callers in tests); see {@link #login(String, String, String)}. */
    public Login login(String username, String password) {
        return login(username, password, null);
    }

    /**
     * Checks a user's password.
     *
     * @param address the client's address: failed logins slow down that address for that user only
     */
    public Login login(String username, String password, String address) {
        Instant now = clock.instant();
        String name = username == null ? "" : username;
        var blocked = THROTTLE.blockedUntil(name, address, now);
        if (blocked.isPresent()) {
            return new Login(null, "too many failed logins for this user from this address; try again after " + blocked.get());
        }
        UserAccount user = username == null ? null : users.user(username).orElse(null);
        if (user == null || password == null) {
            PasswordHashes.matches((password == null ? "" : password).toCharArray(), STAND_IN_HASH);
            failed(name, address, now);
            return new Login(null, "wrong user name or password");
        }
        boolean ok = VERIFIED.remembered(username, password, user.getPasswordHash(), now)
                || PasswordHashes.matches(password.toCharArray(), user.getPasswordHash());
        if (!ok) {
            user.loginFailed();
            failed(name, address, now);
            return new Login(null, "wrong user name or password");
        }
        THROTTLE.succeeded(name, address);
        if (user.getFailedLogins() > 0) {
            user.loginSucceeded();
        }
        // Renewed on every success: an entry left to expire would send each later request through the slow hash.
        VERIFIED.remember(username, password, user.getPasswordHash(), now);
        return new Login(caller(user), null);
    }

    private void failed(String username, String address, Instant now) {
        if (THROTTLE.failed(username, address, now)) {
            audit.record("user:" + username, "user.throttled", "user " + username, LoginThrottle.FREE_FAILURES
                    + " failed logins in a row from " + (address == null ? "an unknown address" : address)
                    + "; further attempts from there wait, doubling with each failure");
        }
    }

    public java.util.Optional<Caller> caller(String username) {
        return users.user(username).map(UserService::caller);
    }

    /** Adds a user with a hashed password; used by the demo seeding and by administrators. */
    public Caller addUser(Caller caller, String username, String password, String enterpriseCode, Set<Role> roles) {
        caller.require("add users", Role.CONSORTIUM_ADMIN);
        if (password == null || password.length() < 10) {
            throw new InvalidRequestException("a password needs at least 10 characters");
        }
        Enterprise enterprise = enterpriseCode == null ? null : consortium.enterprise(enterpriseCode).orElseThrow(() ->
                new InvalidRequestException("enterprise '" + enterpriseCode + "' does not exist"));
        if (users.user(username).isPresent()) {
            throw new InvalidRequestException("user '" + username + "' exists already");
        }
        try {
            return caller(users.add(new UserAccount(username, PasswordHashes.hash(password.toCharArray()), enterprise, roles, clock.instant())));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("invalid user: " + e.getMessage());
        }
    }

    /** Whether the caller may see the users: the consortium administrator or an auditor. */
    public boolean mayList(Caller caller) {
        return caller.has(Role.CONSORTIUM_ADMIN) || caller.has(Role.AUDITOR);
    }

    public List<Caller> users(Caller caller) {
        caller.require("list the users", Role.CONSORTIUM_ADMIN, Role.AUDITOR);
        return users.users().stream().map(UserService::caller).toList();
    }

    private static Caller caller(UserAccount u) {
        return new Caller(u.getUsername(), u.getRoles(), u.getEnterprise() == null ? null : u.getEnterprise().getCode());
    }
}
