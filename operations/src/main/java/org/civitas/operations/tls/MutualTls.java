package org.civitas.operations.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Mutual TLS between the consortium's servers: the client side's SSL context, and who a client certificate names. */
public final class MutualTls {

    private MutualTls() {
    }

    /**
     * The SSL context for calls to the coordinator when this server is configured for mutual TLS
     * ({@code civitas.tls.keystore}, {@code civitas.tls.truststore}, and the stores' password
     * {@code civitas.tls.password}, best as {@code CIVITAS_TLS_PASSWORD}); empty without a key store.
     */
    public static Optional<SSLContext> configured() {
        org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        Optional<String> keystore = config.getOptionalValue("civitas.tls.keystore", String.class).filter(k -> !k.isBlank());
        if (keystore.isEmpty()) {
            return Optional.empty();
        }
        String truststore = config.getOptionalValue("civitas.tls.truststore", String.class).filter(t -> !t.isBlank())
                .orElseThrow(() -> new IllegalStateException(
                        "civitas.tls.keystore is set but not civitas.tls.truststore (the consortium CA's truststore.p12)"));
        String password = config.getOptionalValue("civitas.tls.password", String.class).filter(p -> !p.isBlank())
                .orElseThrow(() -> new IllegalStateException("civitas.tls.keystore is set but not its password: set CIVITAS_TLS_PASSWORD"));
        return Optional.of(sslContext(Path.of(keystore.get()), Path.of(truststore), password.toCharArray()));
    }

    /**
     * An SSL context presenting this server's key and certificate (PKCS12 {@code keystore}) and
     * trusting only the consortium CA ({@code truststore}); both stores share one password. A null
     * key store presents no certificate (a caller the coordinator should refuse).
     */
    public static SSLContext sslContext(Path keystore, Path truststore, char[] password) {
        try {
            KeyManagerFactory keys = null;
            if (keystore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keystore, password), password);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore, password));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up mutual TLS from " + keystore + " and " + truststore + ": " + e.getMessage(), e);
        }
    }

    /** The common name of a certificate's subject: the site code in the certificates consortium-ca.sh issues. */
    public static Optional<String> commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    private static KeyStore load(Path file, char[] password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }
}
