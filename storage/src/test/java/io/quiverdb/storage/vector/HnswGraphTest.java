package io.quiverdb.storage.vector;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.vector.Metric;
import io.quiverdb.common.vector.VectorKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The graph alone, against brute force on clustered data: recall with one and with several
 * inserting threads, every metric, acceptance filters, and persistence round trips.
 */
class HnswGraphTest {
  private static final int DIM = 24;

  /**
   * Clustered vectors as real embeddings look: 30 centres N(0,1); each cluster varies along its
   * own 6-dimensional subspace (latent deviations 1/sqrt(1+i)) plus a little isotropic noise.
   * The same seed gives the same clusters; {@code draw} picks the members.
   */
  static float[][] clustered(int n, long draw) {
    Random r = new Random(1234);
    int latent = 6;
    float[][] centres = new float[30][DIM];
    float[][][] bases = new float[30][latent][DIM];
    for (int c = 0; c < centres.length; c++) {
      for (int i = 0; i < DIM; i++) {
        centres[c][i] = (float) r.nextGaussian();
        for (int l = 0; l < latent; l++) {
          bases[c][l][i] = (float) (r.nextGaussian() / Math.sqrt(latent));
        }
      }
    }
    Random d = new Random(draw);
    float[][] out = new float[n][DIM];
    for (int j = 0; j < n; j++) {
      int c = d.nextInt(centres.length);
      float[] v = out[j];
      for (int i = 0; i < DIM; i++) {
        v[i] = centres[c][i] + (float) (0.05 * d.nextGaussian());
      }
      for (int l = 0; l < latent; l++) {
        float z = (float) (d.nextGaussian() / Math.sqrt(1 + l));
        for (int i = 0; i < DIM; i++) {
          v[i] += z * bases[c][l][i];
        }
      }
    }
    return out;
  }

  static int[] exact(float[][] data, float[] q, int k, Metric metric, IntPredicate accept) {
    VectorKernels kern = VectorKernels.scalar();
    long[] packed = new long[data.length];
    int n = 0;
    for (int i = 0; i < data.length; i++) {
      if (accept.test(i)) {
        packed[n++] = HnswGraph.pack(kern.distance(metric, q, 0, data[i], 0, DIM), i);
      }
    }
    long[] sorted = Arrays.copyOf(packed, n);
    Arrays.sort(sorted);
    int[] ids = new int[Math.min(k, n)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (int) sorted[i];
    }
    return ids;
  }

  static HnswGraph build(float[][] data, Metric metric, int threads) throws Exception {
    HnswGraph g = new HnswGraph(DIM, metric, 16, 64);
    AtomicInteger next = new AtomicInteger();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        SearchState s = SearchState.get();
        int i;
        while ((i = next.getAndIncrement()) < data.length) {
          g.insert(i, data[i], 42L * i + 7, s);
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    return g;
  }

  static double recall(HnswGraph g, float[][] data, float[][] queries, int k, int ef,
      Metric metric, IntPredicate accept) {
    long hits = 0;
    long[] out = new long[k];
    SearchState s = SearchState.get();
    for (float[] q : queries) {
      int[] truth = exact(data, q, k, metric, accept);
      int n = g.search(q, k, ef, accept, data.length, s, out);
      for (int i = 0; i < n; i++) {
        int node = HnswGraph.unpackNode(out[i]);
        assertThat(accept.test(node)).isTrue();
        for (int t : truth) {
          if (t == node) {
            hits++;
          }
        }
      }
    }
    return hits / (double) (queries.length * k);
  }

  @Test
  void finds_the_nearest_neighbours_of_clustered_data() throws Exception {
    float[][] data = clustered(20_000, 1);
    float[][] queries = clustered(200, 2);
    HnswGraph g = build(data, Metric.L2, 1);
    assertThat(g.size()).isEqualTo(data.length);
    double r = recall(g, data, queries, 10, 64, Metric.L2, i -> true);
    assertThat(r).isGreaterThan(0.95);
  }

  @Test
  void concurrent_inserts_build_an_equally_good_graph() throws Exception {
    float[][] data = clustered(20_000, 3);
    float[][] queries = clustered(200, 4);
    HnswGraph g = build(data, Metric.L2, 4);
    assertThat(g.size()).isEqualTo(data.length);
    assertThat(recall(g, data, queries, 10, 64, Metric.L2, i -> true)).isGreaterThan(0.95);
  }

  @Test
  void every_metric_ranks_by_its_own_distance() throws Exception {
    float[][] data = clustered(5_000, 5);
    float[][] queries = clustered(100, 6);
    for (Metric m : Metric.values()) {
      HnswGraph g = build(data, m, 2);
      assertThat(recall(g, data, queries, 10, 80, m, i -> true)).as(m.name()).isGreaterThan(0.9);
    }
  }

  @Test
  void an_acceptance_filter_keeps_recall_and_never_returns_rejected_nodes() throws Exception {
    float[][] data = clustered(20_000, 7);
    float[][] queries = clustered(200, 8);
    HnswGraph g = build(data, Metric.L2, 2);
    IntPredicate half = i -> i % 2 == 1;
    assertThat(recall(g, data, queries, 10, 64, Metric.L2, half)).isGreaterThan(0.95);
    IntPredicate tenth = i -> i % 10 == 3;
    assertThat(recall(g, data, queries, 10, 64, Metric.L2, tenth)).isGreaterThan(0.9);
  }

  @Test
  void a_persisted_graph_restores_to_the_watermark() throws Exception {
    float[][] data = clustered(5_000, 9);
    float[][] queries = clustered(100, 10);
    HnswGraph g = build(data, Metric.L2, 2);
    byte[][] links = new byte[g.chunkCount()][];
    byte[][] vectors = new byte[g.chunkCount()][];
    for (int c = 0; c < links.length; c++) {
      links[c] = g.encodeLinks(c);
      vectors[c] = g.encodeVectors(c);
    }
    HnswGraph whole = new HnswGraph(DIM, Metric.L2, 16, 64);
    whole.restore(links, vectors, data.length);
    assertThat(whole.size()).isEqualTo(data.length);
    assertThat(recall(whole, data, queries, 10, 64, Metric.L2, i -> true))
        .isEqualTo(recall(g, data, queries, 10, 64, Metric.L2, i -> true));
    HnswGraph cut = new HnswGraph(DIM, Metric.L2, 16, 64);
    cut.restore(links, vectors, 3000);
    assertThat(cut.size()).isEqualTo(3000);
    float[][] prefix = Arrays.copyOf(data, 3000);
    long[] out = new long[10];
    for (float[] q : queries) {
      int n = cut.search(q, 10, 64, i -> true, 3000, SearchState.get(), out);
      for (int i = 0; i < n; i++) {
        assertThat(HnswGraph.unpackNode(out[i])).isLessThan(3000);
      }
    }
    assertThat(recall(cut, prefix, queries, 10, 64, Metric.L2, i -> true)).isGreaterThan(0.9);
  }

  @Test
  void lists_read_during_concurrent_inserts_are_always_whole() throws Exception {
    float[][] data = clustered(30_000, 11);
    HnswGraph g = new HnswGraph(DIM, Metric.L2, 2, 16); // small lists: many rewrites
    AtomicInteger next = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> torn =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      ts.add(new Thread(() -> {
        SearchState s = SearchState.get();
        int i;
        while ((i = next.getAndIncrement()) < data.length) {
          g.insert(i, data[i], 42L * i + 7, s);
        }
      }));
    }
    Thread reader = new Thread(() -> {
      Random r = new Random(5);
      while (!done.get() && torn.get() == null) {
        int bound = Math.max(1, Math.min(next.get(), 16)); // the oldest lists change most
        for (int k = 0; k < 2000; k++) {
          int node = r.nextInt(bound);
          if (!g.contains(node)) {
            continue;
          }
          int[] nbs = g.neighbours(node, 0);
          java.util.Set<Integer> seen = new java.util.HashSet<>();
          for (int nb : nbs) {
            if (!seen.add(nb) || nb == node || !g.contains(nb)) {
              torn.compareAndSet(null, "node " + node + " list " + Arrays.toString(nbs));
            }
          }
        }
      }
    });
    reader.start();
    ts.forEach(Thread::start);
    for (Thread th : ts) {
      th.join();
    }
    done.set(true);
    reader.join();
    assertThat(torn.get()).as("a list seen while it was rewritten").isNull();
    HnswGraph.Check check = g.check(data.length);
    assertThat(check.nodes()).isEqualTo(data.length);
    assertThat(check.duplicateLinks() + check.absentLinks() + check.selfLinks()
        + check.levelErrors()).isZero();
  }

  @Test
  void a_search_below_a_newer_entry_point_starts_at_the_entry_point_below_it() throws Exception {
    float[][] data = clustered(20_000, 12);
    float[][] queries = clustered(200, 13);
    int n = data.length - 1;
    HnswGraph g = new HnswGraph(DIM, Metric.L2, 16, 64);
    SearchState s = SearchState.get();
    for (int i = 0; i < n; i++) {
      g.insert(i, data[i], 42L * i + 7, s);
    }
    int top = (int) (g.entryBelow(n) >>> 32);
    long seed = 0;
    while (levelOf(seed, 16) <= top) {
      seed++;
    }
    g.insert(n, data[n], seed, s); // the last node becomes the entry point at a new top level
    assertThat((int) g.entryBelow(n + 1)).isEqualTo(n);
    float[][] prefix = Arrays.copyOf(data, n);
    long hits = 0;
    long[] out = new long[10];
    for (float[] q : queries) {
      int[] truth = exact(prefix, q, 10, Metric.L2, i -> true);
      int found = g.search(q, 10, 16, i -> true, n, s, out);
      for (int i = 0; i < found; i++) {
        int node = HnswGraph.unpackNode(out[i]);
        assertThat(node).isLessThan(n);
        for (int t : truth) {
          hits += t == node ? 1 : 0;
        }
      }
    }
    assertThat(hits / (double) (queries.length * 10)).isGreaterThan(0.9);
  }

  private static int levelOf(long seed, int m) {
    return (int) (-Math.log(1 - new java.util.SplittableRandom(seed).nextDouble()) / Math.log(m));
  }

  @Test
  void the_check_finds_links_to_nodes_that_are_gone() throws Exception {
    float[][] data = clustered(3_000, 14);
    HnswGraph g = build(data, Metric.L2, 2);
    assertThat(g.check(data.length).absentLinks()).isZero();
    assertThat(g.check(data.length).unreachable()).isLessThan(data.length / 100);
    byte[][] links = new byte[g.chunkCount()][];
    byte[][] vectors = new byte[g.chunkCount()][];
    for (int c = 0; c < links.length; c++) {
      links[c] = g.encodeLinks(c);
      vectors[c] = g.encodeVectors(c);
    }
    links[0][5] = -1; // node 5 absent, its neighbours still naming it
    HnswGraph damaged = new HnswGraph(DIM, Metric.L2, 16, 64);
    damaged.restore(links, vectors, data.length);
    assertThat(damaged.check(data.length).absentLinks()).isPositive();
  }
}
