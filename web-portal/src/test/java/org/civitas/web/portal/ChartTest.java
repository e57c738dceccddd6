package org.civitas.web.portal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every chart is JSON a script block can hold, whatever a site named its checks or datasets. */
class ChartTest {

    private static final String ATTACK = "x\"}]};</script><script>alert('pwned')</script>\u2028&amp;\\";

    @Test
    void labelsFromSitesCannotLeaveTheScriptBlock() throws Exception {
        String json = Chart.bar().horizontal().labels(List.of(ATTACK, "gas leak"))
                .series(ATTACK, List.of(3, 4), "#dc2626").axisTitle("x", "items").json();

        assertThat(json).doesNotContain("<", ">", "&", "'", "\u2028", "</script");
        // it is still the same data: a JSON reader gets the label back exactly
        assertThat(strings(json)).contains(ATTACK, "gas leak");
    }

    @Test
    void buildsTheChartJsConfiguration() {
        String json = Chart.line().labels(List.of("1", "2")).series("loss", Arrays.asList(0.5, null), "#2563eb")
                .axisTitle("y", "cross-entropy").withoutLegend().json();

        assertThat(json).isEqualTo("{\"type\":\"line\",\"data\":{\"labels\":[\"1\",\"2\"],\"datasets\":[{\"label\":\"loss\","
                + "\"data\":[0.5,null],\"borderColor\":\"#2563eb\",\"fill\":false,\"tension\":0.2}]},\"options\":{\"animation\":false,"
                + "\"plugins\":{\"legend\":{\"display\":false}},\"scales\":{\"y\":{\"title\":{\"display\":true,\"text\":\"cross-entropy\"}}}}}");
        assertThat(Chart.bar().stacked().series("e", List.of(Double.NaN, 1.0), "#000").json())
                .contains("\"data\":[null,1.0]").contains("\"x\":{\"stacked\":true}");
    }

    private static List<String> strings(String json) throws Exception {
        List<String> values = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING) {
                    values.add(p.getText());
                }
            }
        }
        return values;
    }
}
