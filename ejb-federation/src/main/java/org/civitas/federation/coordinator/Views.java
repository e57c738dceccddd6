package org.civitas.federation.coordinator;

import org.civitas.federation.common.ModelCatalog;

import org.civitas.domain.contribution.ContributionValue;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.registry.ModelVersion;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Read-only views of the records, as the REST API and the portal show them. */
public final class Views {

    private Views() {
    }

    public record FederationView(long id, String status, String plan, String planSha256, String model, String strategy,
                                 Map<String, Double> strategyParams, Map<String, Double> filters, int quorum, List<String> sites, int roundsPlanned, Instant createdAt, Instant finishedAt,
                                 String failureReason, String modelManifestSha256, PrivacyView privacy, IncentivesView incentives, List<RoundView> rounds,
                                 List<ModelVersionView> models, SecureAggregationView secureAggregation, TaskBindingView task,
                                 LineView line) {
    }

    /**
     * Where a federation stands in its plan's line of versions. {@code rebuildOf}, {@code startVersion},
     * {@code withdrawal} and {@code excludedEnterprises}: for a federation that retrains another's line
     * without withdrawn enterprises, the one it replaces, the version it starts from, the withdrawal it
     * carries out and the enterprises left out (null and empty otherwise). {@code supersededBy}: the
     * federations that retrain this one's line, if any.
     */
    public record LineView(Long rebuildOf, Integer startVersion, Long withdrawal, List<String> excludedEnterprises,
                           List<Long> supersededBy) {
    }

    /**
     * The task a federation trains for, its version, the dataset version (name and content hash) of
     * each site, and the plan's quality gate (null for none).
     */
    public record TaskBindingView(String name, int version, Map<String, org.civitas.domain.federation.FederationPlan.DatasetPin> datasets,
                                  Double maxFlaggedShare) {
    }

    /** Secure aggregation of a federation: Shamir threshold and fixed-point fraction bits. */
    public record SecureAggregationView(int threshold, int fractionBits) {
    }

    /** The plan's incentive rules; either may be null. */
    public record IncentivesView(java.math.BigDecimal rewardPerRound, Double minContribution, Double participationShare) {
    }

    /** Differential privacy of a federation: its parameters and the epsilon spent by its aggregated rounds. */
    public record PrivacyView(double clipNorm, double noiseMultiplier, double delta, double epsilonSpent, String dataset) {
    }

    public record RoundView(int number, String status, Double loss, Double globalLoss, Double globalAccuracy, Double heldoutMacroF1,
                            int updates, Instant openedAt,
                            Instant deadline, Instant closedAt, String failureReason, List<ReceiptView> receipts,
                            Map<String, Double> contributions, Map<String, String> freeRiders, boolean awaitingValuation,
                            Map<String, String> withheld, String secureAggregationPhase) {
    }

    /** An update as the coordinator received it; {@code erasedAt}: when retention erased its tensors (the receipt stays). */
    public record ReceiptView(String site, long sampleCount, double trainLoss, double globalLoss, String sha256,
                              long sizeBytes, Instant receivedAt, int staleness, String excludedReason, Instant erasedAt) {
    }

    /**
     * A model version. {@code contributors}: the enterprises whose updates it contains, through its
     * parents (the sites of each round's aggregated updates, by enterprise, from version 0 on).
     * {@code derivedFrom}: for the first version of a rebuilt line, the replaced line's version it
     * starts from. {@code withdrawals}: the approved withdrawals whose enterprise this version
     * contains; a version with any is marked and no longer released.
     */
    public record ModelVersionView(int version, Integer round, Integer parentVersion, String sha256, long sizeBytes,
                                   long sampleCount, Instant createdAt, String serverStateSha256, EvaluationView evaluation,
                                   List<String> contributors, VersionRef derivedFrom, List<Long> withdrawals) {
    }

    /** One version of one federation. */
    public record VersionRef(long federation, int version) {
    }

    /** A version's evaluation on a test split; macro-F1 per scenario as JSON. */
    /**
     * A version's evaluation on the test split; {@code confusion} (rows true labels, columns predicted)
     * and {@code perLabel} where the registry kept the matrix (tasks of up to 100 labels).
     */
    public record EvaluationView(String split, double accuracy, double macroF1, String macroF1ByScenario,
                                 org.civitas.federation.core.evaluation.ConfusionMatrix confusion,
                                 List<org.civitas.federation.core.evaluation.ConfusionMatrix.LabelMetrics> perLabel) {

        static EvaluationView of(ModelVersion m) {
            org.civitas.federation.core.evaluation.ConfusionMatrix confusion = ConfusionJson.read(m.getEvalConfusion());
            return new EvaluationView(m.getEvalSplit(), m.getEvalAccuracy(), m.getEvalMacroF1(), m.getEvalByScenario(), confusion,
                    confusion == null ? List.of() : confusion.perLabel());
        }
    }

    static FederationView of(Federation f, List<ModelVersion> models) {
        return of(f, models, List.of());
    }

    static FederationView of(Federation f, List<ModelVersion> models, List<ContributionValue> contributions) {
        return of(f, models, contributions, List.of());
    }

    static FederationView of(Federation f, List<ModelVersion> models, List<ContributionValue> contributions, List<Long> supersededBy) {
        Map<Integer, Map<String, Double>> byRound = new java.util.HashMap<>();
        Map<Integer, Map<String, String>> ridersByRound = new java.util.HashMap<>();
        for (ContributionValue c : contributions) {
            byRound.computeIfAbsent(c.getRound().getNumber(), n -> new java.util.TreeMap<>()).put(c.getSite().getCode(), c.getContribution());
            if (c.getFreeRiderEvidence() != null) {
                ridersByRound.computeIfAbsent(c.getRound().getNumber(), n -> new java.util.TreeMap<>())
                        .put(c.getSite().getCode(), c.getFreeRiderEvidence());
            }
        }
        return new FederationView(f.getId(), f.getStatus().name(), f.getPlan().getName(), f.getPlan().getPlanSha256(),
                f.getPlan().getModelKind(), f.getPlan().getStrategy(), f.getPlan().getStrategyParams(), f.getPlan().getFilters(), f.getPlan().getQuorum(),
                f.getPlan().getSites().stream().map(s -> s.getCode()).toList(),
                f.getPlan().getRounds(), f.getCreatedAt(), f.getFinishedAt(), f.getFailureReason(), f.getPlan().getModelManifestSha256(), privacy(f),
                f.getPlan().getRewardPerRound() == null && f.getPlan().getMinContribution() == null ? null
                        : new IncentivesView(f.getPlan().getRewardPerRound(), f.getPlan().getMinContribution(),
                                f.getPlan().getParticipationShare()),
                f.getRounds().stream().map(r -> of(r, byRound.getOrDefault(r.getNumber(), Map.of()),
                        ridersByRound.getOrDefault(r.getNumber(), Map.of()))).toList(),
                ofVersions(models),
                f.getPlan().isSecureAggregation()
                        ? new SecureAggregationView(f.getPlan().getSecaggThreshold(), f.getPlan().getSecaggFractionBits()) : null,
                f.getPlan().getTaskName() == null ? null
                        : new TaskBindingView(f.getPlan().getTaskName(), f.getPlan().getTaskVersion(), f.getPlan().getTrainingDatasets(),
                        f.getPlan().getQualityMaxFlaggedShare()),
                new LineView(f.getRebuildOf() == null ? null : f.getRebuildOf().getId(), f.getRebuildStartVersion(), f.getWithdrawalId(),
                        new java.util.TreeSet<>(f.getExcludedEnterprises()).stream().toList(), supersededBy));
    }

    static PrivacyView privacy(Federation f) {
        if (!f.getPlan().isDifferentiallyPrivate()) {
            return null;
        }
        int aggregated = (int) f.getRounds().stream().filter(r -> r.getStatus() == org.civitas.domain.federation.RoundStatus.AGGREGATED).count();
        return new PrivacyView(f.getPlan().getDpClipNorm(), f.getPlan().getDpNoiseMultiplier(), f.getPlan().getDpDelta(),
                ModelCatalog.epsilonSpent(f.getPlan(), aggregated), f.getPlan().getDpDataset());
    }

    static RoundView of(Round r, Map<String, Double> contributions, Map<String, String> freeRiders) {
        return new RoundView(r.getNumber(), r.getStatus().name(), r.getLoss(), r.getGlobalLoss(), globalAccuracy(r),
                weightedMean(r, UpdateReceipt::getHeldoutMacroF1), r.getReceipts().size(),
                r.getOpenedAt(), r.getDeadline(), r.getClosedAt(), r.getFailureReason(),
                r.getReceipts().stream().map(Views::of).toList(), contributions, freeRiders, r.isAwaitingValuation(),
                new java.util.TreeMap<>(r.getWithheld()), r.getSecaggPhase() == null ? null : r.getSecaggPhase().name());
    }

    /** Sample-weighted accuracy of the round's starting model over the sites that reported one, or null. */
    static Double globalAccuracy(Round r) {
        return weightedMean(r, UpdateReceipt::getGlobalAccuracy);
    }

    /** Sample-weighted mean of a metric over the receipts that report it, or null when none does. */
    static Double weightedMean(Round r, java.util.function.Function<UpdateReceipt, Double> metric) {
        double weighted = 0;
        long samples = 0;
        for (UpdateReceipt u : r.getReceipts()) {
            Double value = metric.apply(u);
            if (value != null) {
                weighted += value * u.getSampleCount();
                samples += u.getSampleCount();
            }
        }
        return samples == 0 ? null : weighted / samples;
    }

    static ReceiptView of(UpdateReceipt u) {
        return new ReceiptView(u.getSite().getCode(), u.getSampleCount(), u.getTrainLoss(), u.getGlobalLoss(), u.getSha256(),
                u.getSizeBytes(), u.getReceivedAt(), u.getStaleness(), u.getExcludedReason(), u.getErasedAt());
    }

    static List<ModelVersionView> ofVersions(List<ModelVersion> models) {
        Map<Long, java.util.SortedSet<String>> contributors = new java.util.HashMap<>();
        return models.stream().map(m -> of(m, List.copyOf(contributors(m, contributors)))).toList();
    }

    static ModelVersionView of(ModelVersion m, List<String> contributors) {
        return new ModelVersionView(m.getVersionNumber(), m.getRound() == null ? null : m.getRound().getNumber(),
                m.getParent() == null ? null : m.getParent().getVersionNumber(), m.getSha256(), m.getSizeBytes(),
                m.getSampleCount(), m.getCreatedAt(), m.getServerStateSha256(), m.getEvalSplit() == null ? null
                : EvaluationView.of(m), contributors,
                m.getDerivedFrom() == null ? null : new VersionRef(m.getDerivedFrom().getFederation().getId(),
                        m.getDerivedFrom().getVersionNumber()), List.copyOf(m.getWithdrawals()));
    }

    /**
     * The enterprises whose updates a version contains: its parent's (for the first version of a
     * rebuilt line, those of the version it derives from), and those of the sites whose updates its
     * round aggregated (an update a rule left out is not in it). Kept per version id, so a
     * federation's chain is walked once.
     */
    static java.util.SortedSet<String> contributors(ModelVersion version, Map<Long, java.util.SortedSet<String>> known) {
        java.util.Deque<ModelVersion> unknown = new java.util.ArrayDeque<>();
        for (ModelVersion v = version; v != null && !known.containsKey(v.getId()); v = before(v)) {
            unknown.push(v);
        }
        while (!unknown.isEmpty()) {
            ModelVersion v = unknown.pop();
            java.util.SortedSet<String> set = new java.util.TreeSet<>(before(v) == null ? java.util.Set.of() : known.get(before(v).getId()));
            if (v.getRound() != null) {
                v.getRound().getReceipts().stream().filter(u -> u.getExcludedReason() == null)
                        .forEach(u -> set.add(u.getSite().getEnterprise().getCode()));
            }
            known.put(v.getId(), set);
        }
        return known.get(version.getId());
    }

    /** The version a version was made from: its parent, or for the first of a rebuilt line the version it derives from. */
    static ModelVersion before(ModelVersion v) {
        return v.getParent() != null ? v.getParent() : v.getDerivedFrom();
    }
}
