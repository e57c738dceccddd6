package org.civitas.federation.infrastructure;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This server among the coordinators that share a database: its configured name (or host name)
 * and a suffix drawn at each start, so a restarted server is a new claimant and two servers on one
 * host are told apart.
 */
@ApplicationScoped
public class CoordinatorNode {

    @Inject
    CivitasSettings settings;

    private String name;

    @PostConstruct
    void draw() {
        byte[] suffix = new byte[4];
        ThreadLocalRandom.current().nextBytes(suffix);
        name = settings.nodeName() + "-" + HexFormat.of().formatHex(suffix);
    }

    public String name() {
        return name;
    }
}
