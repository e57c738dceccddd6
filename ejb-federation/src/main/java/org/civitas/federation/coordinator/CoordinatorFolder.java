package org.civitas.federation.coordinator;

import org.civitas.federation.common.InvalidRequestException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Paths an administrator names inside the coordinator's folder, where the coordinator's own data lies. */
final class CoordinatorFolder {

    private CoordinatorFolder() {
    }

    /**
     * The manifest at {@code manifest}, relative to {@code root}.
     *
     * @throws InvalidRequestException when the path is missing, absolute, or leads (by {@code ..} or a link) out of the folder
     */
    static Path manifestInside(Path root, String manifest) {
        if (manifest == null) {
            throw new InvalidRequestException("manifest: name a path inside the coordinator's folder");
        }
        try {
            Path file = root.resolve(manifest).normalize();
            if (Path.of(manifest).isAbsolute() || !file.startsWith(root)
                    || (Files.exists(file) && !file.toRealPath().startsWith(root.toRealPath()))) {
                throw new InvalidRequestException("manifest path '" + manifest + "' leaves the coordinator's folder");
            }
            return file;
        } catch (InvalidPathException | IOException e) {
            throw new InvalidRequestException("manifest path '" + manifest + "' is not a readable path: " + e.getMessage());
        }
    }
}
