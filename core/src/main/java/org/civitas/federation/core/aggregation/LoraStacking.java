package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacking aggregation of LoRA adapters in the style of FLoRA: instead of averaging A and B
 * separately (whose product is not the average of the products), the server forms the exact
 * sample-weighted sum of the sites' products Σ p_k·B_k·A_k, which equals the product of the
 * stacked factors [p_1·B_1 … p_K·B_K]·[A_1; …; A_K], then re-projects it to the global rank r by
 * truncated SVD (B = U_r·√S_r, A = √S_r·V_rᵀ), exact whenever the sum has rank ≤ r.
 *
 * <p>Wang, Liu, Xu, Wang, Zhang, Zheng, Chen: "FLoRA: Federated Fine-Tuning Large Language
 * Models with Heterogeneous Low-Rank Adaptations", NeurIPS 2024.
 *
 * <p>Heterogeneous ranks: a site of rank r_k ≤ r trains the first r_k rows of A and columns of B
 * and sends updates of shapes [r_k, in] and [out, r_k]. Non-LoRA tensors are averaged as in
 * FedAvg. No parameters. Memory: O(model) plus one dense out×in product per adapted layer; updates
 * stream.
 */
public final class LoraStacking implements Strategy {

    /** The round-task key that lets sites train at their own (lower) LoRA rank. */
    public static final String HETEROGENEOUS_RANKS = "heterogeneousRanks";

    @Override
    public String name() {
        return "lora-stacking";
    }

    @Override
    public java.util.Map<String, Double> configureFit(int roundNumber) {
        return java.util.Map.of(HETEROGENEOUS_RANKS, 1.0);
    }

    @Override
    public void validateUpdate(NamedTensors global, NamedTensors update) {
        if (!global.names().equals(update.names())) {
            TensorChecks.requireSameLayout(global, update);
        }
        for (LoraTensors.Pair pair : LoraTensors.pairs(global)) {
            String layer = pair.layer();
            int[] ga = global.get(pair.a()).shape();
            int[] gb = global.get(pair.b()).shape();
            int[] ua = update.get(pair.a()).shape();
            int[] ub = update.get(pair.b()).shape();
            int rank = ua.length == 2 ? ua[0] : -1;
            if (ua.length != 2 || ub.length != 2 || rank < 1 || rank > ga[0] || ua[1] != ga[1] || ub[0] != gb[0] || ub[1] != rank) {
                throw new TensorChecks.InvalidUpdateException("LoRA factors of '" + layer + "' have shapes " + Arrays.toString(ua)
                        + " and " + Arrays.toString(ub) + "; expected [r, " + ga[1] + "] and [" + gb[0] + ", r] with 1 <= r <= " + ga[0]);
            }
        }
        java.util.Set<String> factors = factorNames(global);
        global.forEach((name, t) -> {
            if (!factors.contains(name) && !update.get(name).hasShape(t.shape())) {
                throw new TensorChecks.InvalidUpdateException("tensor '" + name + "' has shape " + Arrays.toString(update.get(name).shape())
                        + ", expected " + Arrays.toString(t.shape()));
            }
        });
        TensorChecks.requireFinite(update);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<LoraTensors.Pair> layers = LoraTensors.pairs(global);
        java.util.Set<String> factorNames = factorNames(global);
        Map<String, double[]> products = new HashMap<>();
        Map<String, float[]> sums = new HashMap<>();
        double totalWeight = 0;
        int count = 0;
        for (FitResult r : results) {
            NamedTensors update = r.update().get();
            validateUpdate(global, update);
            double w = r.sampleCount();
            for (LoraTensors.Pair pair : layers) {
                double[] p = products.computeIfAbsent(pair.layer(), l -> new double[rows(global, pair) * cols(global, pair)]);
                addProduct(p, w, factorB(global, update, pair), factorA(global, update, pair), cols(global, pair));
            }
            global.forEach((name, t) -> {
                if (!factorNames.contains(name)) {
                    float[] acc = sums.computeIfAbsent(name, n -> new float[t.size()]);
                    float[] u = update.get(name).values();
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += (float) w * u[i];
                    }
                }
            });
            totalWeight += w;
            count++;
        }
        Updates.requireAny(context.roundNumber(), count);
        double norm = totalWeight;
        NamedTensors.Builder next = NamedTensors.builder();
        Map<String, Tensor> factors = new HashMap<>();
        for (LoraTensors.Pair pair : layers) {
            double[] p = products.get(pair.layer());
            for (int i = 0; i < p.length; i++) {
                p[i] /= norm;
            }
            Tensor[] ba = reproject(p, rows(global, pair), cols(global, pair), global.get(pair.a()).shape()[0]);
            factors.put(pair.b(), ba[0]);
            factors.put(pair.a(), ba[1]);
        }
        global.forEach((name, t) -> {
            if (factors.containsKey(name)) {
                next.put(name, factors.get(name));
            } else {
                float[] acc = sums.get(name);
                float[] g = t.values();
                float[] out = new float[g.length];
                for (int i = 0; i < g.length; i++) {
                    out[i] = g[i] + (float) (acc[i] / norm);
                }
                next.put(name, new Tensor(t.shape(), out));
            }
        });
        return AggregateResult.of(next.build());
    }

    /** Σ-accumulates w·B·A into p (row-major out×in). */
    static void addProduct(double[] p, double w, float[][] b, float[][] a, int in) {
        int rank = a.length;
        for (int o = 0; o < b.length; o++) {
            int row = o * in;
            for (int k = 0; k < rank; k++) {
                double bok = w * b[o][k];
                if (bok == 0) {
                    continue;
                }
                float[] ak = a[k];
                for (int j = 0; j < in; j++) {
                    p[row + j] += bok * ak[j];
                }
            }
        }
    }

    /** Truncated SVD of the out×in matrix p to the given rank: {B [out, rank], A [rank, in]}. */
    static Tensor[] reproject(double[] p, int out, int in, int rank) {
        DMatrixRMaj m = new DMatrixRMaj(out, in, true, p);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(out, in, true, true, false);
        if (!svd.decompose(m.copy())) {
            throw new IllegalStateException("SVD of the aggregated LoRA product did not converge");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj s = svd.getW(null);
        DMatrixRMaj v = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(u, false, s, v, false);
        int available = Math.min(rank, Math.min(s.numRows, s.numCols));
        float[] b = new float[out * rank];
        float[] a = new float[rank * in];
        for (int k = 0; k < available; k++) {
            double root = Math.sqrt(s.get(k, k));
            for (int o = 0; o < out; o++) {
                b[o * rank + k] = (float) (u.get(o, k) * root);
            }
            for (int j = 0; j < in; j++) {
                a[k * in + j] = (float) (root * v.get(j, k));
            }
        }
        return new Tensor[] {new Tensor(new int[] {out, rank}, b), new Tensor(new int[] {rank, in}, a)};
    }

    /** The site's B factor: its rank's columns of the global B plus its update. */
    private static float[][] factorB(NamedTensors global, NamedTensors update, LoraTensors.Pair pair) {
        Tensor g = global.get(pair.b());
        Tensor d = update.get(pair.b());
        int out = g.shape()[0];
        int globalRank = g.shape()[1];
        int rank = d.shape()[1];
        float[][] b = new float[out][rank];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < rank; k++) {
                b[o][k] = g.values()[o * globalRank + k] + d.values()[o * rank + k];
            }
        }
        return b;
    }

    /** The site's A factor: its rank's rows of the global A plus its update. */
    private static float[][] factorA(NamedTensors global, NamedTensors update, LoraTensors.Pair pair) {
        Tensor g = global.get(pair.a());
        Tensor d = update.get(pair.a());
        int in = g.shape()[1];
        int rank = d.shape()[0];
        float[][] a = new float[rank][in];
        for (int k = 0; k < rank; k++) {
            for (int j = 0; j < in; j++) {
                a[k][j] = g.values()[k * in + j] + d.values()[k * in + j];
            }
        }
        return a;
    }

    private static int rows(NamedTensors global, LoraTensors.Pair pair) {
        return global.get(pair.b()).shape()[0];
    }

    private static int cols(NamedTensors global, LoraTensors.Pair pair) {
        return global.get(pair.a()).shape()[1];
    }

    /** The names of every LoRA factor of the state: those whose shapes follow a site's rank. */
    private static java.util.Set<String> factorNames(NamedTensors global) {
        return LoraTensors.factors(global).keySet();
    }

    /** The dense product B·A of a state's adapter in the feature models' naming, row-major out×in (for checks and tests). */
    public static double[] product(NamedTensors state, String layer) {
        return product(state, new LoraTensors.Pair(layer, layer + LoraTensors.A, layer + LoraTensors.B));
    }

    /** The dense product B·A of a state's adapter, row-major out×in. */
    public static double[] product(NamedTensors state, LoraTensors.Pair pair) {
        Tensor b = state.get(pair.b());
        Tensor a = state.get(pair.a());
        int out = b.shape()[0];
        int rank = b.shape()[1];
        int in = a.shape()[1];
        float[][] bf = new float[out][rank];
        float[][] af = new float[rank][in];
        for (int o = 0; o < out; o++) {
            System.arraycopy(b.values(), o * rank, bf[o], 0, rank);
        }
        for (int k = 0; k < rank; k++) {
            System.arraycopy(a.values(), k * in, af[k], 0, in);
        }
        double[] p = new double[out * in];
        addProduct(p, 1, bf, af, in);
        return p;
    }
}
