package org.civitas.federation.protocol;

import org.civitas.federation.core.json.JsonTree;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON part of an update upload.
 *
 * @param sampleCount samples the site trained on (the FedAvg weight)
 * @param trainLoss   mean local training loss
 * @param globalLoss  loss of the received global state on the site's data, before training
 * @param globalAccuracy accuracy of the received global state on the site's data, when the site
 *                    measures it (optional)
 * @param heldoutMacroF1 macro-F1 of the received global state on the site's held-out split (optional)
 */
public record UpdateMetadata(Long sampleCount, Double trainLoss, Double globalLoss, Double globalAccuracy, Double heldoutMacroF1) {

    private static final List<String> FIELDS = List.of("sampleCount", "trainLoss", "globalLoss", "globalAccuracy", "heldoutMacroF1");

    /**
     * Reads the metadata part strictly: one JSON object, no trailing content, no unknown or repeated
     * field, sampleCount written as a whole number that fits a long, every other number finite.
     * A lenient binder would turn {@code 1e30} into a wrapped long or drop a misspelt field.
     *
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    public static UpdateMetadata parse(String json) {
        if (!(JsonTree.parse(json) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("metadata must be a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        map.keySet().forEach(k -> unknown.add(String.valueOf(k)));
        FIELDS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("metadata has unknown fields " + unknown + " (known: " + FIELDS + ")");
        }
        return new UpdateMetadata(wholeNumber(map, "sampleCount"), finite(map, "trainLoss"), finite(map, "globalLoss"),
                finite(map, "globalAccuracy"), finite(map, "heldoutMacroF1"));
    }

    private static Long wholeNumber(Map<?, ?> map, String field) {
        Object v = map.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger) {
            throw new IllegalArgumentException(field + " " + v + " does not fit a 64-bit integer");
        }
        throw new IllegalArgumentException(field + " must be a whole number written without a fraction or exponent, was " + v);
    }

    private static Double finite(Map<?, ?> map, String field) {
        Object v = map.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException(field + " must be a finite number, was " + v);
        }
        return n.doubleValue();
    }
}
