package org.civitas.federation.coordinator;

import org.civitas.federation.protocol.SecureAggregationProtocol;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.RoundStatus;
import org.civitas.domain.federation.SecureAggregationMember;
import org.civitas.domain.federation.SecureAggregationPhase;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.domain.federation.UpdateRejectedException.Reason;
import org.civitas.federation.protocol.SecureAggregationProtocol.Envelope;
import org.civitas.federation.protocol.SecureAggregationProtocol.Member;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.privacy.secagg.FixedPoint;
import org.civitas.federation.core.privacy.secagg.MaskedVector;
import org.civitas.federation.core.privacy.secagg.MaskingSite;
import org.civitas.federation.core.privacy.secagg.Shamir;
import org.civitas.federation.core.privacy.secagg.Unmasker;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.SecureAggregationRepository;

import java.math.BigInteger;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.time.Clock;

/**
 * The coordinator's side of secure aggregation: it collects keys, relays sealed shares, accepts
 * masked updates, names the survivors, and with their revealed shares removes the masks. It never
 * receives an unmasked individual update, and keeps the envelopes it relays unopened (it cannot
 * open them). Each request is one transaction under the round's lock.
 */
@Stateless
public class SecureAggregationService {

    /**
     * How this coordinator's rounds expand their masks, named in every roster: AES-256 in counter
     * mode, on the processor's AES instructions (a round's sites all mask alike, whatever their version).
     */
    static final org.civitas.federation.core.privacy.secagg.MaskFormat MASK_FORMAT =
            org.civitas.federation.core.privacy.secagg.MaskFormat.CURRENT;


    @Inject
    Clock clock;

    private static final BigInteger X25519_LIMIT = BigInteger.TWO.pow(255);

    @Inject
    FederationRepository federations;

    @Inject
    SecureAggregationRepository members;

    @Inject
    CoordinatorStores stores;

    @EJB
    ParticipantProtocolService protocol;

    /** Phase 1: the site's two public keys. A repeat with the same keys is accepted; other keys are refused. */
    public void advertise(SiteCaller caller, long federationId, int roundNumber, SecureAggregationProtocol.Keys keys) {
        Site site = protocol.site(caller);
        Round round = lockedRound(site, federationId, roundNumber);
        if (keys == null) {
            throw invalid("send encryptionKey and maskingKey");
        }
        String encryption = publicKey("encryptionKey", keys.encryptionKey());
        String masking = publicKey("maskingKey", keys.maskingKey());
        if (encryption.equals(masking)) {
            throw invalid("encryptionKey and maskingKey must be different keys");
        }
        var existing = members.member(round, site.getCode());
        if (existing.isPresent()) {
            if (!existing.get().hasKeys(encryption, masking)) {
                throw new UpdateRejectedException(Reason.DUPLICATE, "site '" + site.getCode() + "' already advertised other keys for round "
                        + roundNumber + " of federation " + federationId);
            }
            return;
        }
        requirePhase(round, SecureAggregationPhase.KEYS, "advertise keys");
        round.requireCanAccept(site, clock.instant());
        members.add(new SecureAggregationMember(round, site, encryption, masking, clock.instant()));
        advanceEarly(round);
    }

    /**
     * Opens the next phase at once when this message was the last one it waited for, rather than on
     * the coordinator's next tick; the final unmasking stays with the tick (it aggregates). Late
     * phases are left to the tick as well, which fails them.
     */
    public void advanceEarly(Round round) {
        if (round.getSecaggPhase() != SecureAggregationPhase.UNMASKING) {
            members.flush();
            advance(round, null, clock.instant());
        }
    }

    public SecureAggregationProtocol.Roster roster(SiteCaller caller, long federationId, int roundNumber) {
        Site site = protocol.site(caller);
        Round round = round(site, federationId, roundNumber);
        FederationPlan plan = round.getFederation().getPlan();
        List<Member> list = round.getSecaggPhase() == SecureAggregationPhase.KEYS ? List.of()
                : members.members(round).stream().filter(m -> m.getMemberIndex() != null)
                .map(m -> new Member(m.getMemberIndex(), m.getSite().getCode(), m.getEncryptionKey(), m.getMaskingKey())).toList();
        return new SecureAggregationProtocol.Roster(phase(round), plan.getSecaggThreshold(), plan.getSecaggFractionBits(),
                maskRound(round), list, MASK_FORMAT.id());
    }

    /** Phase 2: one sealed envelope for every other member of the roster. */
    public void submitShares(SiteCaller caller, long federationId, int roundNumber, SecureAggregationProtocol.Shares shares) {
        Site site = protocol.site(caller);
        Round round = lockedRound(site, federationId, roundNumber);
        SecureAggregationMember me = member(round, site);
        if (shares == null || shares.envelopes() == null) {
            throw invalid("send envelopes: one for every other member of the round");
        }
        List<SecureAggregationMember> roster = members.members(round).stream().filter(m -> m.getMemberIndex() != null).toList();
        Set<Integer> expected = roster.stream().map(SecureAggregationMember::getMemberIndex)
                .filter(i -> !i.equals(me.getMemberIndex())).collect(Collectors.toCollection(TreeSet::new));
        Map<Integer, String> envelopes = new TreeMap<>();
        for (Envelope e : shares.envelopes()) {
            if (e == null || e.envelope() == null || e.envelope().isBlank() || e.envelope().length() > 1000) {
                throw invalid("every envelope needs 'to' and an 'envelope' of at most 1000 characters");
            }
            if (envelopes.put(e.to(), e.envelope()) != null) {
                throw invalid("two envelopes for member " + e.to());
            }
        }
        if (me.getMemberIndex() == null || !envelopes.keySet().equals(expected)) {
            throw invalid("envelopes must go to exactly the other members " + expected + ", got " + envelopes.keySet());
        }
        if (!me.hasSentShares()) {
            requirePhase(round, SecureAggregationPhase.SHARES, "send shares");
        }
        me.sendShares(envelopes, clock.instant());
        advanceEarly(round);
    }

    /** Once the share phase closed: who masks with whom, and the envelopes addressed to this site. */
    public SecureAggregationProtocol.Inbox inbox(SiteCaller caller, long federationId, int roundNumber) {
        Site site = protocol.site(caller);
        Round round = round(site, federationId, roundNumber);
        if (round.getSecaggPhase() == SecureAggregationPhase.KEYS || round.getSecaggPhase() == SecureAggregationPhase.SHARES) {
            return new SecureAggregationProtocol.Inbox(phase(round), List.of(), List.of());
        }
        SecureAggregationMember me = member(round, site);
        List<SecureAggregationMember> sent = sharedMembers(round);
        if (!me.hasSentShares()) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT, "site '" + site.getCode()
                    + "' sent no shares in time and takes no further part in round " + roundNumber);
        }
        List<Envelope> mine = sent.stream().filter(m -> m != me)
                .map(m -> new Envelope(me.getMemberIndex(), m.getMemberIndex(), m.getSharesOut().get(me.getMemberIndex()))).toList();
        return new SecureAggregationProtocol.Inbox(phase(round), sent.stream().map(SecureAggregationMember::getMemberIndex).toList(), mine);
    }

    /** Checks a masked upload and answers its ring values; called under the round's lock by the upload. */
    public int[] checkMasked(Round round, Site site, java.nio.ByteBuffer body, String sha, NamedTensors global) {
        if (round.getSecaggPhase() != SecureAggregationPhase.MASKED_UPLOADS) {
            throw new UpdateRejectedException(Reason.ROUND_NOT_OPEN, "round " + round.getNumber() + " of federation "
                    + round.getFederation().getId() + " takes masked updates only in phase MASKED_UPLOADS; it is in " + phase(round));
        }
        SecureAggregationMember me = member(round, site);
        if (!me.hasSentShares()) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT, "site '" + site.getCode()
                    + "' sent no shares in time and takes no further part in round " + round.getNumber());
        }
        members.acceptedAs(sha).ifPresent(where -> {
            throw new UpdateRejectedException(Reason.DUPLICATE, "this masked update was already accepted (" + where
                    + "); a replayed upload is refused");
        });
        try {
            return MaskedVector.fromBytes(body, global.elementCount());
        } catch (IllegalArgumentException e) {
            throw new UpdateRejectedException(Reason.INVALID_TENSORS, "federation " + round.getFederation().getId()
                    + " uses secure aggregation: upload the masked update, not a plain one; " + e.getMessage());
        }
    }

    public SecureAggregationProtocol.Survivors survivors(SiteCaller caller, long federationId, int roundNumber) {
        Site site = protocol.site(caller);
        Round round = round(site, federationId, roundNumber);
        if (round.getSecaggPhase() != SecureAggregationPhase.UNMASKING) {
            return new SecureAggregationProtocol.Survivors(phase(round), List.of());
        }
        return new SecureAggregationProtocol.Survivors(phase(round), List.copyOf(survivorIndices(round).keySet()));
    }

    /**
     * Phase 4: a member's reveals, exactly one per member that sent shares: the self-mask seed share
     * of a survivor, the private-key share of a member whose masked update did not arrive.
     */
    public void reveal(SiteCaller caller, long federationId, int roundNumber, SecureAggregationProtocol.Reveals reveals) {
        Site site = protocol.site(caller);
        Round round = lockedRound(site, federationId, roundNumber);
        SecureAggregationMember me = member(round, site);
        if (!me.hasRevealed()) {
            requirePhase(round, SecureAggregationPhase.UNMASKING, "reveal shares");
        }
        if (!me.hasSentShares()) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT, "site '" + site.getCode() + "' holds no shares of round " + roundNumber);
        }
        if (reveals == null || reveals.reveals() == null) {
            throw invalid("send reveals: one share for every member that sent shares");
        }
        Set<Integer> survivors = survivorIndices(round).keySet();
        Set<Integer> owners = sharedMembers(round).stream().map(SecureAggregationMember::getMemberIndex).collect(Collectors.toSet());
        Map<Integer, String> shares = new TreeMap<>();
        for (SecureAggregationProtocol.Reveal r : reveals.reveals()) {
            if (r == null || r.secret() == null || r.y() == null || !r.y().matches("[0-9a-f]{1,140}")) {
                throw invalid("every reveal needs owner, secret, x and y (hex)");
            }
            String expected = survivors.contains(r.owner()) ? MaskingSite.Secret.SELF_MASK_SEED.name() : MaskingSite.Secret.PRIVATE_KEY.name();
            if (!owners.contains(r.owner())) {
                throw invalid("member " + r.owner() + " sent no shares in this round");
            }
            if (!expected.equals(r.secret())) {
                throw invalid("member " + r.owner() + (survivors.contains(r.owner()) ? " survived: reveal its " : " dropped out: reveal its ")
                        + expected + ", not " + r.secret());
            }
            if (r.x() != me.getMemberIndex()) {
                throw invalid("member " + me.getMemberIndex() + " holds the shares at x = " + me.getMemberIndex() + ", not " + r.x());
            }
            if (shares.put(r.owner(), r.secret() + ":" + r.x() + ":" + r.y()) != null) {
                throw invalid("two reveals for member " + r.owner());
            }
        }
        if (!shares.keySet().equals(new TreeSet<>(owners))) {
            throw invalid("reveals must cover exactly the members " + new TreeSet<>(owners) + ", got " + shares.keySet());
        }
        me.reveal(shares, clock.instant());
    }

    /** What {@link #advance} decided: wait, fail with a reason, or aggregate this update. */
    public record Step(String failure, FitResult result, int survivors) {
        static Step waiting() {
            return new Step(null, null, 0);
        }
    }

    /**
     * Moves the (locked) round through its phases; at the end removes the masks and answers the
     * survivors' aggregate as one result: their sum for DP (which divides by the expected number of
     * sites itself), else their sample-weighted mean (sites multiplied their update by their sample
     * count before masking).
     */
    public Step advance(Round round, NamedTensors global, Instant now) {
        FederationPlan plan = round.getFederation().getPlan();
        int t = plan.getSecaggThreshold();
        // No phase goes on with fewer sites than the plan's minimum (never below the threshold), which is
        // also what the privacy ledger assumes about the noise a round carries.
        int fewest = Math.max(t, plan.getMinSites());
        List<SecureAggregationMember> all = members.members(round);
        SecureAggregationPhase phase = round.getSecaggPhase();
        boolean late = now.isAfter(round.phaseDeadline(phase));
        switch (phase) {
            case KEYS -> {
                int expected = plan.getSites().size() - round.getWithheld().size();
                if (all.size() >= expected || (late && all.size() >= fewest)) {
                    round.openSharePhase(all);
                } else if (late) {
                    return failed(all.size() + " of " + expected + " sites advertised keys by " + round.phaseDeadline(phase)
                            + "; the round needs " + fewest, t);
                }
            }
            case SHARES -> {
                long sent = all.stream().filter(SecureAggregationMember::hasSentShares).count();
                long roster = all.stream().filter(m -> m.getMemberIndex() != null).count();
                if (sent >= roster || (late && sent >= fewest)) {
                    round.openMaskedUploads();
                } else if (late) {
                    return failed(sent + " of " + roster + " members sent their shares by " + round.phaseDeadline(phase)
                            + "; the round needs " + fewest, t);
                }
            }
            case MASKED_UPLOADS -> {
                long expected = all.stream().filter(SecureAggregationMember::hasSentShares).count();
                int uploaded = round.getReceipts().size();
                int needed = fewest;
                if ((uploaded >= expected && uploaded >= fewest) || (late && uploaded >= needed)) {
                    round.openUnmasking();
                } else if (late) {
                    return failed(uploaded + " of " + expected + " masked updates arrived by " + round.getDeadline()
                            + "; the round needs " + needed, t);
                }
            }
            case UNMASKING -> {
                Map<Integer, UpdateReceipt> survivors = survivorIndices(round);
                long revealed = all.stream().filter(m -> survivors.containsKey(m.getMemberIndex()) && m.hasRevealed()).count();
                if (revealed >= survivors.size() || (late && revealed >= t)) {
                    return unmask(round, global, all, survivors);
                } else if (late) {
                    return failed(revealed + " of " + survivors.size() + " survivors revealed their shares by "
                            + round.phaseDeadline(phase), t);
                }
            }
        }
        return Step.waiting();
    }

    private Step unmask(Round round, NamedTensors global, List<SecureAggregationMember> all, Map<Integer, UpdateReceipt> survivors) {
        FederationPlan plan = round.getFederation().getPlan();
        int t = plan.getSecaggThreshold();
        Map<Integer, PublicKey> keys = new TreeMap<>();
        all.stream().filter(SecureAggregationMember::hasSentShares)
                .forEach(m -> keys.put(m.getMemberIndex(), MaskingSite.publicKeyOf(new BigInteger(m.getMaskingKey(), 16))));
        Map<Integer, int[]> masked = new TreeMap<>();
        survivors.forEach((index, receipt) -> masked.put(index,
                MaskedVector.fromBytes(stores.updates().map(receipt.getStorageKey()), global.elementCount())));
        Map<Integer, List<Shamir.Share>> seedShares = new HashMap<>();
        Map<Integer, List<Shamir.Share>> keyShares = new HashMap<>();
        for (SecureAggregationMember holder : all) {
            holder.getReveals().forEach((owner, text) -> {
                String[] f = text.split(":");
                Shamir.Share share = new Shamir.Share(Integer.parseInt(f[1]), new BigInteger(f[2], 16));
                (MaskingSite.Secret.SELF_MASK_SEED.name().equals(f[0]) ? seedShares : keyShares)
                        .computeIfAbsent(owner, o -> new ArrayList<>()).add(share);
            });
        }
        float[] sum;
        try {
            sum = Unmasker.sum(maskRound(round), t, new FixedPoint(plan.getSecaggFractionBits()), masked, keys, seedShares, keyShares,
                    MASK_FORMAT);
        } catch (IllegalStateException | IllegalArgumentException e) {
            return failed("the masks could not be removed: " + e.getMessage(), t);
        }
        NamedTensors total = MaskedVector.unflatten(sum, global);
        long samples = survivors.values().stream().mapToLong(UpdateReceipt::getSampleCount).sum();
        if (plan.isDifferentiallyPrivate()) {
            return new Step(null, new FitResult("secure-aggregate", 1, () -> total), survivors.size());
        }
        NamedTensors mean = org.civitas.federation.core.aggregation.Updates.scaled(total, 1f / samples);
        return new Step(null, new FitResult("secure-aggregate", samples, () -> mean), survivors.size());
    }

    private static Step failed(String reason, int threshold) {
        return new Step("secure aggregation: " + reason + " (threshold " + threshold + ")", null, 0);
    }

    /** The survivors' receipts by member index. */
    private Map<Integer, UpdateReceipt> survivorIndices(Round round) {
        Map<String, Integer> index = new HashMap<>();
        members.members(round).forEach(m -> {
            if (m.getMemberIndex() != null) {
                index.put(m.getSite().getCode(), m.getMemberIndex());
            }
        });
        Map<Integer, UpdateReceipt> out = new TreeMap<>();
        round.getReceipts().forEach(r -> out.put(index.get(r.getSite().getCode()), r));
        return out;
    }

    private List<SecureAggregationMember> sharedMembers(Round round) {
        return members.members(round).stream().filter(SecureAggregationMember::hasSentShares).toList();
    }

    /** The number masks are derived with: the round's id, unique across federations. */
    static long maskRound(Round round) {
        return round.getId();
    }

    private SecureAggregationMember member(Round round, Site site) {
        SecureAggregationMember me = members.member(round, site.getCode()).orElseThrow(() ->
                new UpdateRejectedException(Reason.NOT_A_PARTICIPANT, "site '" + site.getCode() + "' advertised no keys for round "
                        + round.getNumber() + " of federation " + round.getFederation().getId()));
        if (me.getMemberIndex() == null && round.getSecaggPhase() != SecureAggregationPhase.KEYS) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT, "site '" + site.getCode() + "' has no place in round "
                    + round.getNumber());
        }
        return me;
    }

    private Round lockedRound(Site site, long federationId, int roundNumber) {
        Round round = federations.roundForUpdate(federationId, roundNumber).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_ROUND, "federation " + federationId + " has no round " + roundNumber));
        return checked(round, site);
    }

    private Round round(Site site, long federationId, int roundNumber) {
        Round round = federations.round(federationId, roundNumber).orElseThrow(() ->
                new UpdateRejectedException(Reason.UNKNOWN_ROUND, "federation " + federationId + " has no round " + roundNumber));
        return checked(round, site);
    }

    private static Round checked(Round round, Site site) {
        if (!round.getFederation().getPlan().includes(site)) {
            throw new UpdateRejectedException(Reason.NOT_A_PARTICIPANT,
                    "site '" + site.getCode() + "' is not a participant of federation " + round.getFederation().getId());
        }
        if (round.getSecaggPhase() == null) {
            throw invalid("federation " + round.getFederation().getId() + " does not use secure aggregation");
        }
        if (round.getStatus() != RoundStatus.OPEN) {
            throw new UpdateRejectedException(Reason.ROUND_NOT_OPEN, "round " + round.getNumber() + " of federation "
                    + round.getFederation().getId() + " is " + round.getStatus()
                    + (round.getFailureReason() == null ? "" : ": " + round.getFailureReason()));
        }
        return round;
    }

    private static void requirePhase(Round round, SecureAggregationPhase phase, String action) {
        if (round.getSecaggPhase() != phase) {
            throw new UpdateRejectedException(Reason.ROUND_NOT_OPEN, "cannot " + action + ": round " + round.getNumber() + " of federation "
                    + round.getFederation().getId() + " is in phase " + round.getSecaggPhase() + ", not " + phase);
        }
    }

    private static String phase(Round round) {
        return round.getSecaggPhase().name();
    }

    private static String publicKey(String field, String hex) {
        if (hex == null || !hex.matches("[0-9a-f]{1,64}")) {
            throw invalid(field + " must be an X25519 public key in lowercase hex (at most 64 digits)");
        }
        BigInteger u = new BigInteger(hex, 16);
        if (u.signum() == 0 || u.compareTo(X25519_LIMIT) >= 0) {
            throw invalid(field + " is not an X25519 public key");
        }
        return u.toString(16);
    }

    private static UpdateRejectedException invalid(String message) {
        return new UpdateRejectedException(Reason.INVALID_TENSORS, message);
    }
}
