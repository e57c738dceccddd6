package org.civitas.federation.site;

import java.nio.file.Path;

/**
 * Who a hosted site is and where its private files live.
 *
 * @param code  the site's code in the consortium
 * @param token the secret the site presents to the coordinator
 * @param home  the site's own folder (data, outbox, identity)
 */
public record SiteIdentity(String code, String token, Path home) {

    public Path dataFile() {
        return home.resolve("data").resolve("train.csv");
    }

    /**
     * A manifest path given relative to the site's folder, resolved to its real path; a path that is
     * absolute or leads out of the folder, by its name or through a symbolic link (of the file or of
     * any folder on the way), is refused, so a request cannot reach another site's data or files
     * outside the site. A path that does not exist yet is returned as named, for the caller to report.
     */
    public Path manifestInSite(String manifest) {
        Path root = home.toAbsolutePath().normalize();
        Path file;
        try {
            file = root.resolve(manifest).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new org.civitas.federation.common.InvalidRequestException("manifest path '" + manifest + "' is not a valid path");
        }
        if (Path.of(manifest).isAbsolute() || !file.startsWith(root)) {
            throw new org.civitas.federation.common.InvalidRequestException("manifest path '" + manifest + "' leaves the site's folder");
        }
        if (!java.nio.file.Files.exists(file)) {
            return file;
        }
        Path real = realPathInSite(file);
        if (real == null) {
            throw new org.civitas.federation.common.InvalidRequestException("manifest path '" + manifest
                    + "' leaves the site's folder through a symbolic link");
        }
        return real;
    }

    /** The file's real path when it lies inside the site's real folder, else null (it leads out through a link). */
    public Path realPathInSite(Path file) {
        try {
            Path realRoot = home.toRealPath();
            Path real = file.toRealPath();
            return real.startsWith(realRoot) ? real : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot resolve " + file, e);
        }
    }

    public Path outbox() {
        return home.resolve("outbox");
    }

    @Override
    public String toString() {
        return "SiteIdentity[" + code + "]";
    }
}
