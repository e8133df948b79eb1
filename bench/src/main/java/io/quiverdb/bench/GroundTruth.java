package io.quiverdb.bench;

import io.quiverdb.common.vector.Metric;
import io.quiverdb.common.vector.VectorKernels;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/** Exact k nearest neighbours by brute force, on all cores; ties go to the smaller id. */
final class GroundTruth {
  private GroundTruth() {}

  static int[][] compute(float[][] base, float[][] queries, int k, Metric metric,
      IntPredicate live) {
    VectorKernels kernels = VectorKernels.get();
    int[][] out = new int[queries.length][];
    IntStream.range(0, queries.length).parallel().forEach(q -> {
      float[] query = queries[q];
      // a bounded max-heap of (distance, id) packed so that long order is distance then id
      long[] heap = new long[k];
      int size = 0;
      for (int i = 0; i < base.length; i++) {
        if (!live.test(i)) {
          continue;
        }
        long p = pack(kernels.distance(metric, query, 0, base[i], 0, query.length), i);
        if (size < k) {
          heap[size++] = p;
          if (size == k) {
            Arrays.sort(heap);
          }
        } else if (p < heap[k - 1]) {
          int at = Arrays.binarySearch(heap, p);
          at = at < 0 ? -at - 1 : at;
          System.arraycopy(heap, at, heap, at + 1, k - 1 - at);
          heap[at] = p;
        }
      }
      long[] kept = Arrays.copyOf(heap, size);
      Arrays.sort(kept);
      int[] ids = new int[size];
      for (int j = 0; j < size; j++) {
        ids[j] = (int) kept[j];
      }
      out[q] = ids;
    });
    return out;
  }

  private static long pack(float distance, int id) {
    int bits = Float.floatToIntBits(distance);
    bits ^= (bits >> 31) & 0x7fffffff;
    return (long) bits << 32 | id;
  }
}
