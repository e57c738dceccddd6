package org.civitas.batch.scoring;

import java.io.Serializable;

/** One non-blank line of the manifest being scored, with its number (from 1). */
public record ScoredLine(int line, String text) implements Serializable {
}
