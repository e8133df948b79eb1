package io.quiverdb.common.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels agree with the scalar ones, and both with {@link Distances} (pgvector's
 * semantics), at lengths that fill no vector, exactly some vectors, and many with a ragged tail;
 * also on slices that start inside an array, as the index reads them.
 */
class VectorKernelsPropertiesTest {
  private static final VectorKernels SCALAR = VectorKernels.scalar();
  private static final VectorKernels SIMD = VectorKernels.simd();

  record Pair(float[] a, float[] b, int offset) {}

  @Test
  void the_simd_kernels_are_available_in_tests() {
    // the build runs tests with --add-modules jdk.incubator.vector; without it this suite
    // would compare the scalar kernels with themselves
    assertThat(SIMD).isNotNull();
    assertThat(VectorKernels.get()).isSameAs(VectorKernels.get());
  }

  @Provide
  Arbitrary<Pair> pairs() {
    Arbitrary<Integer> dims = Arbitraries.of(1, 7, 16, 1021);
    return dims.flatMap(n -> Combinators.combine(vector(n), vector(n),
        Arbitraries.integers().between(0, 5)).as((a, b, off) -> new Pair(a, b, off)));
  }

  private static Arbitrary<float[]> vector(int n) {
    return Arbitraries.floats().between(-100, 100).array(float[].class).ofSize(n);
  }

  @Property(tries = 400)
  void squared_l2_agrees(@ForAll("pairs") Pair p) {
    float[] a = shifted(p.a, p.offset);
    double scale = 0;
    for (int i = 0; i < p.a.length; i++) {
      double d = p.a[i] - p.b[i];
      scale += d * d;
    }
    float expected = SCALAR.squaredL2(a, p.offset, p.b, 0, p.b.length);
    assertThat((double) SIMD.squaredL2(a, p.offset, p.b, 0, p.b.length))
        .isCloseTo(expected, within(tolerance(p.a.length, scale)));
    assertThat((double) expected).isCloseTo(Distances.squaredL2(p.a, p.b), within(tolerance(p.a.length, scale)));
  }

  @Property(tries = 400)
  void dot_agrees(@ForAll("pairs") Pair p) {
    float[] b = shifted(p.b, p.offset);
    double scale = 0;
    for (int i = 0; i < p.a.length; i++) {
      scale += Math.abs((double) p.a[i] * p.b[i]);
    }
    float expected = SCALAR.dot(p.a, 0, b, p.offset, p.a.length);
    assertThat((double) SIMD.dot(p.a, 0, b, p.offset, p.a.length))
        .isCloseTo(expected, within(tolerance(p.a.length, scale)));
    assertThat((double) expected).isCloseTo(Distances.dot(p.a, p.b), within(tolerance(p.a.length, scale)));
    assertThat(SIMD.distance(Metric.NEGATIVE_INNER_PRODUCT, p.a, 0, b, p.offset, p.a.length))
        .isEqualTo(-SIMD.dot(p.a, 0, b, p.offset, p.a.length));
  }

  @Property(tries = 400)
  void cosine_agrees(@ForAll("pairs") Pair p) {
    float expected = SCALAR.cosineDistance(p.a, 0, p.b, 0, p.a.length);
    float simd = SIMD.cosineDistance(p.a, 0, p.b, 0, p.a.length);
    if (Float.isNaN(expected)) {
      assertThat(simd).isNaN();
      return;
    }
    assertThat((double) simd).isCloseTo(expected, within(1e-4));
    assertThat((double) expected).isCloseTo(Distances.cosineDistance(p.a, p.b), within(1e-4));
  }

  @Property(tries = 400)
  void l1_agrees(@ForAll("pairs") Pair p) {
    double scale = 0;
    for (int i = 0; i < p.a.length; i++) {
      scale += Math.abs((double) p.a[i] - p.b[i]);
    }
    float expected = SCALAR.l1(p.a, 0, p.b, 0, p.a.length);
    assertThat((double) SIMD.l1(p.a, 0, p.b, 0, p.a.length))
        .isCloseTo(expected, within(tolerance(p.a.length, scale)));
    assertThat((double) expected).isCloseTo(Distances.l1(p.a, p.b), within(tolerance(p.a.length, scale)));
  }

  @Property(tries = 50)
  void a_vector_is_at_distance_zero_from_itself(
      @ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
    float[] a = new float[n];
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (VectorKernels k : new VectorKernels[] {SCALAR, SIMD}) {
      assertThat(k.squaredL2(a, 0, a, 0, n)).isZero();
      assertThat(k.l1(a, 0, a, 0, n)).isZero();
      assertThat((double) k.cosineDistance(a, 0, a, 0, n)).isCloseTo(0, within(1e-5));
    }
    assertThat(SIMD.cosineDistance(new float[n], 0, a, 0, n)).isNaN();
  }

  /** Float summation in another order errs by up to about n ulps of the sum of magnitudes. */
  private static double tolerance(int n, double scale) {
    return n * 1.2e-7 * scale + 1e-6;
  }

  private static float[] shifted(float[] v, int offset) {
    float[] out = new float[v.length + offset + 3];
    System.arraycopy(v, 0, out, offset, v.length);
    return out;
  }
}
