package org.civitas.federation.core.privacy.secagg;

import org.junit.jupiter.api.Test;

import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Five sites, threshold three: the coordinator gets exactly the survivors' sum, and nothing with too few. */
class SecureAggregationTest {

    private static final int SITES = 5;
    private static final int THRESHOLD = 3;
    private static final int LENGTH = 2000;
    private static final long ROUND = 42;
    private final FixedPoint encoding = new FixedPoint(16);

    /** A round's state: sites, their updates and masked uploads, and who holds which share. */
    private final class Round {
        final List<MaskingSite> sites = new ArrayList<>();
        final Map<Integer, PublicKey> keys = new HashMap<>();
        final Map<Integer, float[]> updates = new HashMap<>();
        final Map<Integer, List<MaskingSite.SharesFor>> sharesFrom = new HashMap<>();

        Round(long seed) throws NoSuchAlgorithmException {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            for (int i = 1; i <= SITES; i++) {
                MaskingSite site = new MaskingSite(i, random);
                sites.add(site);
                keys.put(i, MaskingSite.publicKeyOf(MaskingSite.encode(site.publicKey())));
                sharesFrom.put(i, site.shares(SITES, THRESHOLD));
                float[] x = new float[LENGTH];
                for (int k = 0; k < LENGTH; k++) {
                    x[k] = (float) (random.nextGaussian() * 0.5);
                }
                updates.put(i, x);
            }
        }

        float[] unmask(Set<Integer> dropped) {
            return unmask(dropped, MaskFormat.CURRENT);
        }

        float[] unmask(Set<Integer> dropped, MaskFormat format) {
            Map<Integer, int[]> masked = new HashMap<>();
            for (MaskingSite s : sites) {
                if (!dropped.contains(s.index())) {
                    masked.put(s.index(), s.mask(updates.get(s.index()), keys, ROUND, encoding, format));
                }
            }
            Map<Integer, List<Shamir.Share>> selfShares = new HashMap<>();
            Map<Integer, List<Shamir.Share>> keyShares = new HashMap<>();
            for (int owner = 1; owner <= SITES; owner++) {
                for (MaskingSite.SharesFor s : sharesFrom.get(owner)) {
                    if (!masked.containsKey(s.holder())) {
                        continue; // a dropped site returns nothing
                    }
                    if (masked.containsKey(owner)) {
                        selfShares.computeIfAbsent(owner, o -> new ArrayList<>()).add(s.selfMaskSeed());
                    } else {
                        keyShares.computeIfAbsent(owner, o -> new ArrayList<>()).add(s.privateKey());
                    }
                }
            }
            return Unmasker.sum(ROUND, THRESHOLD, encoding, masked, keys, selfShares, keyShares, format);
        }

        float[] plainSum(Set<Integer> dropped) {
            float[] sum = new float[LENGTH];
            updates.forEach((site, x) -> {
                if (!dropped.contains(site)) {
                    for (int k = 0; k < LENGTH; k++) {
                        sum[k] += x[k];
                    }
                }
            });
            return sum;
        }
    }

    @Test
    void theUnmaskedSumIsThePlainSumWithNoneOneOrTheMostDropoutsTheThresholdAllows() throws Exception {
        Round round = new Round(1);
        double tolerance = SITES * Math.scalb(1.0, -17) + 1e-5;
        for (MaskFormat format : MaskFormat.values()) {
            for (Set<Integer> dropped : List.of(Set.<Integer>of(), Set.of(4), Set.of(2, 5))) {
                float[] secure = round.unmask(dropped, format);
                float[] plain = round.plainSum(dropped);
                for (int k = 0; k < LENGTH; k++) {
                    assertThat((double) secure[k]).as("%s, dropped %s, index %d", format, dropped, k).isCloseTo(plain[k], within(tolerance));
                }
            }
        }
    }

    @Test
    void withFewerSurvivorsThanTheThresholdTheRoundFailsAndNothingIsAggregated() throws Exception {
        Round round = new Round(2);
        assertThatThrownBy(() -> round.unmask(Set.of(1, 2, 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("only 2 of 5 sites survived; secure aggregation needs at least 3 to remove the masks");
    }

    @Test
    void aMaskedUpdateAloneLooksUniform() throws Exception {
        Round round = new Round(3);
        float[] zeros = new float[100_000];
        int[] masked = round.sites.get(0).mask(zeros, round.keys, ROUND, encoding, MaskFormat.CURRENT);
        // Top 4 bits into 16 buckets: chi-square with 15 degrees of freedom stays below 37.7 (p = 0.001) for uniform data.
        long[] buckets = new long[16];
        double mean = 0;
        for (int v : masked) {
            buckets[v >>> 28]++;
            mean += Integer.toUnsignedLong(v) / 4294967296.0;
        }
        double expected = masked.length / 16.0;
        double chi = 0;
        for (long b : buckets) {
            chi += (b - expected) * (b - expected) / expected;
        }
        assertThat(chi).isLessThan(37.7);
        assertThat(mean / masked.length).isCloseTo(0.5, within(0.005));
    }

    @Test
    void anyThresholdOfSharesRebuildsTheSecretAndFewerCannot() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(9);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        List<Shamir.Share> shares = Shamir.split(secret, 5, 3, random);
        assertThat(Shamir.combine(List.of(shares.get(0), shares.get(2), shares.get(4)), 3)).isEqualTo(secret);
        assertThat(Shamir.combine(List.of(shares.get(3), shares.get(1), shares.get(0)), 3)).isEqualTo(secret);
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.get(0), shares.get(1)), 3)).hasMessage("need 3 distinct shares, got 2");
        assertThatThrownBy(() -> Shamir.combine(List.of(shares.get(0), shares.get(0), shares.get(1)), 3)).hasMessage("need 3 distinct shares, got 2");
    }

    @Test
    void fixedPointRefusesValuesThatCouldOverflowTheSum() {
        assertThat(encoding.bound(100)).isCloseTo(327.68, within(1e-9));
        assertThatThrownBy(() -> encoding.encode(new float[] {0, 400}, 100))
                .hasMessageContaining("value 400.0 at index 1 exceeds the fixed-point bound 327.68 for 100 sites (16 fraction bits)");
        assertThatThrownBy(() -> encoding.encode(new float[] {Float.NaN}, 1)).hasMessageContaining("exceeds the fixed-point bound");
        assertThat(encoding.decode(encoding.encode(new float[] {1.25f, -3.5f}, 2))).containsExactly(1.25f, -3.5f);
    }

    @Test
    void sealedSharesOpenOnlyForTheirRecipientAndContext() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(11);
        MaskingSite.Secrets alice = MaskingSite.Secrets.generate(random);
        MaskingSite.Secrets bob = MaskingSite.Secrets.generate(random);
        MaskingSite.Secrets carol = MaskingSite.Secrets.generate(random);
        MaskingSite.SharesFor shares = new MaskingSite(1, alice, random).shares(3, 2).get(1);
        String context = ShareEnvelope.context(7, 2, 1, 2);
        String sealed = ShareEnvelope.seal(alice, bob.encryptionPublic(), context, shares, random);

        MaskingSite.SharesFor opened = ShareEnvelope.open(bob, alice.encryptionPublic(), context, sealed);
        assertThat(opened).isEqualTo(shares);
        assertThatThrownBy(() -> ShareEnvelope.open(carol, alice.encryptionPublic(), context, sealed))
                .hasMessageContaining("does not authenticate");
        assertThatThrownBy(() -> ShareEnvelope.open(bob, alice.encryptionPublic(), ShareEnvelope.context(7, 3, 1, 2), sealed))
                .hasMessageContaining("does not authenticate");
        byte[] raw = java.util.Base64.getDecoder().decode(sealed);
        raw[20] ^= 1;
        assertThatThrownBy(() -> ShareEnvelope.open(bob, alice.encryptionPublic(), context, java.util.Base64.getEncoder().encodeToString(raw)))
                .hasMessageContaining("does not authenticate");
        assertThat(sealed).doesNotContain(shares.selfMaskSeed().y().toString(16));
    }

    @Test
    void secretsKeptAsTextMaskExactlyAsTheOriginals() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(12);
        Round round = new Round(12);
        MaskingSite original = round.sites.get(1);
        MaskingSite restored = new MaskingSite(2, MaskingSite.Secrets.parse(original.secrets().toText()), random);
        float[] update = round.updates.get(2);
        assertThat(restored.mask(update, round.keys, ROUND, encoding, MaskFormat.CURRENT)).isEqualTo(original.mask(update, round.keys, ROUND, encoding,
                MaskFormat.CURRENT));
        assertThatThrownBy(() -> MaskingSite.Secrets.parse("abc def")).hasMessage("secure-aggregation secrets need 5 fields, found 2");
    }

    @Test
    void aSiteRevealsSeedsOfSurvivorsKeysOfDropoutsAndNothingBelowTheThreshold() throws Exception {
        Round round = new Round(13);
        Map<Integer, MaskingSite.SharesFor> held = new HashMap<>();
        round.sharesFrom.forEach((owner, shares) -> held.put(owner, shares.get(0)));
        List<MaskingSite.Reveal> reveals = MaskingSite.reveal(held, Set.of(1, 2, 4), THRESHOLD);
        assertThat(reveals).extracting(MaskingSite.Reveal::owner).containsExactly(1, 2, 3, 4, 5);
        assertThat(reveals).extracting(MaskingSite.Reveal::secret).containsExactly(MaskingSite.Secret.SELF_MASK_SEED,
                MaskingSite.Secret.SELF_MASK_SEED, MaskingSite.Secret.PRIVATE_KEY, MaskingSite.Secret.SELF_MASK_SEED,
                MaskingSite.Secret.PRIVATE_KEY);
        assertThatThrownBy(() -> MaskingSite.reveal(held, Set.of(1, 2), THRESHOLD))
                .hasMessage("the coordinator names 2 survivors; at least 3 are needed, so no share is revealed");
        held.remove(5);
        assertThatThrownBy(() -> MaskingSite.reveal(held, Set.of(1, 2, 5), THRESHOLD))
                .hasMessage("the coordinator names survivors [5] that never sent this site their shares");
    }
}
