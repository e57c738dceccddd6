package org.civitas.domain.consortium;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A participant site of an enterprise: the server (or, in the embedded default, the folder and
 * identity) where that enterprise's private data stays. The coordinator keeps only a hash of the
 * site's access token.
 */
@Entity
@Table(name = "site")
public class Site {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 64)
    private String code;

    @Column(name = "display_name", nullable = false, length = 200)
    private String displayName;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "enterprise_id", nullable = false)
    private Enterprise enterprise;

    @Column(name = "token_sha256", nullable = false, length = 64)
    private String tokenSha256;

    /** The site's Ed25519 public key (X.509, Base64) with which it signs its updates; null until it registers one. */
    @Column(name = "signing_key", length = 200)
    private String signingKey;

    protected Site() {
    }

    public Site(String code, String displayName, Enterprise enterprise, String token) {
        this.code = Codes.require(code, "site code");
        this.displayName = Enterprise.requireText(displayName, "site name");
        if (enterprise == null) {
            throw new IllegalArgumentException("site " + code + " needs an enterprise");
        }
        this.enterprise = enterprise;
        rotateToken(token);
    }

    /** Replaces the site's token; the old one stops working at once. */
    public void rotateToken(String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("a site token needs at least 16 characters");
        }
        this.tokenSha256 = sha256(token);
    }

    /**
     * Registers the site's signing key the first time the site presents one (the site is already
     * authenticated by its token then); the same key again is fine, another one is refused: a
     * stolen token must not be enough to replace the key.
     */
    public boolean registerSigningKey(String publicKey) {
        if (publicKey == null || publicKey.isBlank() || publicKey.length() > 200) {
            throw new IllegalArgumentException("a signing key is a Base64 public key of at most 200 characters");
        }
        if (signingKey == null) {
            signingKey = publicKey;
            return true;
        }
        if (!signingKey.equals(publicKey)) {
            throw new IllegalStateException("site " + code + " already has another signing key; an administrator removes it first");
        }
        return false;
    }

    /** Forgets the signing key, so the site registers a new one (after a lost or compromised key). */
    public void clearSigningKey() {
        signingKey = null;
    }

    public String getSigningKey() {
        return signingKey;
    }

    /** Constant-time comparison of a presented token with the stored hash. */
    public boolean acceptsToken(String token) {
        if (token == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token).getBytes(StandardCharsets.US_ASCII),
                tokenSha256.getBytes(StandardCharsets.US_ASCII));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Long getId() {
        return id;
    }

    public String getCode() {
        return code;
    }

    public String getDisplayName() {
        return displayName;
    }

    public Enterprise getEnterprise() {
        return enterprise;
    }
}
