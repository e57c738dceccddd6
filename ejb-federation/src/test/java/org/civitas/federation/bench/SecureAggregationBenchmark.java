package org.civitas.federation.bench;

import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.privacy.secagg.FixedPoint;
import org.civitas.federation.core.privacy.secagg.MaskFormat;
import org.civitas.federation.core.privacy.secagg.MaskingSite;
import org.civitas.federation.core.privacy.secagg.Shamir;
import org.civitas.federation.core.privacy.secagg.Unmasker;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Secure aggregation against plain aggregation in the same run: the coordinator's plain FedAvg of
 * N updates; one site's masking of its update (every site does this, in parallel, at its own
 * server); the coordinator's unmasking with no dropout and with one dropout.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class SecureAggregationBenchmark {

    @Param({"3", "10"})
    public int sites;

    @Param({"1000000", "10000000"})
    public int parameters;

    /** How the masks are expanded: civitas-mask-aes256ctr-v2 (the coordinator's now) or civitas-mask-chacha20-v1. */
    @Param({"civitas-mask-aes256ctr-v2", "civitas-mask-chacha20-v1"})
    public String format;

    private MaskFormat maskFormat;

    private final FixedPoint encoding = new FixedPoint(16);
    private List<MaskingSite> maskingSites;
    private Map<Integer, PublicKey> keys;
    private List<float[]> updates;
    private Map<Integer, int[]> masked;
    private Map<Integer, List<Shamir.Share>> selfShares;
    private Map<Integer, List<Shamir.Share>> selfSharesWithoutLast;
    private Map<Integer, List<Shamir.Share>> keySharesOfLast;
    private NamedTensors global;
    private List<FitResult> plain;
    private int threshold;

    @Setup
    public void setUp() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(1);
        threshold = sites / 2 + 1;
        maskFormat = MaskFormat.of(format);
        maskingSites = new ArrayList<>();
        keys = new HashMap<>();
        updates = new ArrayList<>();
        plain = new ArrayList<>();
        Map<Integer, List<MaskingSite.SharesFor>> shares = new HashMap<>();
        for (int i = 1; i <= sites; i++) {
            MaskingSite s = new MaskingSite(i, random);
            maskingSites.add(s);
            keys.put(i, s.publicKey());
            shares.put(i, s.shares(sites, threshold));
            NamedTensors u = BenchData.state(parameters, 100 + i);
            updates.add(u.get("w").values());
            plain.add(new FitResult("s" + i, 1, () -> u));
        }
        global = NamedTensors.builder().put("w", Tensor.zeros(parameters)).build();
        masked = new HashMap<>();
        for (MaskingSite s : maskingSites) {
            masked.put(s.index(), s.mask(updates.get(s.index() - 1), keys, 1, encoding, maskFormat));
        }
        selfShares = new HashMap<>();
        selfSharesWithoutLast = new HashMap<>();
        keySharesOfLast = new HashMap<>();
        for (int owner = 1; owner <= sites; owner++) {
            for (MaskingSite.SharesFor f : shares.get(owner)) {
                selfShares.computeIfAbsent(owner, o -> new ArrayList<>()).add(f.selfMaskSeed());
                if (f.holder() != sites) {
                    if (owner != sites) {
                        selfSharesWithoutLast.computeIfAbsent(owner, o -> new ArrayList<>()).add(f.selfMaskSeed());
                    } else {
                        keySharesOfLast.computeIfAbsent(owner, o -> new ArrayList<>()).add(f.privateKey());
                    }
                }
            }
        }
    }

    @Benchmark
    public NamedTensors plainFedAvg() {
        return new FedAvg().aggregateFit(RoundContext.first(), global, plain).global();
    }

    @Benchmark
    public int[] maskOneSite() {
        return maskingSites.get(0).mask(updates.get(0), keys, 1, encoding, maskFormat);
    }

    @Benchmark
    public float[] unmaskNoDropout() {
        return Unmasker.sum(1, threshold, encoding, masked, keys, selfShares, Map.of(), maskFormat);
    }

    @Benchmark
    public float[] unmaskOneDropout() {
        Map<Integer, int[]> survivors = new HashMap<>(masked);
        survivors.remove(sites);
        return Unmasker.sum(1, threshold, encoding, survivors, keys, selfSharesWithoutLast, keySharesOfLast, maskFormat);
    }
}
