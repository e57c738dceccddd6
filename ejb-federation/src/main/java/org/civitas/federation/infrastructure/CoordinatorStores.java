package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The coordinator's blob stores: global model versions, and the spooled updates of sites. */
@ApplicationScoped
public class CoordinatorStores {

    @Inject
    CivitasSettings settings;

    public BlobStore models() {
        return new BlobStore(settings.coordinatorDir().resolve("models"));
    }

    public BlobStore updates() {
        return new BlobStore(settings.coordinatorDir().resolve("updates"));
    }
}
