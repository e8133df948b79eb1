package io.quiverdb.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Base vectors (row {@code i} has id {@code i}) and query vectors: read from texmex
 * {@code .fvecs} files, or generated.
 *
 * <p>The generator makes clustered data that behaves like real embeddings rather than uniform
 * noise: 100 cluster centres drawn from N(0, 1) per dimension; cluster weights log-normal(0, 1);
 * a per-cluster scale log-uniform in [0.3, 1.5]; each cluster varies along its own random
 * 24-dimensional subspace (basis entries N(0, 1/24), latent standard deviations 2/sqrt(1+i)) plus
 * isotropic noise N(0, 0.05²), all times the cluster's scale; queries are fresh draws from the
 * same mixture. The same seed gives the same vectors everywhere (SplittableRandom is specified
 * exactly), and the queries do not depend on how many base vectors are drawn.
 */
record Dataset(String name, float[][] base, float[][] queries) {
  static final int CLUSTERS = 100;
  static final int LATENT = 24;

  int dimensions() {
    return base[0].length;
  }

  static Dataset generate(int n, int dim, int queries, long seed) {
    SplittableRandom params = new SplittableRandom(seed);
    float[][] centres = new float[CLUSTERS][dim];
    double[] cumulative = new double[CLUSTERS];
    double[] scale = new double[CLUSTERS];
    float[][][] basis = new float[CLUSTERS][LATENT][dim];
    double total = 0;
    for (int c = 0; c < CLUSTERS; c++) {
      for (int i = 0; i < dim; i++) {
        centres[c][i] = (float) gaussian(params);
      }
      total += Math.exp(gaussian(params));
      cumulative[c] = total;
      scale[c] = Math.exp(Math.log(0.3) + params.nextDouble() * Math.log(1.5 / 0.3));
      for (int l = 0; l < LATENT; l++) {
        for (int i = 0; i < dim; i++) {
          basis[c][l][i] = (float) (gaussian(params) / Math.sqrt(LATENT));
        }
      }
    }
    for (int c = 0; c < CLUSTERS; c++) {
      cumulative[c] /= total;
    }
    SplittableRandom baseDraws = new SplittableRandom(seed * 31 + 1);
    SplittableRandom queryDraws = new SplittableRandom(seed * 31 + 2);
    float[][] base = new float[n][];
    for (int j = 0; j < n; j++) {
      base[j] = draw(baseDraws, centres, cumulative, scale, basis);
    }
    float[][] q = new float[queries][];
    for (int j = 0; j < queries; j++) {
      q[j] = draw(queryDraws, centres, cumulative, scale, basis);
    }
    return new Dataset("generated " + n + " x " + dim + " (100 clusters, seed " + seed + ")",
        base, q);
  }

  private static float[] draw(SplittableRandom r, float[][] centres, double[] cumulative,
      double[] scale, float[][][] basis) {
    double u = r.nextDouble();
    int c = 0;
    while (c < CLUSTERS - 1 && cumulative[c] < u) {
      c++;
    }
    int dim = centres[c].length;
    double[] v = new double[dim];
    for (int l = 0; l < LATENT; l++) {
      double z = gaussian(r) * 2 / Math.sqrt(1 + l);
      float[] b = basis[c][l];
      for (int i = 0; i < dim; i++) {
        v[i] += z * b[i];
      }
    }
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) (centres[c][i] + scale[c] * (v[i] + 0.05 * gaussian(r)));
    }
    return out;
  }

  /** A standard normal draw (Box-Muller), so that the stream is the same on every JDK. */
  static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  // ---------------------------------------------------------------- texmex files

  /** Reads an {@code .fvecs} file: per vector, a little-endian int32 dimension then floats. */
  static float[][] readFvecs(Path file, int limit) throws IOException {
    List<float[]> out = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(file), 1 << 20))) {
      byte[] head = new byte[4];
      while (out.size() < limit && readFully(in, head)) {
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] body = new byte[4 * dim];
        in.readFully(body);
        float[] v = new float[dim];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        out.add(v);
      }
    }
    return out.toArray(new float[0][]);
  }

  /** Reads an {@code .ivecs} file (as fvecs, with int32 values). */
  static int[][] readIvecs(Path file, int limit) throws IOException {
    List<int[]> out = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(file), 1 << 20))) {
      byte[] head = new byte[4];
      while (out.size() < limit && readFully(in, head)) {
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] body = new byte[4 * dim];
        in.readFully(body);
        int[] v = new int[dim];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        out.add(v);
      }
    }
    return out.toArray(new int[0][]);
  }

  static void writeFvecs(Path file, float[][] vectors) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (float[] v : vectors) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length).asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
  }

  static void writeIvecs(Path file, int[][] rows) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(file), 1 << 20))) {
      for (int[] v : rows) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length).asIntBuffer().put(v);
        out.write(b.array());
      }
    }
  }

  private static boolean readFully(InputStream in, byte[] b) throws IOException {
    int n = in.readNBytes(b, 0, b.length);
    if (n == 0) {
      return false;
    }
    if (n < b.length) {
      throw new EOFException("truncated vector file");
    }
    return true;
  }
}
