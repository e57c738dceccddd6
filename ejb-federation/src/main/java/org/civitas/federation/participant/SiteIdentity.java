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

    public Path outbox() {
        return home.resolve("outbox");
    }

    @Override
    public String toString() {
        return "SiteIdentity[" + code + "]";
    }
}
