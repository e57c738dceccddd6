package org.civitas.federation.core.tensor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON
 * header, then the raw little-endian tensor bytes), the exchange format between sites and the
 * coordinator, also read by Python trainers. Only F32 is supported for now. The reader is strict:
 * offsets must tile the data buffer exactly, and every problem names what is wrong.
 */
public final class SafeTensors {

    /** Headers above this size are refused before any allocation. */
    public static final int MAX_HEADER_BYTES = 16 * 1024 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private SafeTensors() {
    }

    /** A decoded file: the tensors in file order and the free-form string metadata. */
    public record Decoded(NamedTensors tensors, Map<String, String> metadata) {
    }

    /** Thrown for anything that is not a well-formed F32 safetensors payload. */
    public static final class FormatException extends IllegalArgumentException {
        public FormatException(String message) {
            super("invalid safetensors: " + message);
        }
    }

    public static byte[] write(NamedTensors tensors) {
        return write(tensors, Map.of());
    }

    public static byte[] write(NamedTensors tensors, Map<String, String> metadata) {
        ByteArrayOutputStream headerJson = new ByteArrayOutputStream();
        long offset = 0;
        try (JsonGenerator g = JSON.createGenerator(headerJson)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            for (Map.Entry<String, Tensor> e : tensors.asMap().entrySet()) {
                Tensor t = e.getValue();
                long bytes = 4L * t.size();
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("dtype", "F32");
                g.writeArrayFieldStart("shape");
                for (int d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + bytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += bytes;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] header = headerJson.toByteArray();
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(header);
        for (int i = header.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        FloatBuffer floats = out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (Tensor t : tensors.asMap().values()) {
            floats.put(t.values());
        }
        return out.array();
    }

    public static Decoded read(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes));
    }

    /**
     * Reads the file's bytes from {@code bytes}' position to its limit, which it leaves as they were:
     * a memory-mapped file is read without its bytes ever being copied whole onto the heap.
     */
    public static Decoded read(ByteBuffer bytes) {
        ByteBuffer buf = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int size = buf.remaining();
        if (size < 8) {
            throw new FormatException("payload of " + size + " bytes is shorter than the 8-byte header length");
        }
        long headerLength = buf.getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8L) {
            throw new FormatException("header length " + headerLength + " does not fit a payload of " + size + " bytes");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = size - (long) dataStart;
        byte[] header = new byte[(int) headerLength];
        buf.get(8, header);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(header)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "header must be a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                expect(p.nextToken(), JsonToken.START_OBJECT, "entry '" + name + "' must be an object");
                if ("__metadata__".equals(name)) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        expect(p.nextToken(), JsonToken.VALUE_STRING, "metadata value of '" + key + "' must be a string");
                        metadata.put(key, p.getText());
                    }
                } else {
                    entries.add(readEntry(p, name, entries.size()));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new FormatException("trailing content after the header object");
            }
        } catch (IOException e) {
            throw new FormatException("header is not valid JSON: " + e.getMessage());
        }

        entries.sort(Comparator.comparingLong(Entry::begin));
        long expectedBegin = 0;
        for (Entry e : entries) {
            if (e.begin != expectedBegin) {
                throw new FormatException("tensor '" + e.name + "' starts at byte " + e.begin + ", expected " + expectedBegin
                        + " (offsets must tile the data without gaps or overlaps)");
            }
            expectedBegin = e.end;
        }
        if (expectedBegin != dataLength) {
            throw new FormatException("tensors cover " + expectedBegin + " bytes but the data section has " + dataLength);
        }
        entries.sort(Comparator.comparingInt(Entry::order));
        NamedTensors.Builder builder = NamedTensors.builder();
        for (Entry e : entries) {
            float[] values = new float[(int) ((e.end - e.begin) / 4)];
            buf.slice(dataStart + (int) e.begin, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            try {
                builder.put(e.name, new Tensor(e.shape, values));
            } catch (IllegalArgumentException ex) {
                throw new FormatException(ex.getMessage());
            }
        }
        return new Decoded(builder.build(), metadata);
    }

    private record Entry(String name, int order, int[] shape, long begin, long end) {
    }

    private static Entry readEntry(JsonParser p, String name, int order) throws IOException {
        String dtype = null;
        int[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    expect(value, JsonToken.VALUE_STRING, "dtype of '" + name + "' must be a string");
                    dtype = p.getText();
                }
                case "shape" -> shape = Arrays.stream(readLongs(p, value, name, "shape")).mapToInt(l -> {
                    if (l < 0 || l > Integer.MAX_VALUE) {
                        throw new FormatException("shape of '" + name + "' has an invalid dimension " + l);
                    }
                    return (int) l;
                }).toArray();
                case "data_offsets" -> offsets = readLongs(p, value, name, "data_offsets");
                default -> p.skipChildren();
            }
        }
        if (!"F32".equals(dtype)) {
            throw new FormatException("tensor '" + name + "' has dtype " + dtype + "; only F32 is supported");
        }
        if (shape == null || offsets == null || offsets.length != 2) {
            throw new FormatException("tensor '" + name + "' needs shape and two data_offsets");
        }
        long begin = offsets[0];
        long end = offsets[1];
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (ArithmeticException | IllegalArgumentException ex) {
            throw new FormatException("tensor '" + name + "' has an invalid shape " + Arrays.toString(shape));
        }
        if (begin < 0 || end < begin || end - begin != 4 * count) {
            throw new FormatException("tensor '" + name + "' with shape " + Arrays.toString(shape)
                    + " needs " + 4 * count + " bytes, offsets give [" + begin + ", " + end + "]");
        }
        return new Entry(name, order, shape, begin, end);
    }

    private static long[] readLongs(JsonParser p, JsonToken start, String name, String field) throws IOException {
        expect(start, JsonToken.START_ARRAY, field + " of '" + name + "' must be an array");
        List<Long> values = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
            values.add(p.getLongValue());
        }
        expect(p.currentToken(), JsonToken.END_ARRAY, field + " of '" + name + "' must hold integers");
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void expect(JsonToken actual, JsonToken expected, String message) {
        if (actual != expected) {
            throw new FormatException(message);
        }
    }
}
