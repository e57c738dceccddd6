package org.civitas.federation.participant;

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
     * A manifest path given relative to the site's folder, resolved; a path that is absolute or
     * leads out of the folder is refused, so a request cannot reach another site's data.
     */
    public Path manifestInSite(String manifest) {
        Path root = home.toAbsolutePath().normalize();
        Path file = root.resolve(manifest).normalize();
        if (Path.of(manifest).isAbsolute() || !file.startsWith(root)) {
            throw new org.civitas.federation.application.InvalidRequestException("manifest path '" + manifest + "' leaves the site's folder");
        }
        return file;
    }

    public Path outbox() {
        return home.resolve("outbox");
    }

    @Override
    public String toString() {
        return "SiteIdentity[" + code + "]";
    }
}
