package io.quiverdb.common.vector;

import java.util.logging.Logger;

/**
 * Float32 distance kernels over slices of arrays, for the vector indexes: {@code a[ao .. ao+n)}
 * against {@code b[bo .. bo+n)}. Two implementations agree to float rounding: one with {@code
 * jdk.incubator.vector} (chosen when the module is present) and a scalar fallback. The choice is
 * made once, when this class loads, and logged; {@code -Dquiver.kernels=scalar} forces the
 * fallback.
 *
 * <p>The index ranks with these; values shown to users come from {@link Distances}, which sums in
 * pgvector's order so that results match pgvector's to the last digit.
 */
public abstract class VectorKernels {
  private static final Logger LOG = Logger.getLogger(VectorKernels.class.getName());
  private static final VectorKernels INSTANCE = choose();

  /** The kernels this process uses. */
  public static VectorKernels get() {
    return INSTANCE;
  }

  /** The portable implementation, also for tests that compare the two. */
  public static VectorKernels scalar() {
    return ScalarKernels.INSTANCE;
  }

  /** The SIMD implementation, or null when {@code jdk.incubator.vector} is not available. */
  public static VectorKernels simd() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (VectorKernels) Class.forName("io.quiverdb.common.vector.SimdKernels")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warning("SIMD distance kernels unavailable: " + e);
      return null;
    }
  }

  private static VectorKernels choose() {
    if ("scalar".equals(System.getProperty("quiver.kernels"))) {
      LOG.info("distance kernels: scalar (forced by -Dquiver.kernels=scalar)");
      return scalar();
    }
    VectorKernels simd = simd();
    if (simd == null) {
      LOG.info("distance kernels: scalar (start the JVM with --add-modules jdk.incubator.vector"
          + " for SIMD)");
      return scalar();
    }
    LOG.info("distance kernels: " + simd.describe());
    return simd;
  }

  /** What this implementation is, for logs and benchmarks. */
  public abstract String describe();

  /** Squared Euclidean distance. */
  public abstract float squaredL2(float[] a, int ao, float[] b, int bo, int n);

  /** Inner product. */
  public abstract float dot(float[] a, int ao, float[] b, int bo, int n);

  /** 1 - cosine similarity; NaN when either side has zero norm. */
  public abstract float cosineDistance(float[] a, int ao, float[] b, int bo, int n);

  /** Manhattan (taxicab) distance. */
  public abstract float l1(float[] a, int ao, float[] b, int bo, int n);

  /**
   * The distance a metric ranks by, smaller being nearer: pgvector's value, except that L2 is
   * squared (the same order, without a square root).
   */
  public final float distance(Metric m, float[] a, int ao, float[] b, int bo, int n) {
    return switch (m) {
      case L2 -> squaredL2(a, ao, b, bo, n);
      case NEGATIVE_INNER_PRODUCT -> -dot(a, ao, b, bo, n);
      case COSINE -> cosineDistance(a, ao, b, bo, n);
      case L1 -> l1(a, ao, b, bo, n);
    };
  }

  /**
   * Four distances from {@code q} at once, into {@code out[0..3]}: the same values as four calls
   * of {@link #distance}. Reading four vectors in one loop keeps four streams of memory reads in
   * flight instead of one, which is what a graph search, whose vectors are rarely in cache, waits
   * on. This implementation makes four calls; the SIMD one interleaves L2 and inner product.
   */
  public void distance4(Metric m, float[] q, float[] a0, int o0, float[] a1, int o1, float[] a2,
      int o2, float[] a3, int o3, int n, float[] out) {
    out[0] = distance(m, q, 0, a0, o0, n);
    out[1] = distance(m, q, 0, a1, o1, n);
    out[2] = distance(m, q, 0, a2, o2, n);
    out[3] = distance(m, q, 0, a3, o3, n);
  }

  static float cosine(float dot, float na, float nb) {
    double similarity = dot / Math.sqrt((double) na * (double) nb);
    if (Double.isNaN(similarity)) {
      return Float.NaN;
    }
    return (float) (1 - Math.max(-1, Math.min(1, similarity)));
  }
}
