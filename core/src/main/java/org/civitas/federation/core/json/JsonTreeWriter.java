package org.civitas.federation.core.json;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Writes a tree of maps, lists, strings, numbers and booleans (as {@link JsonTree} reads them) with a JSON generator. */
public final class JsonTreeWriter {

    private JsonTreeWriter() {
    }

    /**
     * Writes the value. JSON has no NaN or infinity: such a number is written as null.
     *
     * @throws IllegalArgumentException for a value of another type
     */
    public static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Integer || value instanceof Long) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number n) {
            if (Double.isFinite(n.doubleValue())) {
                g.writeNumber(n.doubleValue());
            } else {
                g.writeNull();
            }
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getSimpleName() + " as JSON");
        }
    }
}
