package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import org.civitas.domain.consortium.Site;

import java.time.Instant;

/**
 * Proof that the coordinator accepted a site's update for a round: what it weighed, what the site
 * reported, and where the spooled tensors are (by content hash).
 */
@Entity
@Table(name = "update_receipt", uniqueConstraints = @UniqueConstraint(columnNames = {"round_id", "site_id"}))
public class UpdateReceipt {

    /** The facts of an update that a receipt records. */
    public record Content(long sampleCount, double trainLoss, double globalLoss, String sha256, long sizeBytes,
                          String storageKey) {
        public Content {
            if (sampleCount < 1) {
                throw new UpdateRejectedException(UpdateRejectedException.Reason.INVALID_METADATA,
                        "sampleCount must be at least 1, was " + sampleCount);
            }
            if (!Double.isFinite(trainLoss) || trainLoss < 0 || !Double.isFinite(globalLoss) || globalLoss < 0) {
                throw new UpdateRejectedException(UpdateRejectedException.Reason.INVALID_METADATA,
                        "trainLoss and globalLoss must be finite and non-negative");
            }
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "round_id", nullable = false)
    private Round round;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "site_id", nullable = false)
    private Site site;

    @Column(name = "sample_count", nullable = false)
    private long sampleCount;

    @Column(name = "train_loss", nullable = false)
    private double trainLoss;

    @Column(name = "global_loss", nullable = false)
    private double globalLoss;

    /** Accuracy of the round's starting model on the site's data, when the site reports it. */
    @Column(name = "global_accuracy")
    private Double globalAccuracy;

    /** Macro-F1 of the round's starting model on the site's held-out split, when the site reports it. */
    @Column(name = "heldout_macro_f1")
    private Double heldoutMacroF1;

    @Column(name = "sha256", nullable = false, length = 64)
    private String sha256;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(name = "storage_key", nullable = false, length = 500)
    private String storageKey;

    @Column(name = "received_at", nullable = false)
    private Instant receivedAt;

    /** Rounds between the one the site trained for and the one that took the update (0 when synchronous). */
    @Column(name = "staleness", nullable = false)
    private int staleness;

    /** Why the aggregation left this update out, or null when it was included. */
    @Column(name = "excluded_reason", length = 1000)
    private String excludedReason;

    /** When the retention job erased the update's tensors; the receipt stays, for lineage and audit. */
    @Column(name = "erased_at")
    private Instant erasedAt;

    protected UpdateReceipt() {
    }

    UpdateReceipt(Round round, Site site, Content content, int staleness, Instant receivedAt) {
        this.staleness = staleness;
        this.round = round;
        this.site = site;
        this.sampleCount = content.sampleCount();
        this.trainLoss = content.trainLoss();
        this.globalLoss = content.globalLoss();
        this.sha256 = content.sha256();
        this.sizeBytes = content.sizeBytes();
        this.storageKey = content.storageKey();
        this.receivedAt = receivedAt;
    }

    public Long getId() {
        return id;
    }

    public Round getRound() {
        return round;
    }

    public Site getSite() {
        return site;
    }

    public long getSampleCount() {
        return sampleCount;
    }

    public double getTrainLoss() {
        return trainLoss;
    }

    public double getGlobalLoss() {
        return globalLoss;
    }

    public String getSha256() {
        return sha256;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    /** Records that the update's tensors were erased under an agreement's retention. */
    public void erased(Instant now) {
        this.erasedAt = now;
    }

    public Instant getErasedAt() {
        return erasedAt;
    }

    public String getStorageKey() {
        return storageKey;
    }

    public Instant getReceivedAt() {
        return receivedAt;
    }

    public int getStaleness() {
        return staleness;
    }

    public String getExcludedReason() {
        return excludedReason;
    }

    /** Records that the aggregation left this update out, and why. */
    public void excludeFromAggregate(String reason) {
        this.excludedReason = reason == null || reason.length() <= 1000 ? reason : reason.substring(0, 1000);
    }

    /** Records the site's measured accuracy of the starting model, refusing values outside [0, 1]. */
    public void reportGlobalAccuracy(Double accuracy) {
        if (accuracy != null && !(accuracy >= 0 && accuracy <= 1)) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.INVALID_TENSORS,
                    "globalAccuracy must be in [0, 1], was " + accuracy);
        }
        this.globalAccuracy = accuracy;
    }

    /** Records the site's held-out macro-F1 of the starting model, refusing values outside [0, 1]. */
    public void reportHeldoutMacroF1(Double macroF1) {
        if (macroF1 != null && !(macroF1 >= 0 && macroF1 <= 1)) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.INVALID_TENSORS,
                    "heldoutMacroF1 must be in [0, 1], was " + macroF1);
        }
        this.heldoutMacroF1 = macroF1;
    }

    public Double getHeldoutMacroF1() {
        return heldoutMacroF1;
    }

    public Double getGlobalAccuracy() {
        return globalAccuracy;
    }
}
