package org.civitas.domain.federation;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import org.civitas.domain.consortium.Site;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A site in a secure-aggregation round, as the coordinator sees it: public keys, its index once
 * the key phase closed, the sealed shares it sent (which the coordinator relays but cannot read),
 * and the shares it revealed at the end. Each step is taken once; repeating a step with the same
 * content is accepted (a retried request), with other content refused.
 */
@Entity
@Table(name = "secagg_member", uniqueConstraints = @UniqueConstraint(columnNames = {"round_id", "site_id"}))
public class SecureAggregationMember {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "round_id", nullable = false)
    private Round round;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "site_id", nullable = false)
    private Site site;

    @Column(name = "member_index")
    private Integer memberIndex;

    @Column(name = "encryption_key", nullable = false, length = 100)
    private String encryptionKey;

    @Column(name = "masking_key", nullable = false, length = 100)
    private String maskingKey;

    @Column(name = "advertised_at", nullable = false)
    private Instant advertisedAt;

    @ElementCollection(fetch = FetchType.LAZY)
    @CollectionTable(name = "secagg_share", joinColumns = @JoinColumn(name = "member_id"))
    @MapKeyColumn(name = "recipient_index")
    @Column(name = "envelope", length = 1000, nullable = false)
    private Map<Integer, String> sharesOut = new TreeMap<>();

    @Column(name = "shares_sent_at")
    private Instant sharesSentAt;

    @ElementCollection(fetch = FetchType.LAZY)
    @CollectionTable(name = "secagg_reveal", joinColumns = @JoinColumn(name = "member_id"))
    @MapKeyColumn(name = "owner_index")
    @Column(name = "share", length = 400, nullable = false)
    private Map<Integer, String> reveals = new TreeMap<>();

    @Column(name = "revealed_at")
    private Instant revealedAt;

    protected SecureAggregationMember() {
    }

    public SecureAggregationMember(Round round, Site site, String encryptionKey, String maskingKey, Instant now) {
        this.round = round;
        this.site = site;
        this.encryptionKey = encryptionKey;
        this.maskingKey = maskingKey;
        this.advertisedAt = now;
    }

    /** Whether these are the keys the site advertised already (a retried advertisement). */
    public boolean hasKeys(String encryption, String masking) {
        return encryptionKey.equals(encryption) && maskingKey.equals(masking);
    }

    void assignIndex(int index) {
        this.memberIndex = index;
    }

    /** Records the sealed shares, one per other member; a repeat with the same envelopes is a no-op. */
    public void sendShares(Map<Integer, String> envelopes, Instant now) {
        if (sharesSentAt != null) {
            if (!sharesOut.equals(new TreeMap<>(envelopes))) {
                throw new UpdateRejectedException(UpdateRejectedException.Reason.DUPLICATE,
                        "site '" + site.getCode() + "' already sent other shares for this round");
            }
            return;
        }
        sharesOut.putAll(envelopes);
        sharesSentAt = now;
    }

    /** Records the revealed shares by owner index; a repeat with the same shares is a no-op. */
    public void reveal(Map<Integer, String> shares, Instant now) {
        if (revealedAt != null) {
            if (!reveals.equals(new TreeMap<>(shares))) {
                throw new UpdateRejectedException(UpdateRejectedException.Reason.DUPLICATE,
                        "site '" + site.getCode() + "' already revealed other shares for this round");
            }
            return;
        }
        reveals.putAll(shares);
        revealedAt = now;
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

    public Integer getMemberIndex() {
        return memberIndex;
    }

    public String getEncryptionKey() {
        return encryptionKey;
    }

    public String getMaskingKey() {
        return maskingKey;
    }

    public Instant getAdvertisedAt() {
        return advertisedAt;
    }

    public boolean hasSentShares() {
        return sharesSentAt != null;
    }

    public boolean hasRevealed() {
        return revealedAt != null;
    }

    public Map<Integer, String> getSharesOut() {
        return Collections.unmodifiableMap(sharesOut);
    }

    public Map<Integer, String> getReveals() {
        return Collections.unmodifiableMap(reveals);
    }
}
