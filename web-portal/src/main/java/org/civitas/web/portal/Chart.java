package org.civitas.web.portal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Chart.js configuration, as PrimeFaces' {@code <p:chart value="...">} takes it: every chart of
 * the portal is built here and serialized by a JSON library, never by string concatenation.
 * PrimeFaces writes the value into a {@code <script>} block as it is, so the JSON also escapes
 * {@code <}, {@code >}, {@code &}, {@code '} and the JavaScript line separators: a label sent by a
 * site (a quality check's name, a dataset's) cannot close the script or run code in the page.
 */
public final class Chart {

    private static final JsonFactory JSON = new JsonFactory().setCharacterEscapes(new ScriptSafeEscapes());

    private final String type;
    private final List<String> labels = new ArrayList<>();
    private final List<Map<String, Object>> datasets = new ArrayList<>();
    private final Map<String, Object> scales = new LinkedHashMap<>();
    private boolean horizontal;
    private boolean legend = true;

    private Chart(String type) {
        this.type = type;
    }

    public static Chart bar() {
        return new Chart("bar");
    }

    public static Chart line() {
        return new Chart("line");
    }

    public Chart labels(List<String> values) {
        labels.addAll(values);
        return this;
    }

    /** A series: filled bars, or a line (no fill, slight smoothing); null values leave gaps. */
    public Chart series(String label, List<? extends Number> values, String colour) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("label", label);
        d.put("data", new ArrayList<>(values));
        if ("line".equals(type)) {
            d.put("borderColor", colour);
            d.put("fill", false);
            d.put("tension", 0.2);
        } else {
            d.put("backgroundColor", colour);
        }
        datasets.add(d);
        return this;
    }

    /** Bars along the x axis, categories down the y axis. */
    public Chart horizontal() {
        horizontal = true;
        return this;
    }

    public Chart stacked() {
        axis("x").put("stacked", true);
        axis("y").put("stacked", true);
        return this;
    }

    public Chart axisTitle(String axis, String title) {
        axis(axis).put("title", ordered("display", true, "text", title));
        return this;
    }

    public Chart withoutLegend() {
        legend = false;
        return this;
    }

    /** Two entries in this order, so that the same chart always serializes to the same text. */
    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> axis(String name) {
        return (Map<String, Object>) scales.computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
    }

    /** The configuration as script-safe JSON. */
    public String json() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("animation", false);
        if (horizontal) {
            options.put("indexAxis", "y");
        }
        if (!legend) {
            options.put("plugins", Map.of("legend", Map.of("display", false)));
        }
        if (!scales.isEmpty()) {
            options.put("scales", scales);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", type);
        config.put("data", ordered("labels", labels, "datasets", datasets));
        config.put("options", options);
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            // JSON has no NaN or infinity: such a point is written as null, a gap in the chart.
            org.civitas.federation.core.json.JsonTreeWriter.write(g, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Escapes what could end a script block or a JavaScript string, beside what JSON itself escapes. */
    private static final class ScriptSafeEscapes extends CharacterEscapes {

        private final int[] escapes;

        ScriptSafeEscapes() {
            escapes = standardAsciiEscapesForJSON();
            for (char c : new char[] {'<', '>', '&', '\'', '/'}) {
                escapes[c] = ESCAPE_STANDARD;
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            // Line and paragraph separators end a JavaScript string in older engines.
            return ch == 0x2028 || ch == 0x2029 ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
