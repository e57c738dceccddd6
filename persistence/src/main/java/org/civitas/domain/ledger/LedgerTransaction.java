package org.civitas.domain.ledger;

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
import jakarta.persistence.OneToOne;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import org.civitas.domain.federation.Round;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A balanced set of entries posted together: the amounts sum to exactly zero, so credits are only
 * ever moved, never created or lost, and the sum over the whole ledger stays zero. Immutable once
 * posted; {@link #reversal} undoes one by posting the opposite entries.
 */
@Entity
@Table(name = "ledger_transaction")
public class LedgerTransaction {

    /** Credits are kept to four decimals. */
    public static final int SCALE = 4;

    public enum Kind {
        /** A round's reward: issued into the pool and paid out to the enterprises by contribution. */
        ROUND_REWARD,
        /** A transfer a consortium administrator posts by hand. */
        ADJUSTMENT,
        /** The exact opposite of an earlier transaction. */
        REVERSAL
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, updatable = false, length = 20)
    private Kind kind;

    @Column(name = "posted_at", nullable = false, updatable = false)
    private Instant postedAt;

    @Column(name = "posted_by", nullable = false, updatable = false, length = 100)
    private String postedBy;

    @Column(nullable = false, updatable = false, length = 1000)
    private String memo;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "round_id", updatable = false)
    private Round round;

    @OneToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "reverses_id", updatable = false)
    private LedgerTransaction reverses;

    @OneToMany(mappedBy = "transaction", cascade = CascadeType.PERSIST, fetch = FetchType.EAGER)
    @OrderBy("id")
    private List<LedgerEntry> entries = new ArrayList<>();

    protected LedgerTransaction() {
    }

    /**
     * Posts {@code amounts} (account to signed amount) to their accounts. Accounts are visited in id
     * order, so two transactions touching the same accounts update them in the same order.
     *
     * @throws IllegalArgumentException if the amounts do not sum to zero, have more than
     *                                  {@value #SCALE} decimals, or fewer than two accounts move
     */
    public LedgerTransaction(Kind kind, String postedBy, String memo, Round round, Map<LedgerAccount, BigDecimal> amounts,
                             Instant now) {
        List<String> problems = new ArrayList<>();
        BigDecimal sum = BigDecimal.ZERO;
        long moving = 0;
        for (Map.Entry<LedgerAccount, BigDecimal> e : amounts.entrySet()) {
            BigDecimal amount = e.getValue();
            if (amount == null) {
                problems.add("no amount for account " + e.getKey().getCode());
                continue;
            }
            if (amount.stripTrailingZeros().scale() > SCALE) {
                problems.add("amount " + amount.toPlainString() + " for account " + e.getKey().getCode() + " has more than "
                        + SCALE + " decimals");
            }
            sum = sum.add(amount);
            moving += amount.signum() != 0 ? 1 : 0;
        }
        if (sum.signum() != 0) {
            problems.add("entries must sum to zero, they sum to " + sum.toPlainString());
        }
        if (moving < 2) {
            problems.add("a transaction moves credits between at least two accounts");
        }
        if (memo == null || memo.isBlank()) {
            problems.add("a transaction needs a memo saying why");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid ledger transaction: " + String.join("; ", problems));
        }
        this.kind = kind;
        this.postedBy = postedBy;
        this.memo = memo.strip();
        this.round = round;
        this.postedAt = now;
        amounts.entrySet().stream()
                .filter(e -> e.getValue().signum() != 0)
                .sorted(Comparator.comparing((Map.Entry<LedgerAccount, BigDecimal> e) -> e.getKey().getId(),
                        Comparator.nullsLast(Comparator.naturalOrder())))
                .forEach(e -> entries.add(new LedgerEntry(this, e.getKey(), e.getValue().setScale(SCALE))));
    }

    /** The transaction that undoes this one, entry for entry. */
    public LedgerTransaction reversal(String postedBy, String memo, Instant now) {
        if (kind == Kind.REVERSAL) {
            throw new IllegalArgumentException("transaction " + id + " is itself a reversal; post a new transaction instead");
        }
        Map<LedgerAccount, BigDecimal> opposite = new LinkedHashMap<>();
        entries.forEach(e -> opposite.merge(e.getAccount(), e.getAmount().negate(), BigDecimal::add));
        LedgerTransaction reversal = new LedgerTransaction(Kind.REVERSAL, postedBy,
                "reverses transaction " + id + ": " + (memo == null || memo.isBlank() ? "no reason given" : memo.strip()),
                null, opposite, now);
        reversal.reverses = this;
        return reversal;
    }

    public Long getId() {
        return id;
    }

    public Kind getKind() {
        return kind;
    }

    public Instant getPostedAt() {
        return postedAt;
    }

    public String getPostedBy() {
        return postedBy;
    }

    public String getMemo() {
        return memo;
    }

    public Round getRound() {
        return round;
    }

    public LedgerTransaction getReverses() {
        return reverses;
    }

    public List<LedgerEntry> getEntries() {
        return List.copyOf(entries);
    }
}
