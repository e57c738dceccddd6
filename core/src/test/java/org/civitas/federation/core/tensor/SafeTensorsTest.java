package org.civitas.federation.core.tensor;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {

    private static NamedTensors sample() {
        return NamedTensors.builder()
                .put("linear.weight", new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -7}))
                .put("linear.bias", new Tensor(new int[] {2}, new float[] {0.25f, -0.5f}))
                .build();
    }

    @Test
    void roundTripsTensorsMetadataAndOrder() {
        byte[] bytes = SafeTensors.write(sample(), Map.of("sampleCount", "42"));

        SafeTensors.Decoded decoded = SafeTensors.read(bytes);

        assertThat(decoded.tensors()).isEqualTo(sample());
        assertThat(decoded.tensors().names()).containsExactly("linear.weight", "linear.bias");
        assertThat(decoded.metadata()).containsEntry("sampleCount", "42");
    }

    @Test
    void readsAFileFromAnOffHeapBufferBetweenItsPositionAndLimitAndLeavesThemAsTheyWere() {
        byte[] file = SafeTensors.write(sample(), Map.of("sampleCount", "42"));
        ByteBuffer direct = ByteBuffer.allocateDirect(file.length + 10);
        direct.position(3);
        direct.put(file);
        direct.position(3).limit(3 + file.length);

        SafeTensors.Decoded decoded = SafeTensors.read(direct);

        assertThat(decoded.tensors()).isEqualTo(sample());
        assertThat(decoded.metadata()).containsEntry("sampleCount", "42");
        assertThat(direct.position()).isEqualTo(3);
        assertThat(direct.limit()).isEqualTo(3 + file.length);
        direct.limit(direct.limit() - 1);
        assertThatThrownBy(() -> SafeTensors.read(direct)).as("one byte short").isInstanceOf(SafeTensors.FormatException.class)
                .hasMessageContaining("the data section has");
    }

    @Test
    void writesTheReferenceLayout() {
        byte[] bytes = SafeTensors.write(sample());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = b.getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);

        assertThat(headerLength % 8).isZero();
        assertThat(header.strip()).isEqualTo("{\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}");
        assertThat(bytes.length).isEqualTo(8 + headerLength + 32);
        assertThat(b.getFloat(8 + (int) headerLength + 8)).isEqualTo(3.5f);
    }

    @Test
    void readsAHandWrittenFile() {
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8)).putFloat(1.5f).putFloat(-2f);

        NamedTensors t = SafeTensors.read(b.array()).tensors();

        assertThat(t.names()).containsExactly("b", "a");
        assertThat(t.get("a").values()).containsExactly(1.5f);
        assertThat(t.get("b").values()).containsExactly(-2f);
        assertThat(t.get("a").shape()).isEmpty();
    }

    @Test
    void refusesMalformedInputNamingTheProblem() {
        assertThatThrownBy(() -> SafeTensors.read(new byte[3])).hasMessageContaining("shorter than the 8-byte header length");
        assertThatThrownBy(() -> SafeTensors.read(withHeader("{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2)))
                .hasMessageContaining("dtype F16; only F32");
        assertThatThrownBy(() -> SafeTensors.read(withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)))
                .hasMessageContaining("needs 8 bytes");
        assertThatThrownBy(() -> SafeTensors.read(withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)))
                .hasMessageContaining("starts at byte 4, expected 0");
        assertThatThrownBy(() -> SafeTensors.read(withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12)))
                .hasMessageContaining("cover 4 bytes but the data section has 12");
        assertThatThrownBy(() -> SafeTensors.read(withHeader("{\"x\": [", 0))).hasMessageContaining("invalid safetensors");
        byte[] hugeHeader = new byte[16];
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertThatThrownBy(() -> SafeTensors.read(hugeHeader)).hasMessageContaining("does not fit");
    }

    private static byte[] withHeader(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }
}
