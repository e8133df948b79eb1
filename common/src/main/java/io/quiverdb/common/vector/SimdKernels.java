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
  public void distance4(Metric m, float[] q, float[] a0, int o0, float[] a1, int o1, float[] a2,
      int o2, float[] a3, int o3, int n, float[] out) {
    if (m != Metric.L2 && m != Metric.NEGATIVE_INNER_PRODUCT) {
      super.distance4(m, q, a0, o0, a1, o1, a2, o2, a3, o3, n, out);
      return;
    }
    boolean l2 = m == Metric.L2;
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    int i = 0;
    for (int bound = n - L; i <= bound; i += L) {
      FloatVector x = FloatVector.fromArray(S, q, i);
      FloatVector v0 = FloatVector.fromArray(S, a0, o0 + i);
      FloatVector v1 = FloatVector.fromArray(S, a1, o1 + i);
      FloatVector v2 = FloatVector.fromArray(S, a2, o2 + i);
      FloatVector v3 = FloatVector.fromArray(S, a3, o3 + i);
      if (l2) {
        v0 = x.sub(v0);
        v1 = x.sub(v1);
        v2 = x.sub(v2);
        v3 = x.sub(v3);
        s0 = v0.fma(v0, s0);
        s1 = v1.fma(v1, s1);
        s2 = v2.fma(v2, s2);
        s3 = v3.fma(v3, s3);
      } else {
        s0 = x.fma(v0, s0);
        s1 = x.fma(v1, s1);
        s2 = x.fma(v2, s2);
        s3 = x.fma(v3, s3);
      }
    }
    float r0 = s0.reduceLanes(VectorOperators.ADD);
    float r1 = s1.reduceLanes(VectorOperators.ADD);
    float r2 = s2.reduceLanes(VectorOperators.ADD);
    float r3 = s3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float x = q[i];
      if (l2) {
        float d0 = x - a0[o0 + i];
        float d1 = x - a1[o1 + i];
        float d2 = x - a2[o2 + i];
        float d3 = x - a3[o3 + i];
        r0 += d0 * d0;
        r1 += d1 * d1;
        r2 += d2 * d2;
        r3 += d3 * d3;
      } else {
        r0 += x * a0[o0 + i];
        r1 += x * a1[o1 + i];
        r2 += x * a2[o2 + i];
        r3 += x * a3[o3 + i];
      }
    }
    out[0] = l2 ? r0 : -r0;
    out[1] = l2 ? r1 : -r1;
    out[2] = l2 ? r2 : -r2;
    out[3] = l2 ? r3 : -r3;
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
