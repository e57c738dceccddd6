package org.civitas.federation.coordinator;

import org.civitas.domain.security.Role;

import org.civitas.federation.common.Caller;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.TransactionRunner;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.contribution.ContributionValue;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.ledger.LedgerAccount;
import org.civitas.domain.ledger.LedgerEntry;
import org.civitas.domain.ledger.LedgerTransaction;
import org.civitas.federation.core.valuation.RewardSplit;
import org.civitas.infrastructure.persistence.ContributionRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.LedgerRepository;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.time.Clock;

/**
 * The credit ledger: rewards rounds by contribution, posts administrators' adjustments and
 * reversals, and reports statements and invariants. Every posting runs in its own transaction,
 * retried when a concurrent posting moved the same accounts first, and is recorded in the audit
 * chain in that same transaction.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LedgerService {

    @Inject
    Clock clock;

    @Inject
    LedgerRepository ledger;

    @Inject
    FederationRepository federations;

    @Inject
    ContributionRepository contributions;

    @EJB
    TransactionRunner transactions;

    @EJB
    AuditService audit;

    public record AccountView(String code, String kind, String enterprise, BigDecimal balance, BigDecimal entrySum) {
    }

    public record StatementLine(long transactionId, Instant postedAt, String kind, String memo, Integer federationRound,
                                BigDecimal amount, BigDecimal balanceAfter) {
    }

    public record Statement(String account, BigDecimal balance, BigDecimal credited, BigDecimal debited, List<StatementLine> lines) {
    }

    public record TransactionView(long id, String kind, Instant postedAt, String postedBy, String memo, Map<String, BigDecimal> entries) {
        static TransactionView of(LedgerTransaction t) {
            Map<String, BigDecimal> entries = new LinkedHashMap<>();
            t.getEntries().forEach(e -> entries.put(e.getAccount().getCode(), e.getAmount()));
            return new TransactionView(t.getId(), t.getKind().name(), t.getPostedAt(), t.getPostedBy(), t.getMemo(), entries);
        }
    }

    /** The ledger's invariants: all entries sum to zero and every kept balance equals its entries' sum. */
    public record Check(BigDecimal totalOfAllEntries, long entries, List<String> balanceMismatches, boolean balanced) {
    }

    /**
     * Posts the round's reward, once: the plan's reward per round is issued and split among the
     * enterprises of the round's sites by contribution (see {@link RewardSplit} for the rule on
     * values that are not positive); free riders and sites under the plan's minimum receive
     * nothing, and what nobody earned stays in the reward pool.
     */
    public String rewardRound(long federationId, int roundNumber) {
        return transactions.withRetry("reward of federation " + federationId + " round " + roundNumber, () -> {
            Round round = federations.round(federationId, roundNumber).orElseThrow(() ->
                    new NotFoundException("federation " + federationId + " has no round " + roundNumber));
            FederationPlan plan = round.getFederation().getPlan();
            if (plan.getRewardPerRound() == null || plan.getRewardPerRound().signum() == 0) {
                return "the plan rewards no credits";
            }
            if (ledger.roundRewarded(round.getId())) {
                return "round " + roundNumber + " was rewarded already";
            }
            List<ContributionValue> values = contributions.ofRound(round.getId());
            if (values.isEmpty()) {
                return "round " + roundNumber + " has no contribution values: nothing to reward";
            }
            Map<String, Double> bySite = new TreeMap<>();
            Map<String, Site> sites = new HashMap<>();
            values.forEach(v -> {
                bySite.put(v.getSite().getCode(), v.getContribution());
                sites.put(v.getSite().getCode(), v.getSite());
            });
            Set<String> ineligible = values.stream().filter(v -> belowRule(v, plan) != null)
                    .map(v -> v.getSite().getCode()).collect(Collectors.toSet());
            BigDecimal reward = plan.getRewardPerRound();
            Map<String, BigDecimal> shares = RewardSplit.split(reward, bySite, ineligible, LedgerTransaction.SCALE,
                    plan.getParticipationShare() == null ? 0 : plan.getParticipationShare());
            BigDecimal paid = shares.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            Map<LedgerAccount, BigDecimal> amounts = new LinkedHashMap<>();
            amounts.put(ledger.required(LedgerAccount.ISSUANCE), reward.negate());
            amounts.put(ledger.required(LedgerAccount.REWARD_POOL), reward.subtract(paid));
            shares.forEach((site, share) -> amounts.merge(ledger.accountOf(sites.get(site).getEnterprise()), share, BigDecimal::add));
            String memo = "reward of federation " + federationId + " round " + roundNumber + ": " + reward.toPlainString()
                    + " credits by " + values.get(0).getMethod() + (ineligible.isEmpty() ? "" : "; nothing for " + new TreeMap<>(
                    values.stream().filter(v -> ineligible.contains(v.getSite().getCode()))
                            .collect(Collectors.toMap(v -> v.getSite().getCode(), v -> belowRule(v, plan)))));
            LedgerTransaction posted = ledger.post(new LedgerTransaction(LedgerTransaction.Kind.ROUND_REWARD, AuditService.SYSTEM,
                    memo, round, amounts, clock.instant()));
            audit.record(AuditService.SYSTEM, "ledger.round-reward", "federation " + federationId + " round " + roundNumber,
                    "transaction " + posted.getId() + ": " + entriesText(posted));
            return "round " + roundNumber + " rewarded: " + entriesText(posted);
        });
    }

    /** Why a valued site falls under the plan's contribution rule, or null when it does not. */
    static String belowRule(ContributionValue v, FederationPlan plan) {
        if (v.getFreeRiderEvidence() != null) {
            return "free rider (" + v.getFreeRiderEvidence() + ")";
        }
        if (plan.getMinContribution() != null && v.getContribution() < plan.getMinContribution()) {
            return String.format(java.util.Locale.ROOT, "contribution %.4g below the plan's minimum %.4g", v.getContribution(),
                    plan.getMinContribution());
        }
        return null;
    }

    /** Moves credits between two accounts by hand, with a memo saying why. */
    public TransactionView adjust(String fromCode, String toCode, BigDecimal amount, String memo, Caller caller) {
        caller.require("adjust the ledger", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        if (amount.signum() <= 0) {
            throw new InvalidRequestException("amount must be positive, was " + amount.toPlainString());
        }
        if (fromCode.equals(toCode)) {
            throw new InvalidRequestException("from and to must be different accounts, both were '" + fromCode + "'");
        }
        return transactions.withRetry("adjustment", () -> {
            LedgerAccount from = ledger.account(fromCode).orElseThrow(() ->
                    new InvalidRequestException("no ledger account '" + fromCode + "' (from)"));
            LedgerAccount to = ledger.account(toCode).orElseThrow(() ->
                    new InvalidRequestException("no ledger account '" + toCode + "' (to)"));
            Map<LedgerAccount, BigDecimal> amounts = new LinkedHashMap<>();
            amounts.put(from, amount.negate());
            amounts.put(to, amount);
            LedgerTransaction posted = post(LedgerTransaction.Kind.ADJUSTMENT, actor, memo, amounts);
            audit.record(actor, "ledger.adjustment", fromCode + " -> " + toCode,
                    "transaction " + posted.getId() + ": " + entriesText(posted) + "; " + posted.getMemo());
            return TransactionView.of(posted);
        });
    }

    /** Undoes a transaction by posting its opposite; a transaction is reversed at most once. */
    public TransactionView reverse(long transactionId, String memo, Caller caller) {
        caller.require("reverse ledger transactions", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        return transactions.withRetry("reversal of " + transactionId, () -> {
            LedgerTransaction original = ledger.transaction(transactionId).orElseThrow(() ->
                    new NotFoundException("ledger transaction " + transactionId + " does not exist"));
            if (ledger.isReversed(transactionId)) {
                throw new InvalidRequestException("transaction " + transactionId + " was reversed already");
            }
            LedgerTransaction reversal;
            try {
                reversal = ledger.post(original.reversal(actor, memo, clock.instant()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
            audit.record(actor, "ledger.reversal", "transaction " + transactionId,
                    "transaction " + reversal.getId() + ": " + entriesText(reversal) + "; " + reversal.getMemo());
            return TransactionView.of(reversal);
        });
    }

    private LedgerTransaction post(LedgerTransaction.Kind kind, String actor, String memo, Map<LedgerAccount, BigDecimal> amounts) {
        try {
            return ledger.post(new LedgerTransaction(kind, actor, memo, null, amounts, clock.instant()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    private static String entriesText(LedgerTransaction t) {
        return t.getEntries().stream().map(e -> e.getAccount().getCode() + " " + (e.getAmount().signum() > 0 ? "+" : "")
                + e.getAmount().toPlainString()).collect(Collectors.joining(", "));
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public List<AccountView> accounts() {
        return ledger.accounts().stream().map(a -> new AccountView(a.getCode(), a.getKind().name(),
                a.getEnterprise() == null ? null : a.getEnterprise().getCode(), a.getBalance(), ledger.entrySum(a.getId()))).toList();
    }

    /** The account's entries oldest first with running balances; totals summed by the database. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Statement statement(String accountCode) {
        LedgerAccount account = ledger.account(accountCode).orElseThrow(() ->
                new NotFoundException("no ledger account '" + accountCode + "'"));
        List<LedgerEntry> entries = ledger.statement(account.getId());
        List<StatementLine> lines = entries.stream().map(e -> new StatementLine(e.getTransaction().getId(),
                e.getTransaction().getPostedAt(), e.getTransaction().getKind().name(), e.getTransaction().getMemo(),
                e.getTransaction().getRound() == null ? null : e.getTransaction().getRound().getNumber(),
                e.getAmount(), e.getBalanceAfter())).toList();
        LedgerRepository.Totals totals = ledger.totals(account.getId());
        return new Statement(account.getCode(), account.getBalance(), totals.credited(), totals.debited(), lines);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Check check() {
        BigDecimal total = ledger.totalOfAllEntries();
        List<String> mismatches = ledger.balanceMismatches();
        return new Check(total, ledger.entryCount(), mismatches, total.signum() == 0 && mismatches.isEmpty());
    }
}
