package org.civitas.federation.core.quality;

import org.civitas.federation.core.json.JsonTree;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The coordinator takes a site's quality report only with known fields, known check names and bounded numbers. */
class QualityReportCheckTest {

    private static final String BINS = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";

    private static String report(String findings, String extra) {
        return "{\"items\": 100, \"flaggedItems\": 7, \"redactedItems\": 2, \"curatedItems\": 93, \"findings\": " + findings
                + ", \"scoreHistograms\": {\"label_noise\": " + BINS + "}, \"sharpnessHistogram\": " + BINS
                + ", \"luminanceHistogram\": " + BINS + ", \"textLabelAgreement\": 0.91"
                + ", \"thresholds\": {\"nearDuplicateText\": 0.9, \"neighbours\": 10, \"blurRatio\": 0.15}" + extra + "}";
    }

    @Test
    void acceptsWhatASiteSends() {
        assertThat(QualityReportCheck.check(JsonTree.parse(report("{\"label_noise\": 4, \"pii\": 2, \"blurred_image\": 1}", ""))))
                .isEqualTo(100);
    }

    @Test
    void refusesScriptInACheckNameUnknownFieldsAndNumbersOutOfBounds() {
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{\"</script><script>alert(1)</script>\": 4}", ""))))
                .hasMessageStartingWith("findings names an unknown check '</script><script>alert(1)</script>'");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{}", ", \"samples\": [\"a.png\"]"))))
                .hasMessage("a quality report carries aggregates only; unknown field 'samples'");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{\"pii\": 1000}", ""))))
                .hasMessage("findings.pii must be a whole number in [0, 100], was 1000");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{\"pii\": -1}", ""))))
                .hasMessageContaining("findings.pii must be a whole number");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{\"pii\": 1.5}", ""))))
                .hasMessageContaining("findings.pii must be a whole number");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{}", "").replace("\"textLabelAgreement\": 0.91",
                "\"textLabelAgreement\": 7")))).hasMessage("textLabelAgreement must be a share in [0, 1], was 7");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{}", "").replace("\"blurRatio\": 0.15",
                "\"blurRatio\": 15")))).hasMessageContaining("quality threshold 'blurRatio' must be in [0, 1]");
    }

    @Test
    void refusesAnIncompleteReportOrHistogramsOfTheWrongSize() {
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse("{\"items\": 5, \"flaggedItems\": 1}")))
                .hasMessage("a quality report needs [curatedItems, findings, luminanceHistogram, redactedItems, sharpnessHistogram]");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse(report("{}", "").replace("\"sharpnessHistogram\": " + BINS,
                "\"sharpnessHistogram\": [1, 2]")))).hasMessage("sharpnessHistogram must be a list of 10 counts");
        assertThatThrownBy(() -> QualityReportCheck.check(JsonTree.parse("[1]"))).hasMessage("a quality report must be a JSON object");
    }
}
