package org.civitas.federation.core.privacy.secagg;

import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasksTest {

    private static final byte[] SEED = new byte[32];

    static {
        for (int i = 0; i < SEED.length; i++) {
            SEED[i] = (byte) (i * 7 + 3);
        }
    }

    @Test
    void anAesMaskIsAes256OfTheRoundsCounterBlocksAcrossChunks() throws Exception {
        int length = (1 << 16) + 12;
        int[] mask = Masks.expand(MaskFormat.AES_CTR, SEED, 42, length);
        // Counter block k: "CIVI", the round, then k; each block gives four little-endian ints.
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(SEED, "AES"));
        for (int block : new int[] {0, 1, (1 << 14) - 1, 1 << 14, (1 << 14) + 2}) {
            byte[] counter = ByteBuffer.allocate(16).putInt(0x43495649).putLong(42).putInt(block).array();
            ByteBuffer words = ByteBuffer.wrap(aes.doFinal(counter)).order(ByteOrder.LITTLE_ENDIAN);
            for (int w = 0; w < 4; w++) {
                assertThat(mask[4 * block + w]).as("block %d word %d", block, w).isEqualTo(words.getInt());
            }
        }
    }

    @Test
    void theSameSeedRoundAndFormatGiveTheSameMaskAndAnyChangeAnother() {
        int[] mask = Masks.expand(MaskFormat.AES_CTR, SEED, 7, 1000);
        assertThat(Masks.expand(MaskFormat.AES_CTR, SEED, 7, 1000)).isEqualTo(mask);
        assertThat(Masks.expand(MaskFormat.AES_CTR, SEED, 8, 1000)).isNotEqualTo(mask);
        assertThat(Masks.expand(MaskFormat.CHACHA20, SEED, 7, 1000)).isNotEqualTo(mask);
        // A shorter expansion is a prefix of a longer one: the masks of an update do not depend on how it is cut.
        assertThat(Masks.expand(MaskFormat.CHACHA20, SEED, 7, 70_000)).startsWith(Masks.expand(MaskFormat.CHACHA20, SEED, 7, 1000));
    }

    @Test
    void addingAMaskAndSubtractingItLeavesTheValues() {
        int[] acc = {1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE};
        int[] before = acc.clone();
        Masks.addExpanded(acc, MaskFormat.AES_CTR, SEED, 3, 1);
        assertThat(acc).isNotEqualTo(before);
        Masks.addExpanded(acc, MaskFormat.AES_CTR, SEED, 3, -1);
        assertThat(acc).isEqualTo(before);
    }

    @Test
    void aRosterNamesItsFormatAndNoneMeansChaCha20() {
        assertThat(MaskFormat.of(null)).isEqualTo(MaskFormat.CHACHA20);
        assertThat(MaskFormat.of("civitas-mask-aes256ctr-v2")).isEqualTo(MaskFormat.AES_CTR);
        assertThatThrownBy(() -> MaskFormat.of("civitas-mask-v9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask format 'civitas-mask-v9' is unknown here; this version knows [civitas-mask-chacha20-v1,"
                        + " civitas-mask-aes256ctr-v2]");
    }
}
