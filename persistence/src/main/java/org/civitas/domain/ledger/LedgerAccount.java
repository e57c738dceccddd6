package org.civitas.domain.ledger;

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
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.civitas.domain.consortium.Enterprise;

import java.math.BigDecimal;

/**
 * A credit account. Its balance is kept on the row as well as derivable from its entries; the
 * version column makes two transactions that post to the same account from the same starting
 * balance collide, so one retries instead of overwriting the other's balance.
 */
@Entity
@Table(name = "ledger_account")
public class LedgerAccount {

    public enum Kind {
        /** Credits earned by an enterprise. */
        ENTERPRISE,
        /** The consortium's pool that rounds are rewarded from. */
        REWARD_POOL,
        /** Where credits come into existence; its balance is minus all credits issued. */
        ISSUANCE
    }

    public static final String REWARD_POOL = "consortium:reward-pool";
    public static final String ISSUANCE = "consortium:issuance";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 100)
    private String code;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private Kind kind;

    @ManyToOne(fetch = FetchType.EAGER)
    @JoinColumn(name = "enterprise_id")
    private Enterprise enterprise;

    @Column(nullable = false, precision = 19, scale = 4)
    private BigDecimal balance = BigDecimal.ZERO.setScale(LedgerTransaction.SCALE);

    @Version
    private long version;

    protected LedgerAccount() {
    }

    private LedgerAccount(String code, Kind kind, Enterprise enterprise) {
        this.code = code;
        this.kind = kind;
        this.enterprise = enterprise;
    }

    public static String codeOf(Enterprise enterprise) {
        return "enterprise:" + enterprise.getCode();
    }

    public static LedgerAccount of(Enterprise enterprise) {
        return new LedgerAccount(codeOf(enterprise), Kind.ENTERPRISE, enterprise);
    }

    public static LedgerAccount rewardPool() {
        return new LedgerAccount(REWARD_POOL, Kind.REWARD_POOL, null);
    }

    public static LedgerAccount issuance() {
        return new LedgerAccount(ISSUANCE, Kind.ISSUANCE, null);
    }

    /** Only {@link LedgerTransaction} moves balances, entry by entry. */
    BigDecimal apply(BigDecimal amount) {
        balance = balance.add(amount);
        return balance;
    }

    public Long getId() {
        return id;
    }

    public String getCode() {
        return code;
    }

    public Kind getKind() {
        return kind;
    }

    public Enterprise getEnterprise() {
        return enterprise;
    }

    public BigDecimal getBalance() {
        return balance;
    }

    public long getVersion() {
        return version;
    }
}
