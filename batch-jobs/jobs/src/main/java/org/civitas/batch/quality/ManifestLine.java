package org.civitas.batch.quality;

import java.io.Serializable;

/** One physical line of a manifest and its number (1-based). */
public record ManifestLine(int number, String text) implements Serializable {
}
