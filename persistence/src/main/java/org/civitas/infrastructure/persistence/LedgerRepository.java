package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.ledger.LedgerAccount;
import org.civitas.domain.ledger.LedgerEntry;
import org.civitas.domain.ledger.LedgerTransaction;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/** Ledger accounts, transactions and entries. Sums are computed by the database. */
@ApplicationScoped
public class LedgerRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public Optional<LedgerAccount> account(String code) {
        return em.createQuery("select a from LedgerAccount a where a.code = :c", LedgerAccount.class)
                .setParameter("c", code).getResultStream().findFirst();
    }

    public LedgerAccount required(String code) {
        return account(code).orElseThrow(() -> new IllegalArgumentException("no ledger account '" + code + "'"));
    }

    /** The enterprise's account, opened on first use. */
    public LedgerAccount accountOf(Enterprise enterprise) {
        return account(LedgerAccount.codeOf(enterprise)).orElseGet(() -> {
            LedgerAccount account = LedgerAccount.of(enterprise);
            return GeneratedIds.persist(em, account);
        });
    }

    public List<LedgerAccount> accounts() {
        return em.createQuery("select a from LedgerAccount a order by a.kind, a.code", LedgerAccount.class).getResultList();
    }

    public LedgerTransaction post(LedgerTransaction transaction) {
        return GeneratedIds.persist(em, transaction);
    }

    public Optional<LedgerTransaction> transaction(long id) {
        return Optional.ofNullable(em.find(LedgerTransaction.class, id));
    }

    public boolean isReversed(long transactionId) {
        return em.createQuery("select count(t) from LedgerTransaction t where t.reverses.id = :id", Long.class)
                .setParameter("id", transactionId).getSingleResult() > 0;
    }

    public boolean roundRewarded(long roundId) {
        return em.createQuery("select count(t) from LedgerTransaction t where t.round.id = :r and t.kind = :k", Long.class)
                .setParameter("r", roundId).setParameter("k", LedgerTransaction.Kind.ROUND_REWARD).getSingleResult() > 0;
    }

    /** The account's entries, oldest first. */
    public List<LedgerEntry> statement(long accountId) {
        return em.createQuery("select e from LedgerEntry e join fetch e.transaction where e.account.id = :a order by e.id",
                LedgerEntry.class).setParameter("a", accountId).getResultList();
    }

    /** The sum of the account's entries, as the database computes it. */
    public BigDecimal entrySum(long accountId) {
        BigDecimal sum = em.createQuery("select sum(e.amount) from LedgerEntry e where e.account.id = :a", BigDecimal.class)
                .setParameter("a", accountId).getSingleResult();
        return sum == null ? BigDecimal.ZERO : sum;
    }

    /** What an account received and gave, both as positive sums. */
    public record Totals(BigDecimal credited, BigDecimal debited) {
    }

    public Totals totals(long accountId) {
        Object[] row = em.createQuery("select coalesce(sum(case when e.amount > 0 then e.amount else 0 end), 0), "
                + "coalesce(sum(case when e.amount < 0 then -e.amount else 0 end), 0) from LedgerEntry e where e.account.id = :a",
                Object[].class).setParameter("a", accountId).getSingleResult();
        return new Totals(new BigDecimal(row[0].toString()), new BigDecimal(row[1].toString()));
    }

    /** The sum of every entry in the ledger; zero unless an entry was lost or forged. */
    public BigDecimal totalOfAllEntries() {
        BigDecimal sum = em.createQuery("select sum(e.amount) from LedgerEntry e", BigDecimal.class).getSingleResult();
        return sum == null ? BigDecimal.ZERO : sum;
    }

    /** Accounts whose kept balance differs from the sum of their entries, as "code: balance vs sum". */
    public List<String> balanceMismatches() {
        String sum = "(select coalesce(sum(e.amount), 0) from LedgerEntry e where e.account = a)";
        return em.createQuery("select a.code, a.balance, " + sum + " from LedgerAccount a where a.balance <> " + sum, Object[].class)
                .getResultStream().map(row -> row[0] + ": balance " + row[1] + " vs entries " + row[2]).toList();
    }

    public long entryCount() {
        return em.createQuery("select count(e) from LedgerEntry e", Long.class).getSingleResult();
    }
}
