package org.civitas.web.api.dto;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

import java.util.Map;

/**
 * A data-quality run to start: the dataset's name, its manifest inside the site's folder, threshold
 * changes (by name), the lines per partition of the job (default 200), and the task whose labels
 * the items are checked against: the one named, or else the task the dataset is registered for (a
 * dataset checked before its import names its task).
 */
public record QualityRunBody(
        @NotBlank(message = "give the dataset's registered name") String dataset,
        @NotBlank(message = "give the manifest's path inside the site's folder") String manifest,
        Map<String, Double> thresholds,
        @Min(value = 10, message = "shardLines must be in [10, 100000]") @Max(value = 100_000, message = "shardLines must be in [10, 100000]")
        Integer shardLines,
        String task,
        @Positive(message = "taskVersion must be positive") Integer taskVersion) {
}
