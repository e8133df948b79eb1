package io.quiverdb.bench;

import io.quiverdb.common.vector.Metric;
import io.quiverdb.common.vector.VectorKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * Nanoseconds per distance of our kernels, SIMD against scalar, at 128 and 768 dimensions. The
 * operands cycle through a pool of random vectors (a few MB, so mostly cache-resident: this
 * measures the arithmetic, not memory) so that the JIT cannot fold the work away. Run with
 * {@code bin/quiver bench kernels}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBench {
  private static final int POOL = 1024;

  @Param({"simd", "scalar"})
  public String impl;

  @Param({"l2", "dot", "cosine", "l1"})
  public String metric;

  @Param({"128", "768"})
  public int dim;

  private VectorKernels kernels;
  private Metric m;
  private float[] pool;
  private float[] query;
  private int next;

  @Setup
  public void setUp() {
    kernels = impl.equals("simd") ? VectorKernels.simd() : VectorKernels.scalar();
    if (kernels == null) {
      throw new IllegalStateException("jdk.incubator.vector is not available");
    }
    m = switch (metric) {
      case "l2" -> Metric.L2;
      case "dot" -> Metric.NEGATIVE_INNER_PRODUCT;
      case "cosine" -> Metric.COSINE;
      default -> Metric.L1;
    };
    SplittableRandom r = new SplittableRandom(7);
    pool = new float[POOL * dim];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = (float) r.nextDouble(-1, 1);
    }
    query = new float[dim];
    for (int i = 0; i < dim; i++) {
      query[i] = (float) r.nextDouble(-1, 1);
    }
  }

  @Benchmark
  public float distance() {
    int at = next;
    next = (at + 1) & (POOL - 1);
    return kernels.distance(m, query, 0, pool, at * dim, dim);
  }
}
