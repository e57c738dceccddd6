package org.civitas.federation.core.quality;

import java.util.Locale;

/** The data-quality checks; a finding names one. */
public enum Check {
    SCHEMA_ERROR,
    MISSING_MODALITY,
    EXACT_DUPLICATE,
    NEAR_DUPLICATE,
    LABEL_NOISE,
    CROSS_MODAL_MISMATCH,
    PII,
    BLURRED_IMAGE,
    UNDEREXPOSED_IMAGE,
    OVEREXPOSED_IMAGE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether an item with this finding is left out of the curated manifest (PII is redacted instead). */
    public boolean excludes() {
        return this != PII;
    }
}
