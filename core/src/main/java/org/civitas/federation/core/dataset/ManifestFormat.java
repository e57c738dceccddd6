package org.civitas.federation.core.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes manifest lines: one JSON object per line, fields in a fixed order, meta keys sorted. */
public final class ManifestFormat {

    private static final JsonFactory JSON = new JsonFactory();

    private ManifestFormat() {
    }

    public static String write(Sample s) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            if (s.image() != null) {
                g.writeStringField("image", s.image());
            }
            if (s.text() != null) {
                g.writeStringField("text", s.text());
            }
            if (s.label() != null) {
                g.writeStringField("label", s.label());
            }
            if (s.scenario() != null) {
                g.writeStringField("scenario", s.scenario());
            }
            if (!s.meta().isEmpty()) {
                g.writeObjectFieldStart("meta");
                for (Map.Entry<String, String> e : new TreeMap<>(s.meta()).entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Parses one line.
     *
     * @throws IllegalArgumentException naming what is wrong with the line's JSON or fields
     */
    public static Sample read(String line) {
        String id = null;
        String image = null;
        String text = null;
        String label = null;
        String scenario = null;
        Map<String, String> meta = new TreeMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = string(p, value, field);
                    case "image" -> image = string(p, value, field);
                    case "text" -> text = string(p, value, field);
                    case "label" -> label = string(p, value, field);
                    case "scenario" -> scenario = string(p, value, field);
                    case "meta" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new IllegalArgumentException("'meta' must be an object");
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            JsonToken v = p.nextToken();
                            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                                p.skipChildren();
                                meta.put(key, "(nested)");
                            } else {
                                meta.put(key, p.getText());
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown field '" + field + "'");
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after the object");
            }
        } catch (IOException e) {
            String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            // The parser's message goes on about source locations; the first clause says what is wrong.
            int cut = message.indexOf(" (start marker");
            throw new IllegalArgumentException("bad JSON: " + (cut > 0 ? message.substring(0, cut) : message));
        }
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("'id' is missing");
        }
        return new Sample(id, image, text, label, scenario, meta);
    }

    private static String string(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return p.getText();
    }
}
