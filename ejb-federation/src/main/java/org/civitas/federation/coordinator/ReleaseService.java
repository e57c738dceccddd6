package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.registry.ModelRelease;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.domain.security.Role;
import org.civitas.federation.protocol.ReleasedModel;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Which model versions the consortium may put to use: the consortium administrator proposes an
 * evaluated version, one of the consortium's compliance officers who is not the proposer approves
 * or rejects it, and a released version can be withdrawn with a reason. Every step is audited.
 */
@Stateless
public class ReleaseService {

    /** A release with the version it is of and the evaluation attached to its proposal. */
    public record ReleaseView(long id, long federationId, int version, String modelSha256, String status, String evalSplit,
                              double evalAccuracy, double evalMacroF1, String note, String proposedBy, Instant proposedAt,
                              String decidedBy, Instant decidedAt, String decisionComment, String withdrawnBy, Instant withdrawnAt,
                              String withdrawalReason) {
    }

    @Inject
    Clock clock;

    @Inject
    ModelRegistryRepository registry;

    @EJB
    AuditService audit;

    public boolean mayPropose(Caller caller) {
        return caller.has(Role.CONSORTIUM_ADMIN);
    }

    /** The consortium's compliance officers decide releases: a release concerns every member. */
    public boolean mayDecide(Caller caller) {
        return caller.has(Role.COMPLIANCE_OFFICER) && caller.isConsortium();
    }

    public ReleaseView propose(Caller caller, long federationId, int versionNumber, String note) {
        caller.require("propose model releases", Role.CONSORTIUM_ADMIN);
        ModelVersion version = registry.version(federationId, versionNumber).orElseThrow(() ->
                new NotFoundException("federation " + federationId + " has no model version " + versionNumber));
        registry.openReleases(version.getId()).stream().findFirst().ifPresent(open -> {
            throw new ConflictException("version " + versionNumber + " of federation " + federationId + " is already "
                    + open.getStatus() + " (release " + open.getId() + ")");
        });
        ModelRelease release;
        try {
            release = registry.addRelease(new ModelRelease(version, note, caller.username(), clock.instant()));
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "model.release.proposed", subject(release), String.format(Locale.ROOT,
                "model %s, %s: accuracy %.4f, macro-F1 %.4f; %s", version.getSha256(), release.getEvalSplit(), release.getEvalAccuracy(),
                release.getEvalMacroF1(), release.getNote()));
        return view(release);
    }

    public ReleaseView decide(Caller caller, long id, boolean approve, String comment) {
        if (!mayDecide(caller)) {
            throw new ForbiddenException("only the consortium's compliance officers decide model releases; " + caller.username()
                    + " is not one");
        }
        ModelRelease release = find(id);
        if (caller.username().equals(release.getProposedBy())) {
            throw new ForbiddenException("user " + caller.username() + " proposed release " + id + " and cannot decide it: four eyes");
        }
        try {
            release.decide(caller.username(), approve, comment, clock.instant());
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), approve ? "model.release.approved" : "model.release.rejected", subject(release),
                release.getDecisionComment());
        return view(release);
    }

    /** Takes a released version out of use: the consortium administrator or a consortium compliance officer. */
    public ReleaseView withdraw(Caller caller, long id, String reason) {
        if (!mayPropose(caller) && !mayDecide(caller)) {
            throw new ForbiddenException("only the consortium administrator or its compliance officers withdraw model releases");
        }
        ModelRelease release = find(id);
        try {
            release.withdraw(caller.username(), reason, clock.instant());
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "model.release.withdrawn", subject(release), release.getWithdrawalReason());
        return view(release);
    }

    public List<ReleaseView> releases() {
        return registry.releases().stream().map(ReleaseService::view).toList();
    }

    @Inject
    org.civitas.federation.infrastructure.CoordinatorStores stores;

    /**
     * The versions released now (not proposed, rejected or withdrawn) of models a worker runs (those
     * with a manifest), then those imported from signed bundles and not withdrawn here.
     */
    public List<ReleasedModel> released() {
        List<ReleasedModel> released = new java.util.ArrayList<>(registry.releases().stream()
                .filter(r -> r.getStatus() == ModelRelease.Status.RELEASED)
                .filter(r -> r.getVersion().getFederation().getPlan().getModelManifestSha256() != null)
                .map(r -> new ReleasedModel(r.getId(), r.getVersion().getFederation().getId(), r.getVersion().getVersionNumber(),
                        r.getVersion().getSha256(), r.getVersion().getFederation().getPlan().getModelManifestSha256(), r.getEvalSplit(),
                        r.getEvalMacroF1(), null))
                .toList());
        registry.imported().stream().filter(i -> i.getStatus() == org.civitas.domain.registry.ImportedModel.Status.IMPORTED)
                .map(i -> new ReleasedModel(i.getSourceReleaseId(), i.getSourceFederation(), i.getSourceVersion(), i.getModelSha256(),
                        i.getManifestSha256(), i.getEvalSplit(), i.getEvalMacroF1(), i.getSignerFingerprint()))
                .forEach(released::add);
        return released;
    }

    /**
     * The state of a released version, by its hash.
     *
     * @throws NotFoundException when no version of that hash is released now: only released versions are served
     */
    public byte[] releasedState(String modelSha256) {
        ReleasedModel model = released().stream().filter(r -> r.modelSha256().equals(modelSha256)).findFirst()
                .orElseThrow(() -> new NotFoundException("no released model version has sha256 " + modelSha256));
        return stores.models().get(model.modelSha256());
    }

    private ModelRelease find(long id) {
        return registry.releaseForUpdate(id).orElseThrow(() -> new NotFoundException("release " + id + " does not exist"));
    }

    private static String subject(ModelRelease r) {
        return "release " + r.getId() + " of federation " + r.getVersion().getFederation().getId() + " version "
                + r.getVersion().getVersionNumber();
    }

    static ReleaseView view(ModelRelease r) {
        ModelVersion v = r.getVersion();
        return new ReleaseView(r.getId(), v.getFederation().getId(), v.getVersionNumber(), v.getSha256(), r.getStatus().name(),
                r.getEvalSplit(), r.getEvalAccuracy(), r.getEvalMacroF1(), r.getNote(), r.getProposedBy(), r.getProposedAt(),
                r.getDecidedBy(), r.getDecidedAt(), r.getDecisionComment(), r.getWithdrawnBy(), r.getWithdrawnAt(),
                r.getWithdrawalReason());
    }
}
