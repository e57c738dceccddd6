package org.civitas.federation.site;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** The JSON a quality run keeps: its thresholds and its report. */
final class QualityJson {

    private QualityJson() {
    }

    static String write(Object value) {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            return jsonb.toJson(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            return jsonb.fromJson(json, type);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + type.getSimpleName() + " from " + json, e);
        }
    }
}
