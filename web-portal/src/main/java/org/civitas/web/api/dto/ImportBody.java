package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

/**
 * A dataset to import at a site: the name to register it under, the path of its JSONL manifest
 * inside the site's folder, the task whose labels and modalities it carries (its newest version
 * unless {@code taskVersion} names one), and whether to register the valid lines and list the
 * others instead of refusing the whole manifest.
 */
public record ImportBody(@NotBlank(message = "give the name to register the dataset under") String name,
                         @NotBlank(message = "give the manifest's path inside the site's folder") String manifest,
                         @NotBlank(message = "name the task whose labels the dataset carries (GET /api/tasks)") String task,
                         @Positive(message = "taskVersion must be positive") Integer taskVersion,
                         Boolean skipBadLines) {
}
