package org.civitas.federation.core.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;

class BundleSignatureTest {

    private static final byte[] DESCRIPTOR = "{\"files\": {\"state.safetensors\": \"ab12\"}}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesOverTheExactDescriptorUnderItsKeyOnly() {
        KeyPair coordinator = UpdateSignature.newKeyPair();
        String signature = BundleSignature.sign(coordinator.getPrivate(), DESCRIPTOR);

        assertThat(BundleSignature.verify(coordinator.getPublic(), signature, DESCRIPTOR)).isTrue();
        assertThat(BundleSignature.verify(coordinator.getPublic(), signature + "\n", DESCRIPTOR)).as("a trailing newline in the file").isTrue();
        byte[] changed = DESCRIPTOR.clone();
        changed[changed.length - 3] = 'c';
        assertThat(BundleSignature.verify(coordinator.getPublic(), signature, changed)).isFalse();
        assertThat(BundleSignature.verify(UpdateSignature.newKeyPair().getPublic(), signature, DESCRIPTOR)).isFalse();
        assertThat(BundleSignature.verify(coordinator.getPublic(), "not base64!", DESCRIPTOR)).isFalse();
    }

    @Test
    void anUpdateSignatureNeverPassesForABundleSignature() {
        KeyPair key = UpdateSignature.newKeyPair();
        byte[] metadata = "{}".getBytes(StandardCharsets.UTF_8);
        String update = UpdateSignature.sign(key.getPrivate(), "energy", 1, 1, "0123456789abcdef", DESCRIPTOR, metadata);
        assertThat(BundleSignature.verify(key.getPublic(), update, DESCRIPTOR)).isFalse();
    }
}
