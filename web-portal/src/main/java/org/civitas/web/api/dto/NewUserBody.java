package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;

import java.util.Set;

/** A new user; {@code enterprise} null for a consortium user. */
public record NewUserBody(
        @NotBlank(message = "give the username") String username,
        @NotBlank(message = "give the password") String password,
        String enterprise,
        @NotEmpty(message = "give at least one role") Set<String> roles) {
}
