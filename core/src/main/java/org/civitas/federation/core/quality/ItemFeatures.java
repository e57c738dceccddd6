package org.civitas.federation.core.quality;

import java.util.List;

/**
 * What the per-item pass measured on one manifest line, everything the checks across the dataset
 * need: the label and scenario, which modalities are present, a content hash of image bytes and
 * text, the image measures (null without a readable image), the kinds of personal data in the
 * text, a schema problem (null when the line is sound), and the text's embedding (null without text).
 */
public record ItemFeatures(int line, String id, String label, String scenario, boolean hasImage, boolean hasText,
                           String contentHash, ImageMeasures image, List<String> piiKinds, String schemaProblem,
                           float[] textEmbedding) {

    public ItemFeatures {
        piiKinds = piiKinds == null ? List.of() : List.copyOf(piiKinds);
    }

    /** The same item with its text embedding, computed in batches after the per-item pass. */
    public ItemFeatures withTextEmbedding(float[] embedding) {
        return new ItemFeatures(line, id, label, scenario, hasImage, hasText, contentHash, image, piiKinds, schemaProblem, embedding);
    }
}
