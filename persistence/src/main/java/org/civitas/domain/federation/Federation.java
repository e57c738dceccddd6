package org.civitas.domain.federation;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One run of a federation plan: its rounds, one after the other, each producing a model version. */
@Entity
@Table(name = "federation")
public class Federation {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "plan_id", nullable = false)
    private FederationPlan plan;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private FederationStatus status;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "failure_reason", length = 1000)
    private String failureReason;

    /**
     * For a federation that rebuilds another's line without a withdrawn enterprise: the federation it
     * replaces, the version of it that it starts from, the withdrawal it carries out and the
     * enterprises whose sites take no part (this withdrawal's and those of the line it replaces),
     * comma-separated. Null for a federation started from a plan.
     */
    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "rebuild_of_id")
    private Federation rebuildOf;

    @Column(name = "rebuild_start_version")
    private Integer rebuildStartVersion;

    @Column(name = "withdrawal_id")
    private Long withdrawalId;

    @Column(name = "excluded_enterprises", length = 1000)
    private String excludedEnterprises;

    @OneToMany(mappedBy = "federation", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("number")
    private List<Round> rounds = new ArrayList<>();

    @Version
    private long version;

    protected Federation() {
    }

    /** Starts a federation: its first round opens at once. */
    public Federation(FederationPlan plan, Instant now) {
        if (plan == null) {
            throw new IllegalArgumentException("a federation needs a plan");
        }
        this.plan = plan;
        this.status = FederationStatus.RUNNING;
        this.createdAt = now;
        rounds.add(new Round(this, 1, now, now.plus(plan.getRoundTimeout())));
    }

    /**
     * A federation that retrains {@code original}'s line without {@code enterprise}: under the same
     * plan, from version {@code startVersion} (the last one without the enterprise), for the rounds
     * after it that the plan has. Its first round opens at once; the enterprise's sites are withheld
     * from every round.
     */
    public static Federation rebuild(Federation original, int startVersion, long withdrawalId, String enterprise, Instant now) {
        java.util.TreeSet<String> excluded = new java.util.TreeSet<>(original.getExcludedEnterprises());
        excluded.add(enterprise);
        if (startVersion < 0 || startVersion >= original.plan.getRounds()) {
            throw new IllegalArgumentException("a rebuild starts from a version in [0, " + (original.plan.getRounds() - 1)
                    + "], was " + startVersion);
        }
        Federation f = new Federation();
        f.plan = original.plan;
        f.status = FederationStatus.RUNNING;
        f.createdAt = now;
        f.rebuildOf = original;
        f.rebuildStartVersion = startVersion;
        f.withdrawalId = withdrawalId;
        f.excludedEnterprises = String.join(",", excluded);
        Round first = new Round(f, startVersion + 1, now, now.plus(original.plan.getRoundTimeout()));
        // No valuation of an earlier round of this federation will come to admit it.
        first.admit(now);
        f.rounds.add(first);
        f.withholdExcluded(first);
        return f;
    }

    /**
     * Stops a running federation on purpose (its line is being rebuilt): the open round, if any,
     * fails with the reason and no round opens after it.
     */
    public void stop(String reason, Instant now) {
        if (status != FederationStatus.RUNNING) {
            throw new IllegalStateException("federation " + id + " is " + status + ", not running");
        }
        openRound().ifPresent(r -> r.cancel(reason, now));
        status = FederationStatus.STOPPED;
        finishedAt = now;
        failureReason = reason;
    }

    private void withholdExcluded(Round round) {
        java.util.Set<String> excluded = getExcludedEnterprises();
        plan.getSites().stream().filter(s -> excluded.contains(s.getEnterprise().getCode()))
                .forEach(s -> round.withholdAtOpening(s.getCode(), "the contributions of enterprise " + s.getEnterprise().getCode()
                        + " are withdrawn from this line, which is retrained without it"));
    }

    /** The round that takes updates now, if any. */
    public Optional<Round> openRound() {
        return rounds.stream().filter(r -> r.getStatus() == RoundStatus.OPEN).findFirst();
    }

    public Optional<Round> round(int number) {
        return rounds.stream().filter(r -> r.getNumber() == number).findFirst();
    }

    /**
     * Called once a round has been aggregated: opens the next round, or completes the
     * federation after the last planned one.
     */
    public void roundAggregated(Round round, Instant now) {
        roundAggregated(round, now, null);
    }

    /**
     * As {@link #roundAggregated(Round, Instant)}, but when {@code nextRoundRefused} names a reason
     * (a privacy budget the next round would exceed), the federation stops instead of opening it.
     */
    public void roundAggregated(Round round, Instant now, String nextRoundRefused) {
        requireOwnRound(round);
        if (round.getStatus() != RoundStatus.AGGREGATED) {
            throw new IllegalStateException("round " + round.getNumber() + " is " + round.getStatus() + ", not aggregated");
        }
        if (round.getNumber() >= plan.getRounds()) {
            status = FederationStatus.COMPLETED;
            finishedAt = now;
        } else if (nextRoundRefused != null) {
            status = FederationStatus.STOPPED;
            finishedAt = now;
            failureReason = "round " + (round.getNumber() + 1) + " was not opened: " + nextRoundRefused;
        } else {
            Round next = new Round(this, round.getNumber() + 1, now, now.plus(plan.getRoundTimeout()));
            rounds.add(next);
            withholdExcluded(next);
        }
    }

    /** Called when a round failed: the federation stops with the round's reason. */
    public void roundFailed(Round round, Instant now) {
        requireOwnRound(round);
        status = FederationStatus.FAILED;
        finishedAt = now;
        failureReason = "round " + round.getNumber() + " failed: " + round.getFailureReason();
    }

    private void requireOwnRound(Round round) {
        if (round.getFederation() != this && !java.util.Objects.equals(round.getFederation().getId(), id)) {
            throw new IllegalArgumentException("round " + round.getNumber() + " belongs to another federation");
        }
        if (status != FederationStatus.RUNNING) {
            throw new IllegalStateException("federation " + id + " is " + status);
        }
    }

    public Long getId() {
        return id;
    }

    /**
     * The number the sites' training seeds derive from: the plan's seed where it fixes one, else
     * this federation's id, or that of the federation a rebuild replaces.
     */
    public long seedBase() {
        if (plan.getSeed() != null) {
            return plan.getSeed();
        }
        // A rebuilt line trains with the seeds of the line it replaces.
        return rebuildOf != null ? rebuildOf.seedBase() : id;
    }

    public Federation getRebuildOf() {
        return rebuildOf;
    }

    public Integer getRebuildStartVersion() {
        return rebuildStartVersion;
    }

    public Long getWithdrawalId() {
        return withdrawalId;
    }

    /** The enterprises whose sites take no part in this rebuilt line; empty for a federation started from a plan. */
    public java.util.Set<String> getExcludedEnterprises() {
        return excludedEnterprises == null || excludedEnterprises.isEmpty() ? java.util.Set.of()
                : java.util.Set.copyOf(java.util.Arrays.asList(excludedEnterprises.split(",")));
    }

    public FederationPlan getPlan() {
        return plan;
    }

    public FederationStatus getStatus() {
        return status;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public String getFailureReason() {
        return failureReason;
    }

    public List<Round> getRounds() {
        return List.copyOf(rounds);
    }
}
