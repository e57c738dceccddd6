package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sorting network sorts every lane, and the median and trimmed mean built on it agree with the scalar rules. */
class SortingNetworkTest {

    @Test
    void sortsEveryBinaryInputUpToSixteenInputs() {
        // The 0-1 principle: a network that sorts every sequence of 0s and 1s sorts every sequence.
        for (int n = 1; n <= 16; n++) {
            int lanes = 1 << n;
            float[][] rows = new float[n][lanes];
            for (int lane = 0; lane < lanes; lane++) {
                for (int k = 0; k < n; k++) {
                    rows[k][lane] = (lane >> k) & 1;
                }
            }
            SortingNetwork.of(n).sort(rows, lanes);
            for (int lane = 0; lane < lanes; lane++) {
                for (int k = 1; k < n; k++) {
                    assertThat(rows[k - 1][lane]).as("n %d lane %d row %d", n, lane, k).isLessThanOrEqualTo(rows[k][lane]);
                }
                assertThat(rowSum(rows, lane)).isEqualTo(Integer.bitCount(lane));
            }
        }
    }

    @Test
    void sortsRandomColumnsLikeArraysSortForAnyCount() {
        SplittableRandom random = new SplittableRandom(11);
        for (int n = 1; n <= 70; n++) {
            int width = 37;
            float[][] rows = new float[n][width + 3];
            for (float[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) random.nextGaussian();
                }
            }
            float[][] expected = new float[width][n];
            for (int i = 0; i < width; i++) {
                for (int k = 0; k < n; k++) {
                    expected[i][k] = rows[k][i];
                }
                Arrays.sort(expected[i]);
            }
            float untouched = rows[0][width];
            SortingNetwork.of(n).sort(rows, width);
            for (int i = 0; i < width; i++) {
                for (int k = 0; k < n; k++) {
                    assertThat(rows[k][i]).as("n %d lane %d row %d", n, i, k).isEqualTo(expected[i][k]);
                }
            }
            assertThat(rows[0][width]).as("lanes past the width stay").isEqualTo(untouched);
        }
        // Batcher's network for 64 inputs has 543 steps; fewer for 50.
        assertThat(SortingNetwork.of(64).steps()).isEqualTo(543);
        assertThat(SortingNetwork.of(50).steps()).isLessThan(543);
        assertThatThrownBy(() -> SortingNetwork.of(0)).hasMessageContaining("at least one input");
    }

    @Test
    void medianAndTrimmedMeanOverTilesAndChunksEqualTheScalarRules() {
        SplittableRandom random = new SplittableRandom(3);
        // Past one parallel chunk and not a multiple of the tile, so every edge is crossed.
        int size = 2 * WeightedSum.CHUNK + Updates.LANES + 5;
        for (int n : new int[] {1, 2, 5, 8}) {
            List<FitResult> fits = new ArrayList<>();
            float[][] values = new float[n][size];
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < size; i++) {
                    values[k][i] = (float) random.nextGaussian();
                }
                NamedTensors update = NamedTensors.builder().put("w", new Tensor(new int[] {size}, values[k])).build();
                fits.add(new FitResult("site-" + k, 10, () -> update));
            }
            NamedTensors global = NamedTensors.builder().put("w", Tensor.zeros(size)).build();
            float[] median = new CoordinateMedian().aggregateFit(RoundContext.first(), global, fits).global().get("w").values();
            float[] trimmed = new TrimmedMean(0.25).aggregateFit(RoundContext.first(), global, fits).global().get("w").values();
            int trim = TrimmedMean.trimmed(0.25, n);
            float[] column = new float[n];
            for (int i = 0; i < size; i++) {
                for (int k = 0; k < n; k++) {
                    column[k] = values[k][i];
                }
                assertThat(median[i]).as("median n %d at %d", n, i).isEqualTo(CoordinateMedian.median(column.clone()));
                assertThat(trimmed[i]).as("trimmed mean n %d at %d", n, i).isEqualTo(TrimmedMean.trimmedMean(column.clone(), trim));
            }
        }
    }

    private static int rowSum(float[][] rows, int lane) {
        int sum = 0;
        for (float[] row : rows) {
            sum += (int) row[lane];
        }
        return sum;
    }
}
