package org.civitas.federation.coordinator;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.ModelCatalog;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.RoundStatus;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.federation.core.aggregation.AggregateResult;
import org.civitas.federation.core.aggregation.EvaluationResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.BlobStore;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.time.Clock;

/**
 * Closes rounds that are due: aggregates the accepted updates with the plan's strategy into the
 * next model version and opens the next round, or fails the round when too few sites replied by
 * its deadline. One transaction per round, under the round's lock and fenced by the coordinators'
 * lease, so a round is closed once however many coordinator servers share the database.
 */
@Stateless
public class RoundAggregator {

    @Inject
    Clock clock;

    private static final Logger LOG = Logger.getLogger(RoundAggregator.class.getName());

    /** What happened to a round that was looked at. */
    public enum Outcome { NOT_DUE, AGGREGATED, FAILED }

    /** The outcome for one round of one federation. */
    public record Closing(Outcome outcome, long federationId, int round) {
    }

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    CoordinatorStores stores;

    /** The rounds whose valuation open rounds wait for (a plan with a contribution rule). */
    public List<org.civitas.infrastructure.persistence.FederationRepository.RoundRef> roundsAwaited() {
        return federations.roundsAwaited();
    }

    /** Rounds aggregated since {@code since} with no contribution recorded: valuations that may have been lost. */
    public List<org.civitas.infrastructure.persistence.FederationRepository.RoundRef> unvaluedSince(Instant since) {
        return federations.aggregatedUnvaluedSince(since);
    }

    public List<Long> openRoundIds() {
        return federations.openRounds().stream().map(Round::getId).toList();
    }

    @jakarta.ejb.EJB
    IncentiveService incentives;

    @jakarta.ejb.EJB
    AuditService audit;

    @jakarta.ejb.EJB
    SecureAggregationService secureAggregation;

    @jakarta.ejb.EJB
    PrivacyBudgetService privacyBudgets;

    @jakarta.ejb.EJB
    AgreementService agreements;

    @jakarta.ejb.EJB
    SiteScheduleService schedules;

    @jakarta.ejb.EJB
    CoordinatorLeadership leadership;

    private Closing fail(Round round, String reason, Instant now) {
        long federationId = round.getFederation().getId();
        round.markFailed(reason, now);
        audit.record(AuditService.SYSTEM, "round.failed", "federation " + federationId + " round " + round.getNumber(), reason);
        LOG.warning(() -> "Federation " + federationId + " round " + round.getNumber() + " failed: " + reason);
        return new Closing(Outcome.FAILED, federationId, round.getNumber());
    }

    /** What is not finite in the aggregate's state or server state, or null when all is. */
    static String notFinite(AggregateResult aggregate) {
        try {
            org.civitas.federation.core.tensor.TensorChecks.requireFinite(aggregate.global());
            if (aggregate.serverState() != null) {
                org.civitas.federation.core.tensor.TensorChecks.requireFinite(aggregate.serverState());
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Closes the round if it is due, in one transaction that commits only while this server still
     * holds the coordinators' lease with {@code fencingToken}: a server that lost it while working
     * here writes nothing, and the server that took it over closes the round.
     */
    public Closing closeIfDue(long roundId, long fencingToken) {
        Round round = org.civitas.infrastructure.persistence.EntityLocks.findForUpdate(em, Round.class, roundId);
        if (round == null) {
            return new Closing(Outcome.NOT_DUE, 0, 0);
        }
        try (var context = org.civitas.federation.infrastructure.LogContext.of(round.getFederation().getId(), round.getNumber(), null)) {
            Closing closing = closeIfDue(round);
            // Last, so the lease's row stays locked only from here to the commit, not through the aggregation.
            leadership.fence(fencingToken);
            return closing;
        }
    }

    private Closing closeIfDue(Round round) {
        Instant now = clock.instant();
        if (round != null && round.getStatus() == RoundStatus.OPEN && round.isAwaitingValuation()) {
            if (now.isAfter(round.getOpenedAt().plus(round.getFederation().getPlan().getRoundTimeout().dividedBy(2)))) {
                incentives.admitWithoutValuation(round);
            }
            return new Closing(Outcome.NOT_DUE, 0, 0);
        }
        if (round == null || round.getStatus() != RoundStatus.OPEN) {
            return new Closing(Outcome.NOT_DUE, 0, 0);
        }
        boolean secure = round.getSecaggPhase() != null;
        if (!secure && !round.isDue(now)) {
            return new Closing(Outcome.NOT_DUE, 0, 0);
        }
        long federationId = round.getFederation().getId();
        FederationPlan plan = round.getFederation().getPlan();
        if (!secure && !round.canAggregate(now)) {
            return fail(round, "deadline " + round.getDeadline() + " passed with " + round.getReceipts().size() + " of "
                    + plan.getSites().size() + " updates; the plan needs at least " + plan.getMinSites(), now);
        }
        ModelVersion parent = registry.version(federationId, round.getNumber() - 1).orElseThrow(() ->
                new IllegalStateException("federation " + federationId + " lacks model version " + (round.getNumber() - 1)));
        NamedTensors global = SafeTensors.read(stores.models().get(parent.getSha256())).tensors();
        Strategy strategy = ModelCatalog.strategy(plan);
        List<UpdateReceipt> receipts = round.getReceipts();
        List<FitResult> results;
        if (secure) {
            SecureAggregationService.Step step = secureAggregation.advance(round, global, now);
            if (step.failure() != null) {
                return fail(round, step.failure(), now);
            }
            if (step.result() == null) {
                return new Closing(Outcome.NOT_DUE, 0, 0);
            }
            // The coordinator has only the survivors' aggregate: the rule sees it as the round's one update.
            results = List.of(step.result());
        } else {
            BlobStore updates = stores.updates();
            results = receipts.stream()
                    .map(u -> new FitResult(u.getSite().getCode(), u.getSampleCount(), u.getStaleness(),
                            () -> SafeTensors.read(updates.map(u.getStorageKey())).tensors()))
                    .toList();
        }
        NamedTensors serverState = parent.getServerStateSha256() == null ? null
                : SafeTensors.read(stores.models().get(parent.getServerStateSha256())).tensors();
        AggregateResult aggregate = strategy.aggregateFit(new RoundContext(round.getNumber(), serverState), global, results);
        String notFinite = notFinite(aggregate);
        if (notFinite != null) {
            // Finite updates can still add up past the float range (or a server optimizer can); such a
            // state would poison every later round, so the round fails and the parent stays the latest.
            return fail(round, "the aggregate is not finite (" + notFinite + "); model version " + parent.getVersionNumber()
                    + " stays the latest", now);
        }
        Map<String, String> excluded = new HashMap<>();
        aggregate.excluded().forEach(e -> excluded.merge(e.site(), e.reason(), (a, b) -> a + "; " + b));
        receipts.forEach(u -> u.excludeFromAggregate(excluded.get(u.getSite().getCode())));
        List<UpdateReceipt> included = receipts.stream().filter(u -> u.getExcludedReason() == null).toList();
        double loss = strategy.aggregateEvaluate(round.getNumber(), included.stream()
                .map(u -> new EvaluationResult(u.getSite().getCode(), u.getSampleCount(), u.getTrainLoss())).toList());
        double globalLoss = strategy.aggregateEvaluate(round.getNumber(), receipts.stream()
                .map(u -> new EvaluationResult(u.getSite().getCode(), u.getSampleCount(), u.getGlobalLoss())).toList());
        long samples = included.stream().mapToLong(UpdateReceipt::getSampleCount).sum();

        BlobStore.Stored stored = stores.models().put(SafeTensors.write(aggregate.global(), Map.of(
                "federation", String.valueOf(federationId), "version", String.valueOf(round.getNumber()))));
        ModelVersion version = registry.add(parent.next(round, stored.key(), stored.sizeBytes(), samples, now));
        if (aggregate.serverState() != null) {
            version.setServerStateSha256(stores.models().put(SafeTensors.write(aggregate.serverState(), Map.of(
                    "federation", String.valueOf(federationId), "serverStateOf", String.valueOf(round.getNumber())))).key());
        }
        // The next round is charged to the privacy budgets before it opens, or not opened at all.
        String refused = round.getNumber() < plan.getRounds()
                ? privacyBudgets.chargeOrRefuse(plan, federationId, round.getNumber() + 1, round.getFederation().getExcludedEnterprises()) : null;
        round.markAggregated(loss, globalLoss, now, refused);
        round.getFederation().openRound().ifPresent(next -> {
            schedules.fitDeadline(next, now);
            // A site whose agreement was revoked or expired takes no part from this round on.
            agreements.sitesWithoutAgreement(plan, now).forEach((site, why) -> {
                if (next.getWithheld().containsKey(site)) {
                    return;
                }
                next.withholdAtOpening(site, "no active data-sharing agreement: " + why);
                audit.record(AuditService.SYSTEM, "site.withheld", "federation " + federationId + " round " + next.getNumber(),
                        "site " + site + ": " + why);
            });
        });
        if (refused != null) {
            audit.record(AuditService.SYSTEM, "federation.stopped", "federation " + federationId, refused);
            LOG.warning(() -> "Federation " + federationId + " stopped before round " + (round.getNumber() + 1) + ": " + refused);
        }
        audit.record(AuditService.SYSTEM, "round.aggregated", "federation " + federationId + " round " + round.getNumber(),
                String.format(java.util.Locale.ROOT, "model version %d (%s) from %d of %d updates by %s, loss %.4f", version.getVersionNumber(),
                        stored.key(), included.size(), receipts.size(), strategy.name(), loss));
        LOG.info(() -> String.format(java.util.Locale.ROOT, "Federation %d round %d aggregated %d of %d updates with %s: loss %.4f",
                federationId, round.getNumber(), included.size(), receipts.size(), strategy.name(), loss));
        return new Closing(Outcome.AGGREGATED, federationId, round.getNumber());
    }
}
