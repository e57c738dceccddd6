package org.civitas.federation.core.privacy.secagg;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How named tensors travel under secure aggregation: flattened in the state's own tensor order into
 * one vector, and a masked vector as its ring elements in little-endian int32, nothing else (the
 * coordinator knows the names and shapes from the global state).
 */
public final class MaskedVector {

    private MaskedVector() {
    }

    /** All values of the tensors, in order, each multiplied by {@code scale}. */
    public static float[] flatten(NamedTensors tensors, float scale) {
        float[] out = new float[Math.toIntExact(tensors.elementCount())];
        int[] at = {0};
        tensors.forEach((name, t) -> {
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) {
                out[at[0] + i] = v[i] * scale;
            }
            at[0] += v.length;
        });
        return out;
    }

    /** The values back into tensors named and shaped as {@code like}. */
    public static NamedTensors unflatten(float[] values, NamedTensors like) {
        if (values.length != like.elementCount()) {
            throw new IllegalArgumentException("vector of " + values.length + " values does not fit a state of " + like.elementCount());
        }
        NamedTensors.Builder b = NamedTensors.builder();
        int[] at = {0};
        like.forEach((name, t) -> {
            float[] v = new float[t.values().length];
            System.arraycopy(values, at[0], v, 0, v.length);
            at[0] += v.length;
            b.put(name, new Tensor(t.shape(), v));
        });
        return b.build();
    }

    public static byte[] toBytes(int[] masked) {
        ByteBuffer buffer = ByteBuffer.allocate(masked.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(masked);
        return buffer.array();
    }

    /**
     * @throws IllegalArgumentException when the body is not exactly {@code length} int32 values
     */
    public static int[] fromBytes(byte[] body, long length) {
        return fromBytes(ByteBuffer.wrap(body), length);
    }

    /** As {@link #fromBytes(byte[], long)}, from {@code body}'s position to its limit (a mapped file, say), which it leaves as they were. */
    public static int[] fromBytes(ByteBuffer body, long length) {
        if (body.remaining() != length * 4) {
            throw new IllegalArgumentException("a masked update of this state is " + length + " little-endian int32 values ("
                    + length * 4 + " bytes), this body has " + body.remaining() + " bytes");
        }
        int[] out = new int[(int) length];
        body.slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }
}
