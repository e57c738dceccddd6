package org.civitas.federation.core.dataset;

import java.util.Map;

/**
 * One line of a dataset manifest.
 *
 * @param id       unique within the manifest
 * @param image    image path relative to the manifest's folder, or null
 * @param text     free text, or null
 * @param label    one of the task's labels, or null when unlabeled
 * @param scenario free tag (for example the kind of place), or null
 * @param meta     free string metadata
 */
public record Sample(String id, String image, String text, String label, String scenario, Map<String, String> meta) {

    public Sample {
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public boolean hasImage() {
        return image != null;
    }

    public boolean hasText() {
        return text != null && !text.isBlank();
    }
}
