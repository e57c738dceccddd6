package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;

/** The Ed25519 public key (X.509, Base64) a site signs its updates with. */
public record SigningKeyBody(@NotBlank(message = "give the site's Ed25519 public key, Base64") String publicKey) {
}
