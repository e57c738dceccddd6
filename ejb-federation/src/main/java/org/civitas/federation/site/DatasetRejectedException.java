package org.civitas.federation.site;

import jakarta.ejb.ApplicationException;
import org.civitas.federation.core.dataset.ManifestImporter;

import java.util.List;

/** A manifest refused whole, with every bad line. */
@ApplicationException(rollback = true)
public class DatasetRejectedException extends RuntimeException {

    private final List<ManifestImporter.LineError> lines;

    public DatasetRejectedException(String message, List<ManifestImporter.LineError> lines) {
        super(message);
        this.lines = List.copyOf(lines);
    }

    public List<ManifestImporter.LineError> lines() {
        return lines;
    }
}
