package org.civitas.federation.bench;

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

import java.util.concurrent.TimeUnit;

/**
 * STREAM-style triad a = b + s·c: the memory bandwidth baseline (3 x 4 x P bytes moved per
 * operation) the aggregation rules are compared with. {@link #triadFromMemory} moves 1.2 GB, which
 * no cache holds, to show that the 10M-float triad (120 MB) measures memory too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class TriadBenchmark {

    @Param({"10000000"})
    public int parameters;

    /** 1: the classic single-thread triad; 2: both cores, as the parallel aggregation uses them. */
    @Param({"1", "2"})
    public int threads;

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        a = new float[parameters];
        b = new float[parameters];
        c = new float[parameters];
        fill(b, c);
    }

    @Benchmark
    public float[] triad() {
        return triad(a, b, c, threads);
    }

    /**
     * The same triad over 100M floats (1.2 GB moved): no cache of this machine holds it, so it runs
     * at what the memory delivers, as a rule streaming hundreds of megabytes of updates does.
     */
    @Benchmark
    public float[] triadFromMemory(FromMemory arrays) {
        return triad(arrays.a, arrays.b, arrays.c, threads);
    }

    @State(Scope.Benchmark)
    public static class FromMemory {
        @Param({"100000000"})
        public int memoryFloats;

        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setUp() {
            a = new float[memoryFloats];
            b = new float[memoryFloats];
            c = new float[memoryFloats];
            fill(b, c);
        }
    }

    private static void fill(float[] b, float[] c) {
        for (int i = 0; i < b.length; i++) {
            b[i] = i;
            c[i] = 1f / (i + 1);
        }
    }

    private static float[] triad(float[] a, float[] b, float[] c, int threads) {
        int chunk = (a.length + threads - 1) / threads;
        java.util.stream.IntStream.range(0, threads).parallel().forEach(t -> {
            float s = 3f;
            int end = Math.min(a.length, (t + 1) * chunk);
            for (int i = t * chunk; i < end; i++) {
                a[i] = b[i] + s * c[i];
            }
        });
        return a;
    }
}
