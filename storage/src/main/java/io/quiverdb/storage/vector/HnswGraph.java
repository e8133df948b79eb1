package io.quiverdb.storage.vector;

import io.quiverdb.common.vector.VectorKernels;
import io.quiverdb.common.vector.Metric;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * A hierarchical navigable small world graph (Malkov and Yashunin) over the vectors of one
 * segment, whose nodes are the segment's offsets.
 *
 * <p>Layout: nodes live in chunks of {@value #CHUNK} holding their vectors contiguously, their
 * level, their level-0 neighbour list ({@code count, n1 .. n_m0} in one int array for the chunk)
 * and, for the few nodes above level 0, one int array of their upper lists. The chunk directory
 * is replaced whole when it grows, so readers never lock.
 *
 * <p>Concurrency: any number of threads may insert and search at once. A node's vector and level
 * are written before the node is linked anywhere; its lists change only under its stripe lock,
 * and a list's count is written with release semantics after its entries and read with acquire
 * semantics before them, so a reader that finds a neighbour also sees that neighbour's vector. A
 * reader may see a list while it is being rewritten (a mix of old and new neighbours, all valid
 * nodes), which costs a search nothing but a little precision.
 *
 * <p>Distances are the metric's ranking distance ({@link VectorKernels#distance}): smaller is
 * nearer.
 */
public final class HnswGraph {
  static final int CHUNK_BITS = 10;
  static final int CHUNK = 1 << CHUNK_BITS;
  static final int MASK = CHUNK - 1;
  static final int MAX_LEVEL = 16;
  /**
   * The candidate list of the level-1 search of a query. The paper descends the upper levels
   * greedily (a list of one); on clustered data that often enters level 0 in a neighbouring
   * cluster, and no ef_search recovers. A beam of 32 whose nodes all seed level 0 costs a few
   * dozen distances and, on the benchmark data, buys the recall that doubling ef_search would.
   */
  static final int UPPER_EF = 32;
  private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

  /** One block of {@link #CHUNK} nodes. */
  static final class Chunk {
    final float[] vectors;
    final int[] links0;
    final byte[] levels;
    final int[][] upper;

    Chunk(int dim, int m0) {
      vectors = new float[CHUNK * dim];
      links0 = new int[CHUNK * (m0 + 1)];
      levels = new byte[CHUNK];
      Arrays.fill(levels, (byte) -1);
      upper = new int[CHUNK][];
    }
  }

  final int dim;
  final Metric metric;
  final int m;
  final int m0;
  final int efConstruction;
  private final double levelMultiplier;
  private final VectorKernels kernels = VectorKernels.get();
  private final Object[] locks = new Object[512];
  private volatile Chunk[] chunks = new Chunk[0];
  /** The entry point: {@code level << 32 | node}, or -1 while the graph is empty. */
  private volatile long entry = -1;
  private volatile int nodeCount;

  public HnswGraph(int dim, Metric metric, int m, int efConstruction) {
    if (dim <= 0 || m < 2 || efConstruction < 1) {
      throw new IllegalArgumentException("dim " + dim + ", m " + m + ", ef " + efConstruction);
    }
    this.dim = dim;
    this.metric = metric;
    this.m = m;
    this.m0 = 2 * m;
    this.efConstruction = efConstruction;
    this.levelMultiplier = 1 / Math.log(m);
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  public int dimensions() {
    return dim;
  }

  public Metric metric() {
    return metric;
  }

  /** Nodes in the graph. */
  public int size() {
    return nodeCount;
  }

  /** One more than the highest node id the graph has room for. */
  public int capacity() {
    return chunks.length << CHUNK_BITS;
  }

  /** Whether {@code node} has been added (its insertion may still be linking it). */
  public boolean contains(int node) {
    Chunk[] c = chunks;
    int i = node >>> CHUNK_BITS;
    return i < c.length && c[i].levels[node & MASK] >= 0;
  }

  /** Bytes of heap the graph holds: vectors, lists and levels. */
  public long bytes() {
    long b = 0;
    for (Chunk c : chunks) {
      b += 4L * c.vectors.length + 4L * c.links0.length + c.levels.length;
      for (int[] u : c.upper) {
        b += u == null ? 0 : 16 + 4L * u.length;
      }
    }
    return b;
  }

  // ---------------------------------------------------------------- insert

  /**
   * Adds {@code vector} as node {@code node} (not yet present) and links it. Safe to call from
   * several threads for different nodes. {@code seed} draws the node's level, so that a build is
   * repeatable whatever thread inserts which node.
   */
  public void insert(int node, float[] vector, long seed, SearchState state) {
    if (vector.length != dim) {
      throw new IllegalArgumentException("expected " + dim + " dimensions, not " + vector.length);
    }
    Chunk chunk = chunkFor(node);
    int local = node & MASK;
    System.arraycopy(vector, 0, chunk.vectors, local * dim, dim);
    int level = Math.min(MAX_LEVEL, (int) (-Math.log(1 - new SplittableRandom(seed).nextDouble()) * levelMultiplier));
    if (level > 0) {
      int[] up = new int[level * (m + 1)];
      chunk.upper[local] = up;
    }
    chunk.levels[local] = (byte) level;
    long ep = entry;
    if (ep == -1) {
      synchronized (this) {
        if (entry == -1) {
          VarHandle.releaseFence();
          entry = (long) level << 32 | node;
          nodeCount++;
          return;
        }
        ep = entry;
      }
    }
    int epLevel = (int) (ep >>> 32);
    int cur = (int) ep;
    float curDist = distance(vector, cur);
    state.distances++;
    for (int l = epLevel; l > level; l--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        int[] list = list(cur, l);
        int base = listBase(cur, l);
        int n = (int) INTS.getAcquire(list, base);
        for (int i = 1; i <= n; i++) {
          int nb = list[base + i];
          float d = distance(vector, nb);
          state.distances++;
          if (d < curDist) {
            curDist = d;
            cur = nb;
            moved = true;
          }
        }
      }
    }
    for (int l = Math.min(level, epLevel); l >= 0; l--) {
      int found = searchLayer(vector, cur, curDist, efConstruction, l, null, state, capacity());
      long[] sorted = state.scratch;
      int[] selected = selectNeighbours(node, vector, sorted, found, l == 0 ? m0 : m, state);
      setList(node, l, selected);
      for (int s : selected) {
        if (s >= 0) {
          link(s, node, l, state);
        }
      }
      cur = (int) sorted[0];
      curDist = unpackDistance(sorted[0]);
    }
    synchronized (this) {
      nodeCount++;
      if (level > (int) (entry >>> 32)) {
        entry = (long) level << 32 | node;
      }
    }
  }

  /** Makes room for {@code node}: adds chunks as needed (rarely, under the graph's lock). */
  private Chunk chunkFor(int node) {
    int i = node >>> CHUNK_BITS;
    Chunk[] c = chunks;
    if (i < c.length) {
      return c[i];
    }
    synchronized (this) {
      c = chunks;
      if (i >= c.length) {
        Chunk[] next = Arrays.copyOf(c, Math.max(i + 1, c.length + c.length / 4));
        for (int j = c.length; j < next.length; j++) {
          next[j] = new Chunk(dim, m0);
        }
        chunks = next;
        c = next;
      }
      return c[i];
    }
  }

  /**
   * The heuristic of the HNSW paper: walk the candidates from nearest to farthest and keep one
   * only if it is nearer to the new node than to every neighbour kept so far, so that neighbours
   * spread out in different directions instead of crowding one cluster. Returns up to {@code max}
   * nodes, padded with -1.
   */
  private int[] selectNeighbours(int self, float[] vector, long[] sorted, int n, int max,
      SearchState state) {
    int[] out = new int[max];
    int kept = 0;
    for (int i = 0; i < n && kept < max; i++) {
      int c = (int) sorted[i];
      if (c == self) {
        continue;
      }
      float dc = unpackDistance(sorted[i]);
      if (diverse(c, dc, out, kept, state)) {
        out[kept++] = c;
      }
    }
    Arrays.fill(out, kept, max, -1);
    return out;
  }

  private boolean diverse(int c, float distanceToBase, int[] kept, int n, SearchState state) {
    for (int j = 0; j < n; j++) {
      float d = distance(c, kept[j]);
      state.distances++;
      if (d < distanceToBase) {
        return false;
      }
    }
    return true;
  }

  private void setList(int node, int level, int[] neighbours) {
    synchronized (lock(node)) {
      int[] list = list(node, level);
      int base = listBase(node, level);
      int n = 0;
      for (int nb : neighbours) {
        if (nb >= 0) {
          list[base + 1 + n++] = nb;
        }
      }
      INTS.setRelease(list, base, n);
    }
  }

  /** Adds {@code node} to {@code target}'s list at {@code level}, pruning it when full. */
  private void link(int target, int node, int level, SearchState state) {
    int max = level == 0 ? m0 : m;
    synchronized (lock(target)) {
      int[] list = list(target, level);
      int base = listBase(target, level);
      int n = (int) INTS.getAcquire(list, base);
      for (int i = 1; i <= n; i++) {
        if (list[base + i] == node) {
          return;
        }
      }
      if (n < max) {
        list[base + 1 + n] = node;
        INTS.setRelease(list, base, n + 1);
        return;
      }
      Chunk tc = chunks[target >>> CHUNK_BITS];
      float[] tv = tc.vectors;
      int to = (target & MASK) * dim;
      long[] cand = new long[n + 1];
      for (int i = 0; i < n; i++) {
        int nb = list[base + 1 + i];
        cand[i] = pack(distance(tv, to, nb), nb);
      }
      cand[n] = pack(distance(tv, to, node), node);
      state.distances += n + 1;
      Arrays.sort(cand);
      int[] kept = new int[max];
      int k = 0;
      for (int i = 0; i <= n && k < max; i++) {
        int c = (int) cand[i];
        if (diverse(c, unpackDistance(cand[i]), kept, k, state)) {
          kept[k++] = c;
        }
      }
      for (int i = 0; i < k; i++) {
        list[base + 1 + i] = kept[i];
      }
      INTS.setRelease(list, base, k);
    }
  }

  private Object lock(int node) {
    return locks[node & (locks.length - 1)];
  }

  // ---------------------------------------------------------------- search

  /**
   * The {@code k} nearest accepted nodes to {@code query}, exploring with a candidate list of
   * {@code ef} (at least {@code k}). Rejected nodes are still traversed, so a filter or a
   * visibility bitmap does not cut the graph apart. Results go to {@code out} as packed
   * (distance, node) longs, nearest first; returns how many.
   *
   * @param limit nodes at or above this id are treated as absent (being inserted right now)
   */
  public int search(float[] query, int k, int ef, IntPredicate accept, int limit,
      SearchState state, long[] out) {
    long ep = entry;
    if (ep == -1 || k <= 0) {
      return 0;
    }
    int cur = (int) ep;
    if (cur >= limit) {
      // the entry point was added after the caller's watermark: start from any older node
      cur = olderNode(limit);
      if (cur < 0) {
        return 0;
      }
      ep = cur;
    }
    float curDist = distance(query, cur);
    state.distances++;
    int top = (int) (ep >>> 32);
    for (int l = top; l > 1; l--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        state.nodesVisited++;
        int[] list = list(cur, l);
        int base = listBase(cur, l);
        int n = (int) INTS.getAcquire(list, base);
        for (int i = 1; i <= n; i++) {
          int nb = list[base + i];
          if (nb >= limit) {
            continue;
          }
          float d = distance(query, nb);
          state.distances++;
          if (d < curDist) {
            curDist = d;
            cur = nb;
            moved = true;
          }
        }
      }
    }
    int found;
    if (top >= 1) {
      // a small beam on level 1 rather than one greedy path, whose nearest nodes all seed level 0:
      // a query near a small cluster is less likely to start in the wrong one
      int seeds = searchLayer(query, cur, curDist, UPPER_EF, 1, null, state, limit);
      long[] entry = state.entries(seeds);
      System.arraycopy(state.scratch, 0, entry, 0, seeds);
      found = searchLayer(query, entry, seeds, Math.max(ef, k), 0, accept, state, limit);
    } else {
      found = searchLayer(query, cur, curDist, Math.max(ef, k), 0, accept, state, limit);
    }
    int n = Math.min(found, k);
    System.arraycopy(state.scratch, 0, out, 0, n);
    return n;
  }

  private int olderNode(int limit) {
    for (int i = Math.min(limit, capacity()) - 1; i >= 0; i--) {
      if (contains(i)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Best-first search of one level from {@code start}: the {@code ef} nearest accepted nodes go
   * to {@code state.scratch}, nearest first; returns their number. A null {@code accept} accepts
   * every node.
   */
  private int searchLayer(float[] query, int start, float startDist, int ef, int level,
      IntPredicate accept, SearchState state, int limit) {
    state.seeds[0] = pack(startDist, start);
    return searchLayer(query, state.seeds, 1, ef, level, accept, state, limit);
  }

  /** {@link #searchLayer} from several entry points (packed distance and node). */
  private int searchLayer(float[] query, long[] starts, int nStarts, int ef, int level,
      IntPredicate accept, SearchState state, int limit) {
    state.startSearch(capacity());
    LongHeap candidates = state.candidates;
    LongHeap results = state.results;
    for (int i = 0; i < nStarts; i++) {
      long s = starts[i];
      int start = (int) s;
      if (!state.visit(start)) {
        continue;
      }
      candidates.push(s);
      if (accept == null || accept.test(start)) {
        results.push(~s);
        if (results.size() > ef) {
          results.pop();
        }
      }
    }
    while (!candidates.isEmpty()) {
      long c = candidates.pop();
      if (results.size() >= ef && c > ~results.peek()) {
        break;
      }
      int node = (int) c;
      state.nodesVisited++;
      int[] list = list(node, level);
      int base = listBase(node, level);
      int n = (int) INTS.getAcquire(list, base);
      // gather first, then measure: independent distance loops let the CPU overlap the memory
      // reads of several vectors, which is where a search spends its time
      int[] batch = state.batch(n);
      float[] dist = state.batchDistances;
      int b = 0;
      for (int i = 1; i <= n; i++) {
        int nb = list[base + i];
        if (nb < limit && state.visit(nb)) {
          batch[b++] = nb;
        }
      }
      distances(query, batch, b, dist, state.four);
      state.distances += b;
      for (int i = 0; i < b; i++) {
        int nb = batch[i];
        float d = dist[i];
        long p = pack(d, nb);
        if (results.size() < ef || p < ~results.peek()) {
          candidates.push(p);
          if (accept == null || accept.test(nb)) {
            results.push(~p);
            if (results.size() > ef) {
              results.pop();
            }
          }
        }
      }
    }
    int found = results.size();
    if (state.scratch.length < found) {
      state.scratch = new long[Math.max(found, state.scratch.length * 2)];
    }
    for (int i = found - 1; i >= 0; i--) {
      state.scratch[i] = ~results.pop();
    }
    return found;
  }

  // ---------------------------------------------------------------- lists and distances

  private int[] list(int node, int level) {
    Chunk c = chunks[node >>> CHUNK_BITS];
    return level == 0 ? c.links0 : c.upper[node & MASK];
  }

  private int listBase(int node, int level) {
    return level == 0 ? (node & MASK) * (m0 + 1) : (level - 1) * (m + 1);
  }

  /** The distances from {@code query} to {@code nodes[0..n)}, four at a time. */
  private void distances(float[] query, int[] nodes, int n, float[] out, float[] four) {
    Chunk[] c = chunks;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      int x0 = nodes[i];
      int x1 = nodes[i + 1];
      int x2 = nodes[i + 2];
      int x3 = nodes[i + 3];
      kernels.distance4(metric, query, c[x0 >>> CHUNK_BITS].vectors, (x0 & MASK) * dim,
          c[x1 >>> CHUNK_BITS].vectors, (x1 & MASK) * dim, c[x2 >>> CHUNK_BITS].vectors,
          (x2 & MASK) * dim, c[x3 >>> CHUNK_BITS].vectors, (x3 & MASK) * dim, dim, four);
      out[i] = four[0];
      out[i + 1] = four[1];
      out[i + 2] = four[2];
      out[i + 3] = four[3];
    }
    for (; i < n; i++) {
      out[i] = distance(query, nodes[i]);
    }
  }

  private float distance(float[] query, int node) {
    Chunk c = chunks[node >>> CHUNK_BITS];
    return kernels.distance(metric, query, 0, c.vectors, (node & MASK) * dim, dim);
  }

  private float distance(float[] a, int ao, int node) {
    Chunk c = chunks[node >>> CHUNK_BITS];
    return kernels.distance(metric, a, ao, c.vectors, (node & MASK) * dim, dim);
  }

  private float distance(int a, int b) {
    Chunk ca = chunks[a >>> CHUNK_BITS];
    return distance(ca.vectors, (a & MASK) * dim, b);
  }

  /** A distance and a node in one long whose signed order is the distance's, then the node's. */
  public static long pack(float distance, int node) {
    int bits = Float.floatToIntBits(distance);
    bits ^= (bits >> 31) & 0x7fffffff;
    return (long) bits << 32 | (node & 0xffffffffL);
  }

  public static float unpackDistance(long packed) {
    int bits = (int) (packed >>> 32);
    bits ^= (bits >> 31) & 0x7fffffff;
    return Float.intBitsToFloat(bits);
  }

  public static int unpackNode(long packed) {
    return (int) packed;
  }

  // ---------------------------------------------------------------- persistence

  /** Chunks in use: nodes below {@code chunks() * CHUNK}. */
  public int chunkCount() {
    return chunks.length;
  }

  /** Nodes per chunk. */
  public static int chunkSize() {
    return CHUNK;
  }

  /**
   * Chunk {@code c}'s levels and neighbour lists: the levels (one byte per node), the level-0
   * lists, then the upper lists of the nodes above level 0 in node order; little-endian. Call
   * while no insert runs.
   */
  public byte[] encodeLinks(int c) {
    Chunk chunk = chunks[c];
    int upperInts = 0;
    for (int[] u : chunk.upper) {
      upperInts += u == null ? 0 : u.length;
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(
        CHUNK + 4 * chunk.links0.length + 4 * upperInts).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(chunk.levels);
    b.asIntBuffer().put(chunk.links0);
    b.position(b.position() + 4 * chunk.links0.length);
    for (int[] u : chunk.upper) {
      if (u != null) {
        b.asIntBuffer().put(u);
        b.position(b.position() + 4 * u.length);
      }
    }
    return b.array();
  }

  /** Chunk {@code c}'s vectors, little-endian floats. */
  public byte[] encodeVectors(int c) {
    float[] v = chunks[c].vectors;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * Rebuilds a graph from encoded chunks, keeping only nodes below {@code watermark}: a persisted
   * graph may hold nodes that were being inserted when it was written, and lists that name them.
   * The entry point is the first node of the highest level.
   */
  public void restore(byte[][] links, byte[][] vectors, int watermark) {
    Chunk[] loaded = new Chunk[links.length];
    int count = 0;
    long top = -1;
    for (int c = 0; c < links.length; c++) {
      Chunk chunk = new Chunk(dim, m0);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(links[c])
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.get(chunk.levels);
      b.asIntBuffer().get(chunk.links0);
      b.position(b.position() + 4 * chunk.links0.length);
      for (int i = 0; i < CHUNK; i++) {
        int level = chunk.levels[i];
        if (level > 0) {
          chunk.upper[i] = new int[level * (m + 1)];
          b.asIntBuffer().get(chunk.upper[i]);
          b.position(b.position() + 4 * chunk.upper[i].length);
        }
      }
      java.nio.ByteBuffer.wrap(vectors[c]).order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer().get(chunk.vectors);
      for (int i = 0; i < CHUNK; i++) {
        int node = (c << CHUNK_BITS) | i;
        int level = chunk.levels[i];
        if (level < 0) {
          continue;
        }
        if (node >= watermark) {
          chunk.levels[i] = -1;
          chunk.upper[i] = null;
          chunk.links0[i * (m0 + 1)] = 0;
          continue;
        }
        count++;
        dropNewer(chunk.links0, i * (m0 + 1), watermark);
        for (int l = 1; l <= level; l++) {
          dropNewer(chunk.upper[i], (l - 1) * (m + 1), watermark);
        }
        if (top == -1 || level > (int) (top >>> 32)) {
          top = (long) level << 32 | node;
        }
      }
      loaded[c] = chunk;
    }
    this.chunks = loaded;
    this.nodeCount = count;
    this.entry = top;
  }

  private static void dropNewer(int[] list, int base, int watermark) {
    int n = list[base];
    int kept = 0;
    for (int i = 1; i <= n; i++) {
      if (list[base + i] < watermark) {
        list[base + 1 + kept++] = list[base + i];
      }
    }
    list[base] = kept;
  }
}
