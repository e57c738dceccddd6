package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;

/** A site to register for an enterprise; {@code name} defaults to the code. */
public record SiteBody(@NotBlank(message = "give the site's code") String code, String name,
                       @NotBlank(message = "name the site's enterprise") String enterprise) {
}
