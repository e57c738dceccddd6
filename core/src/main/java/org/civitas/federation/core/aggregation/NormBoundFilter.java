package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Wraps a strategy and leaves out every update whose L2 norm exceeds a bound, before it reaches
 * the strategy: a cheap guard against scaled-up (boosted) or broken updates. Each update is loaded
 * once and handed on, so a streaming strategy stays streaming.
 *
 * <p>Norm bounding as a defence: Sun, Kairouz, Suresh, McMahan: "Can You Really Backdoor
 * Federated Learning?", 2019.
 *
 * <p>Parameter {@code maxNorm} &gt; 0.
 */
public final class NormBoundFilter extends StrategyWrapper {

    public static final Range MAX_NORM = Range.positiveUpTo(Double.MAX_VALUE);

    private final double maxNorm;

    public NormBoundFilter(Strategy inner, double maxNorm) {
        super(inner);
        this.maxNorm = MAX_NORM.check("NormBoundFilter", "maxNorm", maxNorm);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<AggregateResult.ExcludedUpdate> excluded = new ArrayList<>();
        Iterable<FitResult> kept = () -> new Iterator<>() {
            private final Iterator<FitResult> source = results.iterator();
            private FitResult next;

            @Override
            public boolean hasNext() {
                while (next == null && source.hasNext()) {
                    FitResult r = source.next();
                    NamedTensors t = r.update().get();
                    double norm = Updates.norm(t);
                    if (norm > maxNorm) {
                        excluded.add(new AggregateResult.ExcludedUpdate(r.site(),
                                String.format(Locale.ROOT, "update norm %.6g exceeds the bound %.6g", norm, maxNorm)));
                    } else {
                        next = r.loaded(t);
                    }
                }
                return next != null;
            }

            @Override
            public FitResult next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                FitResult r = next;
                next = null;
                return r;
            }
        };
        AggregateResult result;
        try {
            result = inner.aggregateFit(context, global, kept);
        } catch (IllegalArgumentException e) {
            if (!excluded.isEmpty()) {
                throw new IllegalArgumentException(e.getMessage() + " after excluding " + excluded, e);
            }
            throw e;
        }
        return result.withExcluded(excluded);
    }
}
