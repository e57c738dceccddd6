package org.civitas.domain.federation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Flat name-to-number maps (strategy parameters, filters) in a canonical JSON form: keys sorted, no spaces. */
final class NumberMaps {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Pattern ENTRY = Pattern.compile("\"([A-Za-z][A-Za-z0-9]*)\":(-?[0-9.Ee+-]+|NaN|-?Infinity)");

    private NumberMaps() {
    }

    static String toJson(Map<String, Double> values) {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, Double> e : new TreeMap<>(values == null ? Map.<String, Double>of() : values).entrySet()) {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("parameter name '" + e.getKey() + "' must be letters and digits");
            }
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' must be a finite number");
            }
            json.append(json.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":").append(e.getValue());
        }
        return json.append('}').toString();
    }

    static Map<String, Double> fromJson(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }
}
