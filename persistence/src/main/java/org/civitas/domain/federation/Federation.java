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
            rounds.add(new Round(this, round.getNumber() + 1, now, now.plus(plan.getRoundTimeout())));
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
     * this federation's id.
     */
    public long seedBase() {
        return plan.getSeed() != null ? plan.getSeed() : id;
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
