package org.civitas.federation.infrastructure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Logger;

/** Folders a job or request works in and leaves behind: removed whole, a file that resists only logged. */
public final class WorkFolders {

    private static final Logger LOG = Logger.getLogger(WorkFolders.class.getName());

    private WorkFolders() {
    }

    /** Deletes the folder and everything in it, if it exists; what cannot be deleted is logged, never thrown. */
    public static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (var files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    LOG.warning("cannot delete " + f + ": " + e);
                }
            });
        } catch (IOException e) {
            LOG.warning("cannot clear " + folder + ": " + e);
        }
    }
}
