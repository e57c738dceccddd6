package org.civitas.federation.core.privacy.secagg;

import java.util.Arrays;

/**
 * How a mask seed is expanded into a stream of ring elements. Sites and the coordinator must
 * expand alike, so the coordinator names the format in the round's roster and a site refuses one
 * it does not know.
 */
public enum MaskFormat {

    /** The ChaCha20 keystream; the format of coordinators that named none. About 0.4 GB/s on JDK 17. */
    CHACHA20("civitas-mask-chacha20-v1"),

    /**
     * AES-256 in counter mode. The JDK runs it on the processor's AES instructions (AES-NI, ARMv8
     * AES), tens of GB/s where ChaCha20 has no intrinsic; as a pseudo-random generator keyed by a
     * secret 256-bit seed it is as sound as ChaCha20.
     */
    AES_CTR("civitas-mask-aes256ctr-v2");

    /** What this version's coordinator masks with. */
    public static final MaskFormat CURRENT = AES_CTR;

    private final String id;

    MaskFormat(String id) {
        this.id = id;
    }

    /** The name the protocol carries. */
    public String id() {
        return id;
    }

    /**
     * The format a roster names; none (a coordinator from before formats were named) is ChaCha20.
     *
     * @throws IllegalArgumentException naming the formats this version knows
     */
    public static MaskFormat of(String id) {
        if (id == null) {
            return CHACHA20;
        }
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "mask format '" + id + "' is unknown here; this version knows " + Arrays.stream(values()).map(MaskFormat::id).toList()));
    }
}
