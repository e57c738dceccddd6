package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;

/**
 * A dataset to import at a site: the name to register it under, the path of its JSONL manifest
 * inside the site's folder, and whether to register the valid lines and list the others instead
 * of refusing the whole manifest.
 */
public record ImportBody(@NotBlank(message = "give the name to register the dataset under") String name,
                         @NotBlank(message = "give the manifest's path inside the site's folder") String manifest,
                         Boolean skipBadLines) {
}
