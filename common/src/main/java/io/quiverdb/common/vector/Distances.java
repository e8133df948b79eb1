package io.quiverdb.common.vector;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;

/**
 * Scalar float32 distance kernels with pgvector's semantics (float accumulation, dimension check
 * with SQLSTATE 22000). SIMD variants with {@code jdk.incubator.vector} come with the index work
 * (issue 4) and must agree with these.
 */
public final class Distances {
  private Distances() {}

  public static double squaredL2(float[] a, float[] b) {
    checkSameDim(a, b);
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      float d = a[i] - b[i];
      sum += d * d;
    }
    return sum;
  }

  public static double dot(float[] a, float[] b) {
    checkSameDim(a, b);
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** 1 - cos(a, b); NaN when either vector has zero norm, as pgvector returns. */
  public static double cosineDistance(float[] a, float[] b) {
    checkSameDim(a, b);
    float dot = 0;
    float na = 0;
    float nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    double similarity = (double) dot / Math.sqrt((double) na * (double) nb);
    if (Double.isNaN(similarity)) {
      return Double.NaN;
    }
    similarity = Math.max(-1, Math.min(1, similarity));
    return 1 - similarity;
  }

  public static double l1(float[] a, float[] b) {
    checkSameDim(a, b);
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum;
  }

  public static double norm(float[] a) {
    double sum = 0;
    for (float f : a) {
      sum += (double) f * f;
    }
    return Math.sqrt(sum);
  }

  private static void checkSameDim(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new QuiverException(
          SqlState.DATA_EXCEPTION, "different vector dimensions " + a.length + " and " + b.length);
    }
  }
}
