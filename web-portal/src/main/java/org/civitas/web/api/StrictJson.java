package org.civitas.web.api;

import jakarta.annotation.Priority;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.core.json.JsonTree;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads every JSON request body strictly, before JSON-B binds it: one JSON value and nothing after
 * it, no repeated field, no field the request type does not have, and whole numbers that fit the
 * field (a lenient binder turns 4294967301 rounds into 5 and ignores a misspelt field). A body that
 * breaks a rule is a 400 naming the field; nothing runs. It wraps whichever reader the runtime picks
 * (an interceptor, so the server's own JSON-B reader still binds); raw bodies (a {@code String}) are
 * the resource's, which reads them with {@link #read}.
 */
@Provider
@Priority(Priorities.ENTITY_CODER)
public class StrictJson implements ReaderInterceptor {

    private static final Jsonb JSONB = JsonbBuilder.create();

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType media = context.getMediaType();
        Class<?> type = context.getType();
        boolean json = media != null && ("json".equals(media.getSubtype()) || media.getSubtype().endsWith("+json"));
        if (!json || type == String.class || type == byte[].class || InputStream.class.isAssignableFrom(type)) {
            return context.proceed();
        }
        byte[] body = context.getInputStream().readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            Object tree;
            try {
                tree = JsonTree.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("the request body is " + e.getMessage());
            }
            check(tree, context.getGenericType(), "the request body");
        }
        context.setInputStream(new java.io.ByteArrayInputStream(body));
        return context.proceed();
    }

    /** A body read strictly and bound to the type; null for an empty body (the resource decides what that means). */
    @SuppressWarnings("unchecked")
    static <T> T read(String body, Type type) {
        if (body == null || body.isBlank()) {
            return null;
        }
        Object tree;
        try {
            tree = JsonTree.parse(body);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("the request body is " + e.getMessage());
        }
        check(tree, type, "the request body");
        try {
            return (T) JSONB.fromJson(body, type);
        } catch (jakarta.json.bind.JsonbException e) {
            throw new InvalidRequestException("the request body does not fit: " + e.getMessage());
        }
    }

    /** Checks a parsed value against the type it will be bound to; {@code where} names it in the message. */
    static void check(Object value, Type type, String where) {
        if (value == null) {
            return;
        }
        Class<?> raw = rawClass(type);
        if (raw == int.class || raw == Integer.class) {
            whole(value, where, Integer.MIN_VALUE, Integer.MAX_VALUE, "32-bit");
        } else if (raw == long.class || raw == Long.class) {
            whole(value, where, Long.MIN_VALUE, Long.MAX_VALUE, "64-bit");
        } else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            if (!(value instanceof Number)) {
                throw new InvalidRequestException(where + " must be a number, was " + describe(value));
            }
        } else if (raw == boolean.class || raw == Boolean.class) {
            if (!(value instanceof Boolean)) {
                throw new InvalidRequestException(where + " must be true or false, was " + describe(value));
            }
        } else if (raw == String.class) {
            if (!(value instanceof String)) {
                throw new InvalidRequestException(where + " must be a string, was " + describe(value));
            }
        } else if (raw != null && raw.isRecord()) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new InvalidRequestException(where + " must be a JSON object, was " + describe(value));
            }
            RecordComponent[] components = raw.getRecordComponents();
            for (Object key : map.keySet()) {
                RecordComponent c = Arrays.stream(components).filter(rc -> rc.getName().equals(key)).findFirst().orElse(null);
                if (c == null) {
                    throw new InvalidRequestException(where + " has no field '" + key + "' (known: "
                            + new TreeSet<>(Arrays.stream(components).map(RecordComponent::getName).toList()) + ")");
                }
                check(map.get(key), c.getGenericType(), key.toString());
            }
        } else if (raw != null && (Collection.class.isAssignableFrom(raw) || raw.isArray())) {
            if (!(value instanceof List<?> list)) {
                throw new InvalidRequestException(where + " must be a JSON array, was " + describe(value));
            }
            Type element = raw.isArray() ? elementOf(type, raw) : argument(type, 0);
            for (int i = 0; i < list.size(); i++) {
                check(list.get(i), element, where + "[" + i + "]");
            }
        } else if (raw != null && Map.class.isAssignableFrom(raw)) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new InvalidRequestException(where + " must be a JSON object, was " + describe(value));
            }
            Type valueType = argument(type, 1);
            map.forEach((k, v) -> check(v, valueType, where + "." + k));
        }
        // Other types (instants, enums, JSON values) are JSON-B's to read; it refuses what does not fit them.
    }

    private static void whole(Object value, String where, long min, long max, String bits) {
        if (value instanceof Integer || value instanceof Long) {
            long v = ((Number) value).longValue();
            if (v < min || v > max) {
                throw new InvalidRequestException(where + " " + v + " does not fit a " + bits + " integer");
            }
            return;
        }
        if (value instanceof BigInteger) {
            throw new InvalidRequestException(where + " " + value + " does not fit a " + bits + " integer");
        }
        throw new InvalidRequestException(where + " must be a whole number, was " + describe(value));
    }

    private static String describe(Object value) {
        String text = value instanceof String s ? "\"" + s + "\"" : value instanceof Map ? "an object" : value instanceof List ? "an array"
                : String.valueOf(value);
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof GenericArrayType) {
            return Object[].class;
        }
        return null;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments().length > index ? p.getActualTypeArguments()[index] : Object.class;
    }

    private static Type elementOf(Type type, Class<?> raw) {
        return type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
    }
}
