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
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;
import org.civitas.domain.consortium.Site;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One federated round. It accepts at most one update per participating site while open and
 * before its deadline, and is aggregated once: at quorum (every site), or at the deadline when at
 * least the plan's minimum of sites replied; otherwise it fails.
 */
@Entity
@Table(name = "federation_round", uniqueConstraints = @UniqueConstraint(columnNames = {"federation_id", "number"}))
public class Round {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "federation_id", nullable = false)
    private Federation federation;

    @Column(nullable = false)
    private int number;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private RoundStatus status;

    @Column(name = "opened_at", nullable = false)
    private Instant openedAt;

    @Column(name = "deadline", nullable = false)
    private Instant deadline;

    @Column(name = "closed_at")
    private Instant closedAt;

    /** Sample-weighted mean of the sites' local training loss in this round. */
    @Column(name = "loss")
    private Double loss;

    /** Sample-weighted mean loss of the round's starting global model on the sites' data. */
    @Column(name = "global_loss")
    private Double globalLoss;

    @Column(name = "failure_reason", length = 1000)
    private String failureReason;

    @OneToMany(mappedBy = "round", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("receivedAt")
    private List<UpdateReceipt> receipts = new ArrayList<>();

    /** True while the round waits for the round before to be valued, so the plan's contribution rule can apply. */
    @Column(name = "awaiting_valuation", nullable = false)
    private boolean awaitingValuation;

    /** Sites that may not take part in this round, with the reason (for example the contribution rule). */
    @jakarta.persistence.ElementCollection
    @jakarta.persistence.CollectionTable(name = "round_withheld_site", joinColumns = @JoinColumn(name = "round_id"))
    @jakarta.persistence.MapKeyColumn(name = "site_code", length = 64)
    @Column(name = "reason", length = 1000, nullable = false)
    private java.util.Map<String, String> withheld = new java.util.TreeMap<>();

    /** For a plan with secure aggregation, the phase the round is in; null otherwise. */
    @Enumerated(EnumType.STRING)
    @Column(name = "secagg_phase", length = 20)
    private SecureAggregationPhase secaggPhase;

    @Version
    private long version;

    protected Round() {
    }

    Round(Federation federation, int number, Instant openedAt, Instant deadline) {
        this.federation = federation;
        this.number = number;
        this.status = RoundStatus.OPEN;
        this.openedAt = openedAt;
        this.deadline = deadline;
        this.awaitingValuation = number > 1 && federation.getPlan().getMinContribution() != null;
        this.secaggPhase = federation.getPlan().isSecureAggregation() ? SecureAggregationPhase.KEYS : null;
    }

    public SecureAggregationPhase getSecaggPhase() {
        return secaggPhase;
    }

    /**
     * When a secure-aggregation phase stops waiting for the slowest sites: keys by 70 % of the round
     * timeout (sites advertise keys once they have trained), shares by 85 %, masked uploads by the
     * round's deadline, reveals a quarter of the timeout after it.
     */
    public Instant phaseDeadline(SecureAggregationPhase phase) {
        java.time.Duration timeout = federation.getPlan().getRoundTimeout();
        return switch (phase) {
            case KEYS -> openedAt.plus(timeout.multipliedBy(7).dividedBy(10));
            case SHARES -> openedAt.plus(timeout.multipliedBy(85).dividedBy(100));
            case MASKED_UPLOADS -> deadline;
            case UNMASKING -> deadline.plus(timeout.dividedBy(4));
        };
    }

    /** Closes the key phase: the sites that advertised keys get their indices, 1..m in site-code order. */
    public void openSharePhase(List<SecureAggregationMember> advertised) {
        requirePhase(SecureAggregationPhase.KEYS);
        List<SecureAggregationMember> ordered = new ArrayList<>(advertised);
        ordered.sort(java.util.Comparator.comparing(m -> m.getSite().getCode()));
        for (int i = 0; i < ordered.size(); i++) {
            ordered.get(i).assignIndex(i + 1);
        }
        secaggPhase = SecureAggregationPhase.SHARES;
    }

    public void openMaskedUploads() {
        requirePhase(SecureAggregationPhase.SHARES);
        secaggPhase = SecureAggregationPhase.MASKED_UPLOADS;
    }

    public void openUnmasking() {
        requirePhase(SecureAggregationPhase.MASKED_UPLOADS);
        secaggPhase = SecureAggregationPhase.UNMASKING;
    }

    private void requirePhase(SecureAggregationPhase expected) {
        if (status != RoundStatus.OPEN || secaggPhase != expected) {
            throw new IllegalStateException("round " + number + " is " + status + " in phase " + secaggPhase + ", not " + expected);
        }
    }

    /** Keeps a site out of this round, before it could take part, with the reason shown to it and in the portal. */
    public void withhold(String siteCode, String reason) {
        if (!awaitingValuation) {
            throw new IllegalStateException("round " + number + " has opened: sites can no longer be withheld from it");
        }
        withheld.put(siteCode, reason.length() <= 1000 ? reason : reason.substring(0, 999) + "…");
    }

    /** Moves the deadline later (never earlier), so every site gets a training window before it. */
    public void extendDeadline(Instant later) {
        if (status == RoundStatus.OPEN && later.isAfter(deadline)) {
            deadline = later;
        }
    }

    /**
     * Keeps a site out of this round as it opens, for a reason that is not about contributions
     * (its data-sharing agreement is no longer active). Only before the site has answered.
     */
    public void withholdAtOpening(String siteCode, String reason) {
        if (status != RoundStatus.OPEN || hasUpdateFrom(siteCode)) {
            throw new IllegalStateException("site " + siteCode + " can no longer be withheld from round " + number);
        }
        withheld.put(siteCode, reason.length() <= 1000 ? reason : reason.substring(0, 999) + "…");
    }

    /** Opens the round to its eligible sites after the round before was valued; the deadline counts from now. */
    public void admit(Instant now) {
        if (awaitingValuation) {
            awaitingValuation = false;
            deadline = now.plus(federation.getPlan().getRoundTimeout());
        }
    }

    public boolean isAwaitingValuation() {
        return awaitingValuation;
    }

    public java.util.Map<String, String> getWithheld() {
        return java.util.Collections.unmodifiableMap(withheld);
    }

    /** Whether the site may train for this round now: open, admitted, not withheld, not yet answered. */
    public boolean offersTaskTo(String siteCode) {
        return isOpenTo(siteCode) && !hasUpdateFrom(siteCode);
    }

    /**
     * Whether the round takes updates from this site now (open, admitted, the site not withheld),
     * whether or not it has sent one: with {@code !hasUpdateFrom}, {@link #offersTaskTo}.
     */
    public boolean isOpenTo(String siteCode) {
        return status == RoundStatus.OPEN && !awaitingValuation && !withheld.containsKey(siteCode);
    }

    /**
     * Records an accepted update; the caller has already checked its tensors.
     *
     * @throws UpdateRejectedException when the site is not a participant, the round is not open
     *                                 or past its deadline, or the site already sent an update
     */
    public UpdateReceipt accept(Site site, UpdateReceipt.Content content, Instant now) {
        return acceptStale(site, content, 0, now);
    }

    /**
     * Records an update the site trained for an earlier round, as asynchronous rules allow: it
     * counts in this round, weighted by how far it lags behind.
     *
     * @param staleness rounds between the one the site trained for and this one
     */
    public UpdateReceipt acceptStale(Site site, UpdateReceipt.Content content, int staleness, Instant now) {
        if (staleness < 0 || staleness >= number) {
            throw new IllegalArgumentException("staleness " + staleness + " is impossible in round " + number);
        }
        requireCanAccept(site, now);
        UpdateReceipt receipt = new UpdateReceipt(this, site, content, staleness, now);
        receipts.add(receipt);
        return receipt;
    }

    /** Refuses a site that may not train for this round: withheld from it, or the round not yet admitted. */
    public void requireMayTrain(Site site) {
        if (withheld.containsKey(site.getCode())) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.NOT_A_PARTICIPANT,
                    "site '" + site.getCode() + "' is withheld from round " + number + " of federation " + federation.getId()
                            + ": " + withheld.get(site.getCode()));
        }
        if (awaitingValuation) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.ROUND_NOT_OPEN,
                    "round " + number + " of federation " + federation.getId() + " opens once round " + (number - 1)
                            + " has been valued");
        }
    }

    /** The checks of {@link #accept} without recording anything, so a caller can refuse early. */
    public void requireCanAccept(Site site, Instant now) {
        if (!federation.getPlan().includes(site)) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.NOT_A_PARTICIPANT,
                    "site '" + site.getCode() + "' is not a participant of federation " + federation.getId());
        }
        if (status == RoundStatus.OPEN) {
            requireMayTrain(site);
        }
        if (status != RoundStatus.OPEN) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.ROUND_NOT_OPEN,
                    "round " + number + " of federation " + federation.getId() + " is " + status + ", not open");
        }
        if (now.isAfter(deadline)) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.ROUND_NOT_OPEN,
                    "round " + number + " of federation " + federation.getId() + " passed its deadline " + deadline);
        }
        if (hasUpdateFrom(site.getCode())) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.DUPLICATE,
                    "site '" + site.getCode() + "' already sent its update for round " + number + " of federation " + federation.getId());
        }
    }

    public boolean hasUpdateFrom(String siteCode) {
        return receipts.stream().anyMatch(r -> r.getSite().getCode().equals(siteCode));
    }

    /**
     * Enough sites have replied to close the round: every eligible site, or the plan's quorum.
     * Withheld sites lower the number needed, never below one.
     */
    public boolean hasQuorum() {
        int eligible = federation.getPlan().getSites().size() - withheld.size();
        return !receipts.isEmpty() && receipts.size() >= Math.min(federation.getPlan().getQuorum(), eligible);
    }

    /** The round should be closed now: everyone replied, or the deadline passed. */
    public boolean isDue(Instant now) {
        return status == RoundStatus.OPEN && (hasQuorum() || now.isAfter(deadline));
    }

    /** Aggregation may proceed: at quorum, or after the deadline with at least the minimum of sites. */
    public boolean canAggregate(Instant now) {
        if (secaggPhase != null) {
            // The secure-aggregation phases decided who survived; the masks come off only at the end.
            return status == RoundStatus.OPEN && secaggPhase == SecureAggregationPhase.UNMASKING && !receipts.isEmpty();
        }
        return status == RoundStatus.OPEN
                && (hasQuorum() || (now.isAfter(deadline) && receipts.size() >= federation.getPlan().getMinSites()));
    }

    public void markAggregated(double loss, double globalLoss, Instant now) {
        markAggregated(loss, globalLoss, now, null);
    }

    /** As {@link #markAggregated(double, double, Instant)}; a non-null {@code nextRoundRefused} stops the federation instead of opening the next round. */
    public void markAggregated(double loss, double globalLoss, Instant now, String nextRoundRefused) {
        if (!canAggregate(now)) {
            throw new IllegalStateException("round " + number + " cannot be aggregated now (" + status + ", "
                    + receipts.size() + " updates)");
        }
        this.status = RoundStatus.AGGREGATED;
        this.loss = loss;
        this.globalLoss = globalLoss;
        this.closedAt = now;
        federation.roundAggregated(this, now, nextRoundRefused);
    }

    /** Closes an open round without a model because its federation is stopped on purpose. */
    void cancel(String reason, Instant now) {
        if (status == RoundStatus.OPEN) {
            this.status = RoundStatus.FAILED;
            this.failureReason = reason.length() <= 1000 ? reason : reason.substring(0, 999) + "…";
            this.closedAt = now;
        }
    }

    public void markFailed(String reason, Instant now) {
        if (status != RoundStatus.OPEN) {
            throw new IllegalStateException("round " + number + " is " + status + ", only an open round can fail");
        }
        this.status = RoundStatus.FAILED;
        this.failureReason = reason;
        this.closedAt = now;
        federation.roundFailed(this, now);
    }

    public Long getId() {
        return id;
    }

    public Federation getFederation() {
        return federation;
    }

    public int getNumber() {
        return number;
    }

    public RoundStatus getStatus() {
        return status;
    }

    public Instant getOpenedAt() {
        return openedAt;
    }

    public Instant getDeadline() {
        return deadline;
    }

    public Instant getClosedAt() {
        return closedAt;
    }

    public Double getLoss() {
        return loss;
    }

    public Double getGlobalLoss() {
        return globalLoss;
    }

    public String getFailureReason() {
        return failureReason;
    }

    public List<UpdateReceipt> getReceipts() {
        return List.copyOf(receipts);
    }
}
