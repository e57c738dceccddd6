package org.civitas.federation.coordinator;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import org.civitas.federation.core.evaluation.ConfusionMatrix;

import java.io.StringReader;
import java.util.List;

/** A model version's confusion matrix as the registry stores it: {@code {"labels": [...], "counts": [[...], ...]}}. */
final class ConfusionJson {

    /** Past this many labels the matrix (labels squared counts) is not stored; the version keeps its summary figures. */
    static final int MAX_LABELS = 100;

    private ConfusionJson() {
    }

    static String write(ConfusionMatrix m) {
        if (m.labels().size() > MAX_LABELS) {
            return null;
        }
        JsonArrayBuilder labels = Json.createArrayBuilder();
        m.labels().forEach(labels::add);
        JsonArrayBuilder counts = Json.createArrayBuilder();
        for (List<Integer> row : m.counts()) {
            JsonArrayBuilder r = Json.createArrayBuilder();
            row.forEach(r::add);
            counts.add(r);
        }
        return Json.createObjectBuilder().add("labels", labels).add("counts", counts).build().toString();
    }

    static ConfusionMatrix read(String json) {
        if (json == null) {
            return null;
        }
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            JsonObject o = reader.readObject();
            List<String> labels = o.getJsonArray("labels").getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
            List<List<Integer>> counts = o.getJsonArray("counts").getValuesAs(JsonArray.class).stream()
                    .map(row -> row.getValuesAs(JsonNumber.class).stream().map(JsonNumber::intValue).toList()).toList();
            return new ConfusionMatrix(labels, counts);
        }
    }
}
