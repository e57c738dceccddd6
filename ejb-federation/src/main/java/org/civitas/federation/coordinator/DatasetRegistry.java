package org.civitas.federation.coordinator;

import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.protocol.DatasetMetadata;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.dataset.DatasetRegistration;
import org.civitas.infrastructure.persistence.DatasetRepository;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.time.Clock;

/** The coordinator's register of the sites' datasets: metadata only. */
@Stateless
public class DatasetRegistry {

    @Inject
    Clock clock;

    /** A registered dataset as the API and portal show it. */
    public record DatasetView(String site, String enterprise, String name, int samples, int images, int texts, int labeled,
                              Map<String, Integer> labelHistogram, int skippedLines, String contentSha256, Instant registeredAt) {
    }

    @Inject
    DatasetRepository datasets;

    @jakarta.persistence.PersistenceContext(unitName = "civitas")
    jakarta.persistence.EntityManager em;

    @jakarta.ejb.EJB
    ParticipantProtocolService protocol;

    /**
     * Registers a site's dataset. The same name with the same content hash is accepted again
     * (idempotent); with other content it is refused, since registrations are immutable.
     */
    public DatasetView register(SiteCaller caller, DatasetMetadata m) {
        Site site = protocol.site(caller);
        if (m == null || m.name() == null || m.samples() == null || m.images() == null || m.texts() == null
                || m.labeled() == null || m.labelHistogram() == null || m.contentSha256() == null) {
            throw new InvalidRequestException("dataset metadata needs name, samples, images, texts, labeled, labelHistogram and contentSha256");
        }
        // A site registers before every upload and its import job may register too: the site's row lock
        // serializes them, so the second finds the first's registration instead of hitting the unique key.
        org.civitas.infrastructure.persistence.EntityLocks.findForUpdate(em, Site.class, site.getId());
        var existing = datasets.find(site.getCode(), m.name());
        if (existing.isPresent()) {
            if (existing.get().getContentSha256().equals(m.contentSha256())) {
                return view(existing.get());
            }
            throw new InvalidRequestException("site '" + site.getCode() + "' already registered a dataset named '" + m.name()
                    + "' with other content; register the new content under a new name");
        }
        try {
            return view(datasets.add(new DatasetRegistration(site, m.name(), m.samples(), m.images(), m.texts(), m.labeled(),
                    m.labelHistogram(), m.skippedLines() == null ? 0 : m.skippedLines(), m.contentSha256(), clock.instant())));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("invalid dataset metadata: " + e.getMessage());
        }
    }

    public List<DatasetView> datasets() {
        return datasets.all().stream().map(DatasetRegistry::view).toList();
    }

    static DatasetView view(DatasetRegistration d) {
        return new DatasetView(d.getSite().getCode(), d.getSite().getEnterprise().getCode(), d.getName(), d.getSamples(),
                d.getImages(), d.getTexts(), d.getLabeled(), d.getLabelHistogram(), d.getSkippedLines(), d.getContentSha256(),
                d.getRegisteredAt());
    }
}
