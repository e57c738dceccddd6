package org.civitas.federation.core.valuation;

import org.civitas.federation.core.aggregation.Updates;
import org.civitas.federation.core.aggregation.WeightedSum;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Evidence that a site rode free in a round: its update is (almost) zero, i.e. it sent the global
 * model back unchanged; or it points nowhere the others point (cosine to the mean of the other
 * updates near zero) while its contribution is not positive, as noise would. An update pointing
 * clearly against the others is not noise: it is what a site with different data sends, or an
 * attack, which the robust rules and filters deal with.
 */
public final class FreeRiderCheck {

    /** Updates shorter than this fraction of the median update norm count as "unchanged". */
    static final double UNCHANGED = 1e-3;
    /** Cosine to the others' mean under which a non-contributing update looks like noise. */
    static final double NOISE_COSINE = 0.05;

    private FreeRiderCheck() {
    }

    /** The evidence per site, for the sites that look like free riders only. */
    public static Map<String, String> evidence(Map<String, SubModelUtility.SiteUpdate> updates, Map<String, Double> contributions) {
        Map<String, String> evidence = new LinkedHashMap<>();
        double[] norms = updates.values().stream().mapToDouble(u -> Updates.norm(u.update())).sorted().toArray();
        double median = norms.length == 0 ? 0 : norms[norms.length / 2];
        for (Map.Entry<String, SubModelUtility.SiteUpdate> e : updates.entrySet()) {
            NamedTensors update = e.getValue().update();
            double norm = Updates.norm(update);
            if (median > 0 && norm <= UNCHANGED * median) {
                evidence.put(e.getKey(), String.format(Locale.ROOT,
                        "sent the global model back unchanged: update norm %.3g against a median of %.3g", norm, median));
                continue;
            }
            if (updates.size() < 2) {
                continue;
            }
            WeightedSum others = new WeightedSum(update);
            updates.forEach((site, u) -> {
                if (!site.equals(e.getKey())) {
                    others.add(u.update(), u.sampleCount());
                }
            });
            NamedTensors mean = others.mean();
            double denominator = norm * Updates.norm(mean);
            double cosine = denominator == 0 ? 0 : Updates.dot(update, mean) / denominator;
            double contribution = contributions.getOrDefault(e.getKey(), 0.0);
            if (Math.abs(cosine) < NOISE_COSINE && contribution <= 0) {
                evidence.put(e.getKey(), String.format(Locale.ROOT,
                        "looks like noise: cosine %.3f to the other sites' mean update, contribution %.4g", cosine, contribution));
            }
        }
        return evidence;
    }
}
