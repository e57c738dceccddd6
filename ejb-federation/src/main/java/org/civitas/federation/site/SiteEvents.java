package org.civitas.federation.site;

/**
 * What a site tells others in the same server, as synchronous CDI events: the site does not know
 * who listens (the demo, for one, registers and checks its generated data on them).
 */
public final class SiteEvents {

    /** The site reached the coordinator on its poll. */
    public record Reached(SiteIdentity site) {
    }

    /** A manifest was imported and its dataset registered with the coordinator. */
    public record DatasetImported(SiteIdentity site, String name, String manifest, String contentSha256) {
    }

    /**
     * An upload for a round that trains on this dataset is about to claim a sample count: a
     * listener that knows the dataset and sees it unregistered registers it now.
     */
    public record DatasetNeeded(SiteIdentity site, String name) {
    }

    private SiteEvents() {
    }
}
