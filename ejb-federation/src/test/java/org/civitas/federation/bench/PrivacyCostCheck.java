package org.civitas.federation.bench;

import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.dataset.DomainShiftCheck;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.privacy.DifferentialPrivacy;
import org.civitas.federation.core.privacy.RdpAccountant;
import org.civitas.federation.core.privacy.UpdatePrivacy;
import org.civitas.federation.core.privacy.secagg.FixedPoint;
import org.civitas.federation.core.privacy.secagg.MaskedVector;
import org.civitas.federation.core.privacy.secagg.MaskingSite;
import org.civitas.federation.core.privacy.secagg.Shamir;
import org.civitas.federation.core.privacy.secagg.Unmasker;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.common.ReferenceConsortium;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What differential privacy costs in model quality on the demo consortium, with the protocol the
 * platform runs: each site trains, clips its update to C, adds its share N(0, σ²C²/3) of the noise,
 * masks it (secure aggregation, threshold 2 of 3), and the aggregate comes out of the unmasking,
 * never out of an individual update. Prints macro-F1 on a balanced test set (mean over 5 noise
 * draws) against the same federation without DP, and the epsilon the privacy ledger charges.
 *
 * <pre>mvn -B -Pbench -pl ejb-federation -am -DskipTests test-compile exec:exec@privacy-cost</pre>
 */
public final class PrivacyCostCheck {

    private static final int SITES = 3;
    private static final int THRESHOLD = 2;
    private static final double CLIP = 1.0;
    private static final double DELTA = 1e-5;

    public static void main(String[] args) {
        SoftmaxRegression model = new SoftmaxRegression(ReferenceConsortium.FEATURES, ReferenceConsortium.CLASSES);
        List<LabeledFeatures> data = ReferenceConsortium.PROFILES.stream().map(ReferenceConsortium.Profile::generate).toList();
        LabeledFeatures test = SyntheticFeatureData.generate(ReferenceConsortium.FEATURES, new double[] {1, 1, 1, 1, 1}, 1500, 909);
        System.out.println("rounds  sigma  epsilon(charged)  macroF1(secure+DP)  macroF1(plain FedAvg)  cost");
        for (int rounds : new int[] {5, 20}) {
            double plain = macroF1(model, data, test, rounds, -1, 1);
            for (double sigma : new double[] {0.3, 0.5, 1.0, 2.0}) {
                double sum = 0;
                int draws = 5;
                for (int draw = 0; draw < draws; draw++) {
                    sum += macroF1(model, data, test, rounds, sigma, 100 + draw);
                }
                double f1 = sum / draws;
                // The ledger charges the noise a round is sure to carry: σ·sqrt(t/n) when only t of n sites survive.
                double epsilon = new RdpAccountant().compose(1.0, sigma * Math.sqrt((double) THRESHOLD / SITES), rounds).epsilon(DELTA);
                System.out.printf(Locale.ROOT, "%6d  %5.1f  %16.2f  %18.3f  %21.3f  %+.3f%n", rounds, sigma, epsilon, f1, plain, f1 - plain);
            }
        }
    }

    /** Macro-F1 after the federation; sigma < 0 runs plain FedAvg without privacy or masking. */
    private static double macroF1(SoftmaxRegression model, List<LabeledFeatures> data, LabeledFeatures test, int rounds, double sigma,
                                  long seed) {
        Strategy rule = sigma < 0 ? new FedAvg()
                : new DifferentialPrivacy(new FedAvg(), CLIP, sigma, SITES, true, new java.util.SplittableRandom(seed));
        NamedTensors global = model.initialState();
        for (int round = 1; round <= rounds; round++) {
            List<NamedTensors> updates = new ArrayList<>();
            List<FitResult> plain = new ArrayList<>();
            for (int s = 0; s < SITES; s++) {
                TrainingResult r = model.train(global, data.get(s), new TrainingConfig(2, 0.1, 32, 31L * round + s));
                updates.add(sigma < 0 ? r.delta() : UpdatePrivacy.privatise(r.delta(), CLIP, sigma, SITES));
                plain.add(new FitResult("site" + s, r.sampleCount(), r::delta));
            }
            List<FitResult> results = sigma < 0 ? plain : List.of(new FitResult("secure-aggregate", 1, secureSum(updates, round, seed)));
            global = rule.aggregateFit(new RoundContext(round, null), global, results).global();
        }
        return DomainShiftCheck.macroF1(global, test);
    }

    /** The sum of the updates as the coordinator gets it: masked at each site, unmasked with the sites' reveals. */
    private static java.util.function.Supplier<NamedTensors> secureSum(List<NamedTensors> updates, long round, long seed) {
        SecureRandom random = new SecureRandom();
        FixedPoint encoding = new FixedPoint(16);
        List<MaskingSite> sites = new ArrayList<>();
        Map<Integer, PublicKey> keys = new HashMap<>();
        Map<Integer, List<Shamir.Share>> seedShares = new HashMap<>();
        for (int i = 1; i <= SITES; i++) {
            MaskingSite site = new MaskingSite(i, random);
            sites.add(site);
            keys.put(i, site.publicKey());
            for (MaskingSite.SharesFor f : site.shares(SITES, THRESHOLD)) {
                seedShares.computeIfAbsent(i, k -> new ArrayList<>()).add(f.selfMaskSeed());
            }
        }
        Map<Integer, int[]> masked = new HashMap<>();
        for (int i = 1; i <= SITES; i++) {
            masked.put(i, sites.get(i - 1).mask(MaskedVector.flatten(updates.get(i - 1), 1f), keys, round * 1000 + seed, encoding,
                    org.civitas.federation.core.privacy.secagg.MaskFormat.CURRENT));
        }
        float[] sum = Unmasker.sum(round * 1000 + seed, THRESHOLD, encoding, masked, keys, seedShares, Map.of(),
                org.civitas.federation.core.privacy.secagg.MaskFormat.CURRENT);
        NamedTensors total = MaskedVector.unflatten(sum, updates.get(0));
        return () -> total;
    }

    private PrivacyCostCheck() {
    }
}
