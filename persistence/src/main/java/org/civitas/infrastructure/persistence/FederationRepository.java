package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.RoundStatus;

import java.util.List;
import java.util.Optional;

/** Federation plans, federations and their rounds. */
@ApplicationScoped
public class FederationRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public FederationPlan add(FederationPlan plan) {
        return GeneratedIds.persist(em, plan);
    }

    public Federation add(Federation federation) {
        return GeneratedIds.persist(em, federation);
    }

    public Optional<Federation> federation(long id) {
        return Optional.ofNullable(em.find(Federation.class, id));
    }

    public List<Federation> federations() {
        return em.createQuery("select f from Federation f order by f.id desc", Federation.class).getResultList();
    }

    public long federationCount() {
        return em.createQuery("select count(f) from Federation f", Long.class).getSingleResult();
    }

    /**
     * The round, locked for update: uploads and aggregation of the same round are serialised, so
     * an update can never slip into a round that is being closed.
     */
    public Optional<Round> roundForUpdate(long federationId, int number) {
        return em.createQuery("select r from Round r where r.federation.id = :f and r.number = :n", Round.class)
                .setParameter("f", federationId).setParameter("n", number)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultStream().findFirst();
    }

    public Optional<Round> round(long federationId, int number) {
        return em.createQuery("select r from Round r where r.federation.id = :f and r.number = :n", Round.class)
                .setParameter("f", federationId).setParameter("n", number)
                .getResultStream().findFirst();
    }

    /** The running federations of a plan, by the plan's hash. */
    public List<Federation> running(String planSha256) {
        return em.createQuery("select f from Federation f where f.plan.planSha256 = :h and f.status = :s order by f.id", Federation.class)
                .setParameter("h", planSha256).setParameter("s", org.civitas.domain.federation.FederationStatus.RUNNING).getResultList();
    }

    /** The federations that rebuild this one's line without a withdrawn enterprise. */
    public List<Federation> rebuildsOf(long federationId) {
        return em.createQuery("select f from Federation f where f.rebuildOf.id = :id order by f.id", Federation.class)
                .setParameter("id", federationId).getResultList();
    }

    public List<Round> openRounds() {
        return em.createQuery("select r from Round r join fetch r.federation where r.status = :s order by r.id", Round.class)
                .setParameter("s", RoundStatus.OPEN).getResultList();
    }

    /** Open rounds of running federations whose plan names the site. */
    public List<Round> openRoundsFor(String siteCode) {
        return em.createQuery("select r from Round r join r.federation f join f.plan p join p.sites s "
                        + "where r.status = :st and s.code = :code order by r.id", Round.class)
                .setParameter("st", RoundStatus.OPEN).setParameter("code", siteCode).getResultList();
    }

    /**
     * Which of these rounds already hold an update from the site, in one query: a poll asks this
     * every second per site, and reading each round's receipts to find out grew with the square of
     * the number of sites.
     */
    public java.util.Set<Long> roundsAnsweredBy(String siteCode, List<Round> rounds) {
        if (rounds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(em.createQuery("select u.round.id from UpdateReceipt u "
                        + "where u.site.code = :code and u.round in :rounds", Long.class)
                .setParameter("code", siteCode).setParameter("rounds", rounds).getResultList());
    }

    /**
     * A fingerprint of what decides every site's tasks: the newest round, the open rounds, those of them
     * waiting for valuation and the sites they withhold. Held polls are asked again only when it
     * changes, so a server holding a hundred polls asks the database a few questions a second, not a
     * hundred.
     */
    public record RoundsMark(Long newestRound, long open, long awaitingValuation, long withheld) {
    }

    public RoundsMark roundsMark() {
        Long newest = em.createQuery("select max(r.id) from Round r", Long.class).getSingleResult();
        long open = em.createQuery("select count(r) from Round r where r.status = :st", Long.class)
                .setParameter("st", RoundStatus.OPEN).getSingleResult();
        long awaiting = em.createQuery("select count(r) from Round r where r.status = :st and r.awaitingValuation = true", Long.class)
                .setParameter("st", RoundStatus.OPEN).getSingleResult();
        long withheld = em.createQuery("select count(w) from Round r join r.withheld w where r.status = :st", Long.class)
                .setParameter("st", RoundStatus.OPEN).getSingleResult();
        return new RoundsMark(newest, open, awaiting, withheld);
    }

    /** A round to value: its federation and number. */
    public record RoundRef(long federationId, int number) {
    }

    /** The rounds that open rounds wait for: each open round awaiting valuation waits for the round before it. */
    public List<RoundRef> roundsAwaited() {
        return refs(em.createQuery("select r.federation.id, r.number - 1 from Round r where r.status = :st and r.awaitingValuation = true",
                Object[].class).setParameter("st", RoundStatus.OPEN).getResultList());
    }

    /** Rounds aggregated since {@code since} of which no site's contribution is recorded, oldest first. */
    public List<RoundRef> aggregatedUnvaluedSince(java.time.Instant since) {
        return refs(em.createQuery("select r.federation.id, r.number from Round r where r.status = :st and r.closedAt >= :since"
                        + " and not exists (select c from ContributionValue c where c.round = r) order by r.closedAt", Object[].class)
                .setParameter("st", RoundStatus.AGGREGATED).setParameter("since", since).getResultList());
    }

    private static List<RoundRef> refs(List<Object[]> rows) {
        return rows.stream().map(row -> new RoundRef(((Number) row[0]).longValue(), ((Number) row[1]).intValue())).toList();
    }

    public java.util.Optional<org.civitas.domain.federation.SiteSchedule> schedule(String siteCode) {
        return java.util.Optional.ofNullable(em.find(org.civitas.domain.federation.SiteSchedule.class, siteCode));
    }

    public void add(org.civitas.domain.federation.SiteSchedule schedule) {
        em.persist(schedule);
    }
}
