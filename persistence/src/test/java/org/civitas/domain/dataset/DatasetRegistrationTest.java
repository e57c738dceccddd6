package org.civitas.domain.dataset;

import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.task.TaskDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetRegistrationTest {

    private static final Site SITE = new Site("energy", "Energy site", new Enterprise("meridian-energy", "Meridian", "energy"), "t".repeat(32));
    private static final String SHA = "a".repeat(64);

    /** A histogram of {@code labels} labels of the longest length a task allows, one sample each. */
    private static Map<String, Integer> histogram(int labels) {
        Map<String, Integer> h = new LinkedHashMap<>();
        for (int i = 0; i < labels; i++) {
            h.put(String.format("%04d", i) + "x".repeat(TaskDefinition.MAX_LABEL_LENGTH - 4), 1);
        }
        return h;
    }

    @Test
    void theHistogramOfTheLargestTaskFitsItsColumn() throws Exception {
        DatasetRegistration d = new DatasetRegistration(SITE, "incidents", TaskDefinition.MAX_LABELS, 0, 0, TaskDefinition.MAX_LABELS,
                histogram(TaskDefinition.MAX_LABELS), 0, SHA, Instant.EPOCH);

        assertThat(d.getLabelHistogram()).hasSize(TaskDefinition.MAX_LABELS);
        java.lang.reflect.Field field = DatasetRegistration.class.getDeclaredField("labelHistogram");
        field.setAccessible(true);
        int column = field.getAnnotation(jakarta.persistence.Column.class).length();
        assertThat(((String) field.get(d)).length()).as("the stored JSON within the column's %d characters", column)
                .isLessThanOrEqualTo(column);
    }

    @Test
    void aHistogramOfMoreLabelsThanATaskMayHaveIsRefusedNamingTheCount() {
        assertThatThrownBy(() -> new DatasetRegistration(SITE, "incidents", 1001, 0, 0, 1001, histogram(1001), 0, SHA, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the label histogram names 1001 labels, more than the 1000 a task may have");
    }
}
