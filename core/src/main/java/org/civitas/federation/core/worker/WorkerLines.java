package org.civitas.federation.core.worker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.civitas.federation.core.json.JsonTree;
import org.civitas.federation.core.json.JsonTreeWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON object per line, both ways: requests and events are written and read here only. */
public final class WorkerLines {

    private static final JsonFactory JSON = new JsonFactory();

    private WorkerLines() {
    }

    /** A request line: {@code id}, {@code op}, then the request's fields. */
    public static String request(String id, WorkerRequest<?> request) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", id);
        line.put("op", request.op());
        line.putAll(request.fields());
        return write(line);
    }

    /** A cancel line for the request with that id. */
    public static String cancel(String id) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("op", "cancel");
        line.put("target", id);
        return write(line);
    }

    /** A result line: {@code id}, {@code event: result}, then the result's fields. */
    public static String result(String id, WorkerResult result) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", id);
        line.put("event", "result");
        line.putAll(result.fields());
        return write(line);
    }

    public static String progress(String id, int step, int steps, double loss) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", id);
        line.put("event", "progress");
        line.put("step", step);
        line.put("steps", steps);
        line.put("loss", finiteOrText(loss));
        return write(line);
    }

    /** An error line; {@code id} is null when the request could not be read far enough to know it. */
    public static String error(String id, String message) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (id != null) {
            line.put("id", id);
        }
        line.put("event", "error");
        line.put("message", message);
        return write(line);
    }

    public static String ready(String engine, String device, long pid) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "ready");
        line.put("engine", engine);
        line.put("device", device);
        line.put("pid", pid);
        return write(line);
    }

    /**
     * Reads a line as a JSON object.
     *
     * @throws IllegalArgumentException when it is not one
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(String line) {
        Object value = JsonTree.parse(line);
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    /** JSON has no NaN or infinity: a diverged loss travels as the string "NaN" or "Infinity". */
    static Object finiteOrText(double value) {
        return Double.isFinite(value) ? (Object) value : Double.toString(value);
    }

    private static String write(Map<String, Object> line) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            JsonTreeWriter.write(g, line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
