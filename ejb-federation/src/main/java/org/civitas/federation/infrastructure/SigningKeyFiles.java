package org.civitas.federation.infrastructure;

import org.civitas.federation.core.identity.UpdateSignature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Base64;

/**
 * An Ed25519 key pair kept in a folder ({@code ed25519-private.der}, readable by its owner only,
 * and {@code ed25519-public.der}), made on first use.
 */
public final class SigningKeyFiles {

    /** The private key, and the public key in its X.509 encoding, Base64. */
    public record Keys(PrivateKey privateKey, String publicKey) {
    }

    private SigningKeyFiles() {
    }

    public static Keys loadOrCreate(Path folder) {
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
            String publicKey = Base64.getEncoder().encodeToString(Files.readAllBytes(publicFile));
            UpdateSignature.publicKey(publicKey); // a readable key, or fail here
            return new Keys(privateKey, publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the signing key in " + folder, e);
        }
    }
}
