package org.civitas.domain.task;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskDefinitionTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    private static TaskDefinition.Spec spec(List<String> labels) {
        return new TaskDefinition.Spec("spam-filter", "Tell spam from wanted mail", labels, Set.of("text"), "macro-f1");
    }

    @Test
    void keepsTheLabelsInTheirOrderAndHashesEveryDefiningField() {
        TaskDefinition task = new TaskDefinition(spec(List.of("spam", "ham", "label, with comma")), 1, "admin", NOW);
        assertThat(task.getLabels()).containsExactly("spam", "ham", "label, with comma");
        assertThat(task.getLabelCount()).isEqualTo(3);
        assertThat(task.canonicalJson()).isEqualTo("{\"description\":\"Tell spam from wanted mail\",\"labels\":[\"spam\",\"ham\","
                + "\"label, with comma\"],\"modalities\":[\"text\"],\"name\":\"spam-filter\",\"primaryMetric\":\"macro-f1\",\"version\":1}");
        assertThat(task.getSha256()).hasSize(64);
        assertThat(new TaskDefinition(spec(List.of("a", "b")), 1, "admin", NOW.plusNanos(1_234_567)).getRegisteredAt())
                .as("kept to the microsecond, as both databases store it").isEqualTo(NOW.plusNanos(1_234_000));

        // The label order is the head's: another order is another task, as is another version
        assertThat(new TaskDefinition(spec(List.of("ham", "spam", "label, with comma")), 1, "admin", NOW).getSha256())
                .isNotEqualTo(task.getSha256());
        assertThat(new TaskDefinition(spec(List.of("spam", "ham", "label, with comma")), 2, "admin", NOW).getSha256())
                .isNotEqualTo(task.getSha256());
        // Who registered it and when do not define it
        assertThat(new TaskDefinition(spec(List.of("spam", "ham", "label, with comma")), 1, "other", NOW.plusSeconds(9)).getSha256())
                .isEqualTo(task.getSha256());
    }

    @Test
    void namesEveryProblemOfASpecAtOnce() {
        TaskDefinition.Spec bad = new TaskDefinition.Spec("Spam Filter", " ", List.of("spam"), Set.of("audio"), "f2");
        assertThat(bad.problems()).containsExactly(
                "task name 'Spam Filter' must be 2-64 characters of lower-case letters, digits and '-', starting with a letter",
                "description must be 1-2000 characters",
                "labels must be 2 to 1000, was 1",
                "modalities must be some of [image, text], was [audio]",
                "primaryMetric must be one of [accuracy, macro-f1], was f2");
        assertThatThrownBy(() -> new TaskDefinition(bad, 1, "admin", NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid task: task name 'Spam Filter'");
    }

    @Test
    void refusesDuplicateAndMalformedLabels() {
        TaskDefinition.Spec twice = spec(List.of("spam", "ham", "spam", "ham", "other"));
        assertThat(twice.duplicateLabels()).containsExactly("spam", "ham");
        assertThat(twice.problems()).containsExactly("labels must be distinct; given more than once: [spam, ham]");
        assertThat(spec(List.of("spam", " ham")).problems()).singleElement().asString().startsWith("label ' ham' must be 1-64 characters with no quote");
        assertThat(spec(List.of("spam", "two\nlines")).problems()).hasSize(1);
        assertThat(spec(List.of("spam", "say \"hi\"")).problems()).hasSize(1);
        assertThat(spec(List.of("spam", "back\\slash")).problems()).hasSize(1);
        assertThat(spec(List.of("no action", "l'urgence", "a/b (c)")).problems()).isEmpty();
        assertThat(spec(List.of("spam", "x".repeat(65))).problems()).hasSize(1);
        assertThat(spec(java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "l" + i).toList()).problems())
                .containsExactly("labels must be 2 to 1000, was 1001");
        assertThat(spec(java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "l" + i).toList()).problems()).isEmpty();
    }
}
