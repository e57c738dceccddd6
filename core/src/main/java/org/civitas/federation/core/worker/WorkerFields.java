package org.civitas.federation.core.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one JSON object of the worker contract (as {@link org.civitas.federation.core.json.JsonTree}
 * parsed it) field by field, with errors that name the field. Numbers may arrive as the strings
 * "NaN" or "Infinity", or as null, since JSON cannot hold a diverged loss; they read as NaN.
 */
public final class WorkerFields {

    private final Map<String, Object> fields;
    private final String what;

    public WorkerFields(Map<String, Object> fields, String what) {
        this.fields = fields;
        this.what = what;
    }

    /** Refuses a field outside {@code known}: a typo must not silently fall back to a default. */
    public WorkerFields only(Set<String> known) {
        for (String name : fields.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "' in " + what + " (known: " + String.join(", ", known) + ")");
            }
        }
        return this;
    }

    public boolean has(String name) {
        return fields.get(name) != null;
    }

    public String string(String name) {
        Object value = fields.get(name);
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalArgumentException(what + " needs '" + name + "'");
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be a string");
        }
        return s;
    }

    public String optionalString(String name) {
        return has(name) ? string(name) : null;
    }

    public Integer optionalInt(String name) {
        if (!has(name)) {
            return null;
        }
        Object value = fields.get(name);
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() != ((Number) value).intValue()) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be an integer");
        }
        return ((Number) value).intValue();
    }

    public int integer(String name) {
        Integer value = optionalInt(name);
        if (value == null) {
            throw new IllegalArgumentException(what + " needs '" + name + "'");
        }
        return value;
    }

    public Long optionalLong(String name) {
        if (!has(name)) {
            return null;
        }
        Object value = fields.get(name);
        if (!(value instanceof Integer || value instanceof Long)) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be an integer");
        }
        return ((Number) value).longValue();
    }

    public Boolean optionalBoolean(String name) {
        Object value = fields.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be true or false");
        }
        return b;
    }

    public Double optionalDouble(String name) {
        return has(name) ? number(name) : null;
    }

    /** A number; a missing one, null, or the strings "NaN"/"Infinity" read as NaN or infinity. */
    public double number(String name) {
        return number(fields.get(name));
    }

    static double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(String.valueOf(value));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    public WorkerFields object(String name) {
        Object value = fields.get(name);
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        return new WorkerFields(typed, "'" + name + "' of " + what);
    }

    public WorkerFields optionalObject(String name) {
        return has(name) ? object(name) : null;
    }

    public List<?> list(String name) {
        Object value = fields.get(name);
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("'" + name + "' in " + what + " must be a list");
        }
        return list;
    }

    /** The object's number fields, in order (a map of names to numbers). */
    public Map<String, Double> numbers() {
        Map<String, Double> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> out.put(k, number(v)));
        return out;
    }
}
