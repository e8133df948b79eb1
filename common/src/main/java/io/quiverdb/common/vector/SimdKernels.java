package io.quiverdb.common.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels over the platform's preferred float vector width. Each loop keeps two independent
 * accumulators so that consecutive fused multiply-adds do not wait on each other, then finishes
 * the tail that does not fill a vector with scalar code. Loaded reflectively by {@link
 * VectorKernels} so that the scalar path works when the incubator module is absent.
 */
final class SimdKernels extends VectorKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public String describe() {
    return "SIMD (jdk.incubator.vector, " + S.vectorBitSize() + "-bit, " + L + " floats)";
  }

  @Override
  public float squaredL2(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int i = 0;
    for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
      FloatVector d0 = FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i));
      FloatVector d1 = FloatVector.fromArray(S, a, ao + i + L)
          .sub(FloatVector.fromArray(S, b, bo + i + L));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
    }
    for (int bound = n - L; i <= bound; i += L) {
      FloatVector d = FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i));
      acc0 = d.fma(d, acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float d = a[ao + i] - b[bo + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int i = 0;
    for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
      acc0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc0);
      acc1 = FloatVector.fromArray(S, a, ao + i + L)
          .fma(FloatVector.fromArray(S, b, bo + i + L), acc1);
    }
    for (int bound = n - L; i <= bound; i += L) {
      acc0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc0);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[ao + i] * b[bo + i];
    }
    return sum;
  }

  @Override
  public float cosineDistance(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector dot = FloatVector.zero(S);
    FloatVector na = FloatVector.zero(S);
    FloatVector nb = FloatVector.zero(S);
    int i = 0;
    for (int bound = n - L; i <= bound; i += L) {
      FloatVector x = FloatVector.fromArray(S, a, ao + i);
      FloatVector y = FloatVector.fromArray(S, b, bo + i);
      dot = x.fma(y, dot);
      na = x.fma(x, na);
      nb = y.fma(y, nb);
    }
    float d = dot.reduceLanes(VectorOperators.ADD);
    float sa = na.reduceLanes(VectorOperators.ADD);
    float sb = nb.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = a[ao + i];
      float y = b[bo + i];
      d += x * y;
      sa += x * x;
      sb += y * y;
    }
    return cosine(d, sa, sb);
  }

  @Override
  public float l1(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int i = 0;
    for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
      acc0 = acc0.add(FloatVector.fromArray(S, a, ao + i)
          .sub(FloatVector.fromArray(S, b, bo + i)).abs());
      acc1 = acc1.add(FloatVector.fromArray(S, a, ao + i + L)
          .sub(FloatVector.fromArray(S, b, bo + i + L)).abs());
    }
    for (int bound = n - L; i <= bound; i += L) {
      acc0 = acc0.add(FloatVector.fromArray(S, a, ao + i)
          .sub(FloatVector.fromArray(S, b, bo + i)).abs());
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += Math.abs(a[ao + i] - b[bo + i]);
    }
    return sum;
  }
}
