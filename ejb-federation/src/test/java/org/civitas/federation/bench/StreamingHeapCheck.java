package org.civitas.federation.bench;

import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.tensor.NamedTensors;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shows that streaming FedAvg's heap does not grow with the number of sites: each site's update
 * (10M floats, 40 MB) is created only when the strategy asks for it, as when loading a spooled
 * file, and the peak heap is measured per site count. Run with a small heap (-Xmx400m): 50 sites'
 * updates held together would need 2 GB.
 */
public final class StreamingHeapCheck {

    private static final int PARAMETERS = 10_000_000;

    private StreamingHeapCheck() {
    }

    public static void main(String[] args) {
        NamedTensors global = BenchData.state(PARAMETERS, 1);
        System.out.println("streaming FedAvg, " + PARAMETERS + " parameters, heap limit "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        for (int sites : new int[] {3, 10, 50}) {
            List<FitResult> results = new ArrayList<>();
            for (int k = 0; k < sites; k++) {
                long seed = 1000 + k;
                results.add(new FitResult("site-" + k, 100 + k, () -> BenchData.state(PARAMETERS, seed)));
            }
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long start = System.nanoTime();
            new FedAvg().aggregateFit(RoundContext.first(), global, results);
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.out.printf(Locale.ROOT, "sites %3d: peak heap %6.0f MB (model %d MB), %.2f s%n",
                    sites, peak / 1048576.0, PARAMETERS * 4L / 1048576, seconds);
        }
    }
}
