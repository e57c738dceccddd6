package org.civitas.federation.protocol;

import java.util.List;

/**
 * The messages of the secure-aggregation part of the participant protocol (Bonawitz et al. 2017,
 * with the coordinator as the relay). Keys are X25519 u-coordinates in hex; envelopes are sealed
 * shares in base64 that only their recipient can open.
 */
public final class SecureAggregationProtocol {

    private SecureAggregationProtocol() {
    }

    /** Round-task keys that tell a site to take part in secure aggregation. */
    public static final String THRESHOLD = "secaggThreshold";
    public static final String FRACTION_BITS = "secaggFractionBits";
    /** 1 when the site multiplies its update by its sample count before masking (FedAvg weights), 0 for equal weights (DP). */
    public static final String WEIGHT_BY_SAMPLES = "secaggWeightBySamples";

    /** A site's two public keys for the round. */
    public record Keys(String encryptionKey, String maskingKey) {
    }

    /** One member of the round: its index, site and public keys. */
    public record Member(int index, String site, String encryptionKey, String maskingKey) {
    }

    /**
     * The round's members, once the key phase closed (empty before).
     *
     * @param maskRound  the number every member's masks are derived with (unique per round)
     * @param maskFormat how every member expands its masks (the core's {@code MaskFormat} id); absent from
     *                   coordinators before formats were named, which expand with ChaCha20
     */
    public record Roster(String phase, int threshold, int fractionBits, long maskRound, List<Member> members, String maskFormat) {
    }

    /** A sealed envelope to ({@code to}) or from ({@code from}) a member, by index. */
    public record Envelope(int to, int from, String envelope) {
    }

    /** What a site sends in the share phase: one envelope for every other member. */
    public record Shares(List<Envelope> envelopes) {
    }

    /** The members that sent their shares (whom each masks with) and the envelopes addressed to this site. */
    public record Inbox(String phase, List<Integer> members, List<Envelope> envelopes) {
    }

    /** The members whose masked update arrived: survivors. */
    public record Survivors(String phase, List<Integer> survivors) {
    }

    /** One revealed share: of the owner's self-mask seed or private key, Shamir point (x, y in hex). */
    public record Reveal(int owner, String secret, int x, String y) {
    }

    /** What a survivor sends at the end: one share for every member that sent shares. */
    public record Reveals(List<Reveal> reveals) {
    }
}
