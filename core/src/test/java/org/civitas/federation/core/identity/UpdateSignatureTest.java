package org.civitas.federation.core.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpdateSignatureTest {

    private static final byte[] TENSORS = {1, 2, 3, 4};
    private static final byte[] METADATA = "{\"sampleCount\": 5}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesForExactlyWhatWasSigned() {
        KeyPair keys = UpdateSignature.newKeyPair();
        String nonce = UpdateSignature.newNonce();
        String sig = UpdateSignature.sign(keys.getPrivate(), "energy", 7, 2, nonce, TENSORS, METADATA);
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, nonce, TENSORS, METADATA)).isTrue();
        // Each bound field changes the message
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "urban", 7, 2, nonce, TENSORS, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 8, 2, nonce, TENSORS, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 3, nonce, TENSORS, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, UpdateSignature.newNonce(), TENSORS, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, nonce, new byte[] {1, 2, 3, 5}, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, nonce, TENSORS, "{}".getBytes(StandardCharsets.UTF_8))).isFalse();
        // Another key, or garbage, does not verify
        assertThat(UpdateSignature.verify(UpdateSignature.newKeyPair().getPublic(), sig, "energy", 7, 2, nonce, TENSORS, METADATA)).isFalse();
        assertThat(UpdateSignature.verify(keys.getPublic(), "not base64!", "energy", 7, 2, nonce, TENSORS, METADATA)).isFalse();
    }

    @Test
    void aReceiverThatHashedTheTensorsPartVerifiesWithItsHash() throws Exception {
        KeyPair keys = UpdateSignature.newKeyPair();
        String nonce = UpdateSignature.newNonce();
        String sig = UpdateSignature.sign(keys.getPrivate(), "energy", 7, 2, nonce, TENSORS, METADATA);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(TENSORS));
        String other = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[] {9}));

        assertThat(UpdateSignature.verifyHashed(keys.getPublic(), sig, "energy", 7, 2, nonce, sha, METADATA)).isTrue();
        assertThat(UpdateSignature.verifyHashed(keys.getPublic(), sig, "energy", 7, 2, nonce, other, METADATA)).isFalse();
        assertThat(UpdateSignature.verifyHashed(keys.getPublic(), sig, "energy", 7, 2, nonce, sha.toUpperCase(), METADATA))
                .as("the hash as the message spells it").isFalse();
    }

    @Test
    void aSenderThatHashedItsTensorsSignsWhatAReceiverOfTheBytesVerifies() throws Exception {
        KeyPair keys = UpdateSignature.newKeyPair();
        String nonce = UpdateSignature.newNonce();
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(TENSORS));

        String sig = UpdateSignature.signHashed(keys.getPrivate(), "energy", 7, 2, nonce, sha, METADATA);

        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, nonce, TENSORS, METADATA)).isTrue();
        assertThat(UpdateSignature.verify(keys.getPublic(), sig, "energy", 7, 2, nonce, new byte[] {1, 2, 3, 5}, METADATA)).isFalse();
    }

    @Test
    void keysSurviveTheirEncodingsAndBadOnesAreNamed() {
        KeyPair keys = UpdateSignature.newKeyPair();
        String encoded = UpdateSignature.encode(keys.getPublic());
        assertThat(UpdateSignature.publicKey(encoded)).isEqualTo(keys.getPublic());
        assertThat(UpdateSignature.privateKey(keys.getPrivate().getEncoded())).isEqualTo(keys.getPrivate());
        assertThat(UpdateSignature.fingerprint(encoded)).hasSize(16);
        assertThatThrownBy(() -> UpdateSignature.publicKey("AAAA")).hasMessageContaining("not an Ed25519 public key");
        assertThatThrownBy(() -> UpdateSignature.requireNonce("short")).hasMessageContaining("16 to 64 characters");
        UpdateSignature.requireNonce(UpdateSignature.newNonce());
    }
}
