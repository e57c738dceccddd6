package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;

/** A member enterprise to register: its code (lower case, digits, dashes), name and sector. */
public record EnterpriseBody(@NotBlank(message = "give the enterprise's code") String code,
                             @NotBlank(message = "give the enterprise's name") String name,
                             @NotBlank(message = "give the enterprise's sector") String sector) {
}
