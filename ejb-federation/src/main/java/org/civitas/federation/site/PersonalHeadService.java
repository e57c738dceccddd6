package org.civitas.federation.site;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.personal.PersonalHead;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.schedule.TrainingCalendar;
import org.civitas.federation.protocol.ReleasedModel;
import org.civitas.infrastructure.persistence.PersonalHeadRepository;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Personal heads at a site (FedRep's personal step): a data steward of the site's enterprise trains
 * the head of a released version on the site's own data in the {@code personal-head} job, inside
 * the site's training window, and sees how it does against the global version on the site's
 * held-out data. The site's staff may then ask for predictions with it
 * ({@link PredictionService.Request#personalHead}).
 */
@Stateless
public class PersonalHeadService {

    public static final String JOB = "personal-head";
    public static final int DEFAULT_EPOCHS = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * The version whose head to train (its model's sha256), the training manifest and the held-out
     * one inside the site's folder (held-out optional: without it, nothing is compared), and the epochs.
     */
    public record Request(String version, String dataset, String heldout, Integer epochs) {
    }

    public record HeadView(long id, String site, String version, long federation, int modelVersion, String dataset, String heldout,
                           int epochs, String status, int stepsDone, int stepsTotal, Integer trainSamples, Integer heldoutSamples,
                           Double globalMacroF1, Double personalMacroF1, Double globalAccuracy, Double personalAccuracy, String message,
                           String requestedBy, Instant startedAt, Instant finishedAt) {
    }

    @EJB
    PersonalHeads heads;

    @Inject
    PersonalHeadRepository repository;

    @Inject
    HostedSites hostedSites;

    @Inject
    ReleasedModels releasedModels;

    @EJB
    TrainingWindowService windows;

    @EJB
    SiteStaff staff;

    @Inject
    Clock clock;

    /**
     * @throws InvalidRequestException naming the field that is wrong
     * @throws NotFoundException       when the version is not released now
     * @throws ConflictException       outside the site's training window
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public HeadView start(Caller caller, String siteCode, Request request) {
        staff.requireDataSteward(caller, siteCode);
        if (request == null || request.version() == null || !SHA256.matcher(request.version()).matches()) {
            throw new InvalidRequestException("version: the sha256 of a released model version (64 lowercase hex digits) is required");
        }
        if (request.dataset() == null || request.dataset().isBlank()) {
            throw new InvalidRequestException("dataset: give the training manifest's path inside the site's folder");
        }
        int epochs = request.epochs() == null ? DEFAULT_EPOCHS : request.epochs();
        if (epochs < 1 || epochs > 100) {
            throw new InvalidRequestException("epochs: must be in [1, 100], was " + epochs);
        }
        SiteIdentity site = hostedSites.identity(siteCode);
        ReleasedModel version = releasedModels.find(site, request.version())
                .orElseThrow(() -> new NotFoundException("version " + request.version() + " is not a released model version"));
        hostedSites.existingManifest(siteCode, request.dataset());
        boolean heldout = request.heldout() != null && !request.heldout().isBlank();
        if (heldout) {
            hostedSites.existingManifest(siteCode, request.heldout());
        }
        TrainingCalendar calendar = windows.calendar(siteCode);
        Instant now = clock.instant();
        if (!calendar.isOpen(now)) {
            throw new ConflictException("site " + siteCode + " trains inside its windows only; the next opens "
                    + calendar.nextOpening(now).map(Instant::toString).orElse("never"));
        }
        PersonalHead head = heads.create(new PersonalHead(siteCode, version.modelSha256(), version.manifestSha256(), version.federationId(),
                version.version(), Path.of(request.dataset()).normalize().toString(),
                heldout ? Path.of(request.heldout()).normalize().toString() : null, epochs, caller.username(), now));
        Properties params = new Properties();
        params.setProperty("headId", Long.toString(head.getId()));
        try {
            heads.executionIs(head.getId(), BatchRuntime.getJobOperator().start(JOB, params));
        } catch (RuntimeException e) {
            heads.failed(head.getId(), "the batch runtime cannot run " + JOB + ": " + e.getMessage());
            throw e;
        }
        return view(heads.get(head.getId()));
    }

    public List<HeadView> heads(Caller caller, String siteCode) {
        staff.requireModelUser(caller, siteCode);
        return repository.heads(siteCode, 50).stream().map(PersonalHeadService::view).toList();
    }

    public HeadView head(Caller caller, String siteCode, long id) {
        staff.requireModelUser(caller, siteCode);
        return view(find(siteCode, id));
    }

    /**
     * The state a prediction with a personal head answers with: the site's own head, trained, on the
     * version asked for.
     *
     * @throws NotFoundException       when the site has no such head
     * @throws InvalidRequestException when it is not trained, or is of another version
     */
    public Path servedState(SiteIdentity site, long id, String version) {
        PersonalHead head = find(site.code(), id);
        if (head.getStatus() != PersonalHead.Status.COMPLETED) {
            throw new InvalidRequestException("personalHead: personal head " + id + " is " + head.getStatus() + ", not trained");
        }
        if (!head.getModelSha256().equals(version)) {
            throw new InvalidRequestException("personalHead: personal head " + id + " is of version " + head.getModelSha256()
                    + ", not " + version);
        }
        return site.home().resolve(head.getStateFile());
    }

    private PersonalHead find(String siteCode, long id) {
        staff.hosted(siteCode);
        return repository.find(id).filter(h -> h.getSiteCode().equals(siteCode))
                .orElseThrow(() -> new NotFoundException("site '" + siteCode + "' has no personal head " + id));
    }

    static HeadView view(PersonalHead h) {
        return new HeadView(h.getId(), h.getSiteCode(), h.getModelSha256(), h.getFederationId(), h.getModelVersion(), h.getDataset(),
                h.getHeldout(), h.getEpochs(), h.getStatus().name(), h.getStepsDone(), h.getStepsTotal(), h.getTrainSamples(),
                h.getHeldoutSamples(), h.getGlobalMacroF1(), h.getPersonalMacroF1(), h.getGlobalAccuracy(), h.getPersonalAccuracy(),
                h.getMessage(), h.getRequestedBy(), h.getStartedAt(), h.getFinishedAt());
    }
}
