package org.civitas.federation.coordinator;

import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.protocol.DatasetMetadata;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.dataset.DatasetRegistration;
import org.civitas.domain.task.TaskDefinition;
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
                              Map<String, Integer> labelHistogram, int skippedLines, String contentSha256, Instant registeredAt,
                              String task, Integer taskVersion, int version) {
    }

    @Inject
    DatasetRepository datasets;

    @Inject
    org.civitas.infrastructure.persistence.TaskRepository tasks;

    @jakarta.persistence.PersistenceContext(unitName = "civitas")
    jakarta.persistence.EntityManager em;

    @jakarta.ejb.EJB
    ParticipantProtocolService protocol;

    /**
     * Registers a site's dataset. The same name with the same content hash is accepted again
     * (idempotent); other content under the name is registered as its next version.
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
        var same = datasets.find(site.getCode(), m.name(), m.contentSha256());
        if (same.isPresent()) {
            return view(same.get());
        }
        // Other content under a known name is the name's next version; the earlier versions stay, as plans may pin them.
        int version = datasets.find(site.getCode(), m.name()).map(d -> d.getVersion() + 1).orElse(1);
        TaskDefinition task = m.task() == null ? null : taskOf(m);
        DatasetRegistration registration;
        try {
            registration = new DatasetRegistration(site, m.name(), m.samples(), m.images(), m.texts(), m.labeled(),
                    m.labelHistogram(), m.skippedLines() == null ? 0 : m.skippedLines(), m.contentSha256(), clock.instant());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("invalid dataset metadata: " + e.getMessage());
        }
        if (task != null) {
            registration.forTask(task.getName(), task.getVersion());
        }
        registration.numbered(version);
        return view(datasets.add(registration));
    }

    /** The task version a dataset names, which must know every label the dataset carries (the site checked; so does the coordinator). */
    private TaskDefinition taskOf(DatasetMetadata m) {
        TaskDefinition task = (m.taskVersion() == null ? tasks.latest(m.task()) : tasks.version(m.task(), m.taskVersion())).orElseThrow(() ->
                new InvalidRequestException("dataset '" + m.name() + "' names task '" + m.task() + "'"
                        + (m.taskVersion() == null ? "" : " version " + m.taskVersion()) + ", which is not registered"));
        java.util.Set<String> unknown = new java.util.TreeSet<>(m.labelHistogram().keySet());
        unknown.removeAll(task.getLabels());
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("dataset '" + m.name() + "' carries labels " + unknown + " that task '" + task.getName()
                    + "' v" + task.getVersion() + " does not have");
        }
        return task;
    }

    /** The task version of a site's registered dataset, for the site's own checks (the data-quality job). */
    public org.civitas.federation.protocol.TaskDefinitionMessage taskOf(SiteCaller caller, String name) {
        Site site = protocol.site(caller);
        DatasetRegistration d = datasets.find(site.getCode(), name).orElseThrow(() ->
                new org.civitas.federation.common.NotFoundException("site '" + site.getCode() + "' has no dataset '" + name + "'"));
        if (d.getTaskName() == null) {
            throw new org.civitas.federation.common.NotFoundException("dataset '" + name + "' of site '" + site.getCode()
                    + "' names no task");
        }
        return TaskService.message(tasks.version(d.getTaskName(), d.getTaskVersion()).orElseThrow());
    }

    public List<DatasetView> datasets() {
        return datasets.all().stream().map(DatasetRegistry::view).toList();
    }

    static DatasetView view(DatasetRegistration d) {
        return new DatasetView(d.getSite().getCode(), d.getSite().getEnterprise().getCode(), d.getName(), d.getSamples(),
                d.getImages(), d.getTexts(), d.getLabeled(), d.getLabelHistogram(), d.getSkippedLines(), d.getContentSha256(),
                d.getRegisteredAt(), d.getTaskName(), d.getTaskVersion(), d.getVersion());
    }
}
