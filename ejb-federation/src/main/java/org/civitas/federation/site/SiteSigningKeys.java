package org.civitas.federation.site;

import jakarta.enterprise.context.ApplicationScoped;
import org.civitas.federation.core.identity.UpdateSignature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each hosted site's Ed25519 key pair, kept in the site's own folder ({@code identity/}) and made
 * on first use. The private key never leaves the site; the public key is registered at the
 * coordinator, which checks every update against it.
 */
@ApplicationScoped
public class SiteSigningKeys {

    private record Keys(PrivateKey privateKey, String publicKey) {
    }

    private final Map<String, Keys> keys = new ConcurrentHashMap<>();

    /** The site's public key, X.509 encoding, Base64. */
    public String publicKey(SiteIdentity site) {
        return keys(site).publicKey();
    }

    public String sign(SiteIdentity site, long federationId, int round, String nonce, byte[] tensors, byte[] metadata) {
        return UpdateSignature.sign(keys(site).privateKey(), site.code(), federationId, round, nonce, tensors, metadata);
    }

    private Keys keys(SiteIdentity site) {
        return keys.computeIfAbsent(site.code(), code -> load(site.home().resolve("identity")));
    }

    private static Keys load(Path folder) {
        Path privateFile = folder.resolve("ed25519-private.der");
        Path publicFile = folder.resolve("ed25519-public.der");
        try {
            if (!Files.exists(privateFile)) {
                Files.createDirectories(folder);
                KeyPair pair = UpdateSignature.newKeyPair();
                Files.write(publicFile, pair.getPublic().getEncoded());
                Files.write(privateFile, pair.getPrivate().getEncoded(), StandardOpenOption.CREATE_NEW);
                try {
                    Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system: the folder's own permissions protect the key.
                }
            }
            PrivateKey privateKey = UpdateSignature.privateKey(Files.readAllBytes(privateFile));
            byte[] publicBytes = Files.readAllBytes(publicFile);
            UpdateSignature.publicKey(java.util.Base64.getEncoder().encodeToString(publicBytes)); // a readable key, or fail here
            new X509EncodedKeySpec(publicBytes);
            return new Keys(privateKey, java.util.Base64.getEncoder().encodeToString(publicBytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the signing key in " + folder, e);
        }
    }
}
