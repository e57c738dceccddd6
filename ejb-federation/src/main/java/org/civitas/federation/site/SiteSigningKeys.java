package org.civitas.federation.site;

import jakarta.enterprise.context.ApplicationScoped;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.federation.infrastructure.SigningKeyFiles;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each hosted site's Ed25519 key pair, kept in the site's own folder ({@code identity/}) and made
 * on first use. The private key never leaves the site; the public key is registered at the
 * coordinator, which checks every update against it.
 */
@ApplicationScoped
public class SiteSigningKeys {

    private final Map<String, SigningKeyFiles.Keys> keys = new ConcurrentHashMap<>();

    /** The site's public key, X.509 encoding, Base64. */
    public String publicKey(SiteIdentity site) {
        return keys(site).publicKey();
    }

    public String sign(SiteIdentity site, long federationId, int round, String nonce, byte[] tensors, byte[] metadata) {
        return UpdateSignature.sign(keys(site).privateKey(), site.code(), federationId, round, nonce, tensors, metadata);
    }

    private SigningKeyFiles.Keys keys(SiteIdentity site) {
        return keys.computeIfAbsent(site.code(), code -> SigningKeyFiles.loadOrCreate(site.home().resolve("identity")));
    }
}
