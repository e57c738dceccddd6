package org.civitas.federation.coordinator;

import org.civitas.domain.security.Role;

import org.civitas.federation.common.Caller;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.SecureAggregationProtocol;
import org.civitas.federation.protocol.UpdateMetadata;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.RoundStatus;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.domain.federation.UpdateRejectedException.Reason;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.SpooledUpload;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Instant;
import java.util.List;
import java.time.Clock;

/**
 * The coordinator's side of the participant protocol: a site lists its open round tasks,
 * downloads a round's global state, and uploads its update. Every refusal names its reason and
 * leaves nothing stored.
 */
@Stateless
public class ParticipantProtocolService {

    @Inject
    Clock clock;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    CoordinatorStores stores;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @jakarta.ejb.EJB
    AuditService audit;

    @jakarta.ejb.EJB
    SecureAggregationService secureAggregation;

    @Inject
    org.civitas.infrastructure.persistence.DatasetRepository datasets;

    /**
     * Checks a site's token once per request (the web layer's site filter calls this); the
     * services then take the {@link SiteCaller} it returns.
     */
    public SiteCaller authenticate(String siteCode, String token) {
        if (siteCode == null || siteCode.isBlank()) {
            throw new UpdateRejectedException(Reason.UNKNOWN_SITE, "no site named: send the X-Civitas-Site header");
        }
        Site site = consortium.site(siteCode).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_SITE, "unknown site '" + siteCode + "'"));
        if (!site.acceptsToken(token)) {
            throw new UpdateRejectedException(Reason.UNKNOWN_SITE, "wrong or missing token for site '" + siteCode + "'");
        }
        return new SiteCaller(site.getCode());
    }

    /** The calling site's entity, read in the caller's transaction. */
    public Site site(SiteCaller caller) {
        return consortium.site(caller.code()).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_SITE, "unknown site '" + caller.code() + "'"));
    }

    /** The open rounds the site takes part in and has not yet answered. */
    /**
     * A site's poll: its tasks, and how soon it should ask again. A site with a round open in any
     * federation it belongs to asks again in a second (the next round opens as this one closes); an
     * idle one in {@code civitas.participant.idle-poll-seconds}, so a hundred idle sites cost a few
     * requests a second, not a hundred.
     */
    public record Poll(List<RoundTask> tasks, int pollAfterSeconds) {
    }

    public Poll poll(SiteCaller caller) {
        Site site = site(caller);
        List<Round> open = federations.openRoundsFor(site.getCode());
        // Which rounds the site answered, asked of the database at once rather than of each round's receipts.
        java.util.Set<Long> answered = federations.roundsAnsweredBy(site.getCode(), open);
        List<RoundTask> tasks = open.stream().filter(r -> r.isOpenTo(site.getCode()) && !answered.contains(r.getId()))
                .map(r -> task(r, site)).toList();
        return new Poll(tasks, open.isEmpty() ? settings.idlePollSeconds() : 1);
    }

    /**
     * What decides the sites' tasks ({@link FederationRepository#roundsMark()}). A held poll reads it
     * before the poll that found nothing, so any change after that poll shows as a different mark.
     */
    public FederationRepository.RoundsMark roundsMark() {
        return federations.roundsMark();
    }

    public RoundTask task(SiteCaller caller, long federationId, int roundNumber) {
        Site site = site(caller);
        return task(round(site, federationId, roundNumber), site);
    }

    /**
     * The file of the global state a round starts from, the model version of the round before:
     * streamed to the site from disk, since every site of a round asks for it at about once.
     */
    public java.nio.file.Path globalState(SiteCaller caller, long federationId, int roundNumber) {
        Site site = site(caller);
        round(site, federationId, roundNumber).requireMayTrain(site);
        return stores.models().file(startVersion(federationId, roundNumber).getSha256());
    }

    /**
     * Checks and records a site's update: the site must be a participant, the round open, the
     * update its first, its tensors exactly the global state's names and shapes, all finite.
     */
    /**
     * How an upload was signed: the nonce, the signature (Base64) and the metadata part's exact
     * bytes, which the signature covers with the tensors. All null for an unsigned upload.
     */
    public record Signed(String nonce, String signature, byte[] metadata) {
    }

    @Inject
    org.civitas.federation.infrastructure.CivitasMetrics metrics;

    /** Writes an upload's tensors part to the coordinator's spool as it arrives (see {@link CoordinatorStores#spool}). */
    public SpooledUpload spool(java.io.InputStream tensors, long maxBytes) {
        return stores.spool(tensors, maxBytes);
    }

    /**
     * Checks and records a site's update, spooled to disk as it arrived ({@link #spool}): the tensors
     * are read from the file mapped off the heap, and the file becomes the stored update.
     */
    public Views.ReceiptView acceptUpdate(SiteCaller caller, long federationId, int roundNumber,
                                          UpdateMetadata metadata, SpooledUpload body, long maxBytes, Signed signed) {
        Site site = site(caller);
        if (body.sizeBytes() > maxBytes) {
            throw new UpdateRejectedException(Reason.TOO_LARGE, "update of " + body.sizeBytes() + " bytes exceeds the limit of " + maxBytes);
        }
        boolean verified = verifySignature(site, federationId, roundNumber, signed, body.sha256());
        Round round = federations.roundForUpdate(federationId, roundNumber).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_ROUND, "federation " + federationId + " has no round " + roundNumber));
        Instant now = clock.instant();
        Strategy strategy = ModelCatalog.strategy(round.getFederation().getPlan());
        int staleness = 0;
        if (round.getStatus() != RoundStatus.OPEN && strategy.acceptsStaleUpdates()) {
            // Asynchronous rule: the update, trained for a closed round, counts in the open one.
            Round open = round.getFederation().openRound().flatMap(r -> federations.roundForUpdate(federationId, r.getNumber()))
                    .orElse(null);
            if (open != null) {
                staleness = open.getNumber() - round.getNumber();
                round = open;
            }
        }
        round.requireCanAccept(site, now);
        if (metadata == null || metadata.sampleCount() == null || metadata.trainLoss() == null || metadata.globalLoss() == null) {
            throw new UpdateRejectedException(Reason.INVALID_METADATA, "metadata needs sampleCount, trainLoss and globalLoss");
        }
        requireSampleCountWithinDataset(site, round.getFederation().getPlan(), metadata.sampleCount());
        // Under the round's lock, so one round checks one update at a time: the heap holds one update's values, not every upload's.
        if (round.getFederation().getPlan().isSecureAggregation()) {
            // Only the masked vector arrives; it cannot be checked beyond its length, by design.
            NamedTensors global = SafeTensors.read(stores.models().map(startVersion(federationId, roundNumber).getSha256())).tensors();
            secureAggregation.checkMasked(round, site, body.map(), body.sha256(), global);
        } else {
            try {
                NamedTensors update = SafeTensors.read(body.map()).tensors();
                NamedTensors global = SafeTensors.read(stores.models().map(startVersion(federationId, roundNumber).getSha256())).tensors();
                strategy.validateUpdate(global, update);
            } catch (IllegalArgumentException e) {
                throw new UpdateRejectedException(Reason.INVALID_TENSORS, e.getMessage());
            }
        }
        String key = body.sha256();
        UpdateReceipt receipt = round.acceptStale(site, new UpdateReceipt.Content(metadata.sampleCount(), metadata.trainLoss(),
                metadata.globalLoss(), key, body.sizeBytes(), key), staleness, now);
        receipt.reportGlobalAccuracy(metadata.globalAccuracy());
        if (round.getSecaggPhase() != null) {
            secureAggregation.advanceEarly(round);
        }
        receipt.reportHeldoutMacroF1(metadata.heldoutMacroF1());
        // Stored last, once every check has passed; a failed commit leaves at most an unreferenced file.
        stores.updates().put(body.file(), key);
        audit.record("site:" + site.getCode(), "update.accepted", "federation " + federationId + " round " + round.getNumber(),
                "sha256 " + key + ", " + body.sizeBytes() + " bytes, " + metadata.sampleCount() + " samples"
                        + (staleness > 0 ? ", staleness " + staleness : "")
                        + (verified ? ", signed by Ed25519 key " + UpdateSignature.fingerprint(site.getSigningKey()) : ", unsigned"));
        metrics.updateReceived(site.getCode(), body.sizeBytes());
        return Views.of(receipt);
    }

    /**
     * The sample count is the site's FedAvg weight, and the site states it: unchecked, one site could
     * claim a billion samples and replace the average with its own update. It must lie between 1
     * and the samples of the dataset the plan trains on, as the site registered it.
     */
    private void requireSampleCountWithinDataset(Site site, FederationPlan plan, long claimed) {
        FederationPlan.DatasetPin pin = FederationService.trainingDataset(plan, site.getCode());
        String dataset = pin.name();
        int registered = (pin.sha256() == null ? datasets.find(site.getCode(), dataset) : datasets.find(site.getCode(), dataset, pin.sha256()))
                .map(d -> d.getSamples()).orElseThrow(() ->
                new UpdateRejectedException(Reason.INVALID_METADATA, "site '" + site.getCode() + "' has registered no dataset '"
                        + dataset + "', which this federation trains on: register it before sending updates"));
        if (claimed < 1 || claimed > registered) {
            throw new UpdateRejectedException(Reason.INVALID_METADATA, "sampleCount " + claimed + " is outside [1, " + registered
                    + "]: site '" + site.getCode() + "' registered " + registered + " samples in dataset '" + dataset + "'");
        }
    }

    /**
     * A site with a registered key must sign; the signature must verify for exactly this update,
     * and its nonce must be new for the round. Answers whether the update was signed.
     */
    private boolean verifySignature(Site site, long federationId, int roundNumber, Signed signed, String tensorsSha256) {
        boolean presented = signed != null && (signed.nonce() != null || signed.signature() != null);
        if (site.getSigningKey() == null) {
            if (settings.requireSignedUpdates()) {
                throw new UpdateRejectedException(Reason.BAD_SIGNATURE, "site '" + site.getCode() + "' has registered no signing key,"
                        + " and this coordinator takes signed updates only");
            }
            if (presented) {
                throw new UpdateRejectedException(Reason.BAD_SIGNATURE, "site '" + site.getCode() + "' signed an update but has"
                        + " registered no signing key to check it with");
            }
            return false;
        }
        if (!presented || signed.nonce() == null || signed.signature() == null) {
            throw new UpdateRejectedException(Reason.BAD_SIGNATURE, "site '" + site.getCode() + "' signs its updates: send the "
                    + "X-Civitas-Nonce and X-Civitas-Signature headers");
        }
        try {
            UpdateSignature.requireNonce(signed.nonce());
        } catch (IllegalArgumentException e) {
            throw new UpdateRejectedException(Reason.BAD_SIGNATURE, "X-Civitas-Nonce: " + e.getMessage());
        }
        if (!UpdateSignature.verifyHashed(UpdateSignature.publicKey(site.getSigningKey()), signed.signature(), site.getCode(), federationId,
                roundNumber, signed.nonce(), tensorsSha256, signed.metadata())) {
            throw new UpdateRejectedException(Reason.BAD_SIGNATURE, "the signature does not verify with the key of site '"
                    + site.getCode() + "' for this update (federation " + federationId + ", round " + roundNumber + ")");
        }
        if (!consortium.recordNonce(site.getCode(), federationId, roundNumber, signed.nonce(), clock.instant())) {
            throw new UpdateRejectedException(Reason.REPLAYED, "site '" + site.getCode() + "' already sent nonce " + signed.nonce()
                    + " for federation " + federationId + " round " + roundNumber + ": a replayed upload is refused");
        }
        return true;
    }

    /** Registers the authenticated site's signing key on first use; another key needs an administrator to clear the old one. */
    public String registerSigningKey(SiteCaller caller, String publicKey) {
        Site site = site(caller);
        try {
            UpdateSignature.publicKey(publicKey);
            if (site.registerSigningKey(publicKey)) {
                audit.record("site:" + site.getCode(), "site.signing-key.registered", "site " + site.getCode(),
                        "Ed25519 key " + UpdateSignature.fingerprint(publicKey));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("signing key: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
        return UpdateSignature.fingerprint(publicKey);
    }

    /** An administrator clears a site's signing key (lost or compromised); the site registers its new one on its next poll. */
    public void clearSigningKey(String siteCode, Caller caller) {
        caller.require("clear a site's signing key", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        Site site = consortium.site(siteCode).orElseThrow(() -> new NotFoundException("site '" + siteCode + "' is not registered"));
        site.clearSigningKey();
        audit.record(actor, "site.signing-key.cleared", "site " + siteCode, "the site registers a new key on its next poll");
    }

    private Round round(Site site, long federationId, int roundNumber) {
        Round round = federations.round(federationId, roundNumber).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_ROUND, "federation " + federationId + " has no round " + roundNumber));
        if (!round.getFederation().getPlan().includes(site)) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT,
                    "site '" + site.getCode() + "' is not a participant of federation " + federationId);
        }
        return round;
    }

    private ModelVersion startVersion(long federationId, int roundNumber) {
        return registry.version(federationId, roundNumber - 1).orElseThrow(() ->
                new IllegalStateException("federation " + federationId + " lacks model version " + (roundNumber - 1)));
    }

    private RoundTask task(Round round, Site site) {
        FederationPlan plan = round.getFederation().getPlan();
        java.util.Map<String, Double> extra = new java.util.HashMap<>(ModelCatalog.strategy(plan).configureFit(round.getNumber()));
        if (plan.isSecureAggregation()) {
            extra.put(SecureAggregationProtocol.THRESHOLD, (double) plan.getSecaggThreshold());
            extra.put(SecureAggregationProtocol.FRACTION_BITS, (double) plan.getSecaggFractionBits());
            extra.put(SecureAggregationProtocol.WEIGHT_BY_SAMPLES, plan.isDifferentiallyPrivate() ? 0.0 : 1.0);
        }
        long seed = 31L * (31L * round.getFederation().seedBase() + round.getNumber()) + site.getCode().hashCode();
        return new RoundTask(round.getFederation().getId(), round.getNumber(), plan.getModelKind(), plan.getFeatureCount(),
                plan.getClassCount(), plan.getStrategy(), plan.getLocalEpochs(), plan.getLearningRate(), plan.getBatchSize(), seed,
                round.getDeadline(), startVersion(round.getFederation().getId(), round.getNumber()).getSha256(), extra,
                FederationService.trainingDataset(plan, site.getCode()).name(), FederationService.trainingDataset(plan, site.getCode()).sha256(),
                plan.getModelManifestSha256());
    }
}
