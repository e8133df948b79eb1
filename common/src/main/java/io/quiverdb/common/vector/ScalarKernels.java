package io.quiverdb.common.vector;

/** The portable kernels: plain loops, summed in index order. */
final class ScalarKernels extends VectorKernels {
  static final ScalarKernels INSTANCE = new ScalarKernels();

  @Override
  public String describe() {
    return "scalar";
  }

  @Override
  public float squaredL2(float[] a, int ao, float[] b, int bo, int n) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
      float d = a[ao + i] - b[bo + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
      sum += a[ao + i] * b[bo + i];
    }
    return sum;
  }

  @Override
  public float cosineDistance(float[] a, int ao, float[] b, int bo, int n) {
    float dot = 0;
    float na = 0;
    float nb = 0;
    for (int i = 0; i < n; i++) {
      float x = a[ao + i];
      float y = b[bo + i];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return cosine(dot, na, nb);
  }

  @Override
  public float l1(float[] a, int ao, float[] b, int bo, int n) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.abs(a[ao + i] - b[bo + i]);
    }
    return sum;
  }
}
