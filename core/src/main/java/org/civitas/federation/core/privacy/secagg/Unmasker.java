package org.civitas.federation.core.privacy.secagg;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The coordinator's side: it sums the surviving sites' masked updates, removes their self masks
 * (from seeds rebuilt out of t shares each) and the pairwise masks they shared with sites that
 * dropped out (from those sites' private keys rebuilt out of t shares), and learns the sum and
 * nothing else. With fewer than t survivors nothing can be rebuilt and the round fails.
 */
public final class Unmasker {

    private Unmasker() {
    }

    /**
     * @param masked         the surviving sites' masked updates, by site index
     * @param publicKeys     every site's public key of the round, by index (survivors and dropped)
     * @param selfMaskShares for each survivor, the shares of its self-mask seed the survivors returned
     * @param keyShares      for each dropped site, the shares of its private key the survivors returned
     * @param format         how the round's masks were expanded
     * @return the sum of the survivors' updates, decoded
     */
    public static float[] sum(long round, int threshold, FixedPoint encoding, Map<Integer, int[]> masked,
                              Map<Integer, PublicKey> publicKeys, Map<Integer, List<Shamir.Share>> selfMaskShares,
                              Map<Integer, List<Shamir.Share>> keyShares, MaskFormat format) {
        if (masked.size() < threshold) {
            throw new IllegalStateException("only " + masked.size() + " of " + publicKeys.size()
                    + " sites survived; secure aggregation needs at least " + threshold + " to remove the masks");
        }
        Set<Integer> dropped = new TreeSet<>(publicKeys.keySet());
        dropped.removeAll(masked.keySet());
        int length = masked.values().iterator().next().length;
        int[] total = new int[length];
        for (Map.Entry<Integer, int[]> e : masked.entrySet()) {
            if (e.getValue().length != length) {
                throw new IllegalArgumentException("masked update of site " + e.getKey() + " has " + e.getValue().length
                        + " values, expected " + length);
            }
            Masks.add(total, e.getValue(), 1);
        }
        List<Masks.Term> terms = new ArrayList<>();
        for (int u : masked.keySet()) {
            terms.add(new Masks.Term(Shamir.combine(required(selfMaskShares, u, threshold, "self-mask seed"), threshold), -1));
        }
        for (int v : dropped) {
            PrivateKey key = MaskingSite.privateKeyOf(Shamir.combine(required(keyShares, v, threshold, "private key"), threshold));
            for (int u : masked.keySet()) {
                // Survivor u added +PRG(s_uv) when v > u, and −PRG(s_uv) when v < u.
                terms.add(new Masks.Term(Masks.pairSeed(MaskingSite.agree(key, publicKeys.get(u)), round), v > u ? -1 : 1));
            }
        }
        Masks.addAll(total, terms, round, format);
        return encoding.decode(total);
    }

    private static List<Shamir.Share> required(Map<Integer, List<Shamir.Share>> shares, int site, int threshold, String what) {
        List<Shamir.Share> s = shares.getOrDefault(site, List.of());
        if (s.size() < threshold) {
            throw new IllegalStateException("only " + s.size() + " shares of the " + what + " of site " + site
                    + " came back; " + threshold + " are needed");
        }
        return new ArrayList<>(s);
    }
}
