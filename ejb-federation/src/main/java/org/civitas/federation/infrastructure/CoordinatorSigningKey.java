package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.core.identity.BundleSignature;
import org.civitas.federation.core.identity.UpdateSignature;

/**
 * The coordinator's own Ed25519 key pair, kept in {@code coordinator/identity} of the data folder
 * and made on first use. It signs the model bundles the coordinator exports; other coordinators
 * that trust its public key import them.
 */
@ApplicationScoped
public class CoordinatorSigningKey {

    @Inject
    CivitasSettings settings;

    private volatile SigningKeyFiles.Keys keys;

    /** The public key, X.509 encoding, Base64. */
    public String publicKey() {
        return keys().publicKey();
    }

    public String fingerprint() {
        return UpdateSignature.fingerprint(publicKey());
    }

    /** The signature (Base64) of a bundle's descriptor. */
    public String signBundle(byte[] descriptor) {
        return BundleSignature.sign(keys().privateKey(), descriptor);
    }

    private SigningKeyFiles.Keys keys() {
        SigningKeyFiles.Keys k = keys;
        if (k == null) {
            synchronized (this) {
                if (keys == null) {
                    keys = SigningKeyFiles.loadOrCreate(settings.coordinatorDir().resolve("identity"));
                }
                k = keys;
            }
        }
        return k;
    }
}
