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
 * level, their level-0 neighbour list ({@code count, n1 .. n_m0}, one int array per node) and,
 * for the few nodes above level 0, one int array of their upper lists. The chunk directory is
 * replaced whole when it grows, so readers never lock.
 *
 * <p>Concurrency: any number of threads may insert and search at once. Invariant: a reader sees
 * every list whole, as one writer left it, and every node id it reads from a list happens-after
 * that node's vector, level and upper lists were written. A node's vector and level are written
 * before the node is linked anywhere; its lists change only under its stripe lock, in two ways:
 * an append writes the new entry and then the count (release; readers read the count with
 * acquire, then only entries below it), and a rewrite (pruning a full list) fills a new array and
 * publishes it with a release store of the reference (readers load it with acquire). An array
 * once replaced is never written again, so a reader holding it keeps a consistent list.
 *
 * <p>The entry point moves to each node that reaches a new top level; every entry point is kept,
 * so a search limited to the nodes below a watermark starts at the newest entry below it.
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
  private static final VarHandle LISTS = MethodHandles.arrayElementVarHandle(int[][].class);

  /** One block of {@link #CHUNK} nodes. */
  static final class Chunk {
    final float[] vectors;
    /** Per node its level-0 list {@code count, n1 .. n_m0}; null until the node is linked. */
    final int[][] links0;
    final byte[] levels;
    final int[][] upper;

    Chunk(int dim) {
      vectors = new float[CHUNK * dim];
      links0 = new int[CHUNK][];
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
  /** Every entry point the graph had, oldest first (levels increase): at most MAX_LEVEL + 1. */
  private volatile long[] entries = new long[0];
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
      for (int[] l : c.links0) {
        b += l == null ? 0 : 16 + 4L * l.length;
      }
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
      LISTS.setRelease(chunk.upper, local, new int[level * (m + 1)]);
    }
    LISTS.setRelease(chunk.links0, local, new int[m0 + 1]);
    chunk.levels[local] = (byte) level;
    long ep = entry;
    if (ep == -1) {
      synchronized (this) {
        if (entry == -1) {
          VarHandle.releaseFence();
          newEntry((long) level << 32 | node);
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
        int n = list == null ? 0 : (int) INTS.getAcquire(list, base);
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
        newEntry((long) level << 32 | node);
      }
    }
  }

  /** Makes {@code packed} (level and node) the entry point and remembers it (under the lock). */
  private void newEntry(long packed) {
    long[] e = Arrays.copyOf(entries, entries.length + 1);
    e[e.length - 1] = packed;
    entries = e;
    entry = packed;
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
          next[j] = new Chunk(dim);
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
      int[] copy = list.clone();
      int n = 0;
      for (int nb : neighbours) {
        if (nb >= 0) {
          copy[base + 1 + n++] = nb;
        }
      }
      copy[base] = n;
      publish(node, level, copy);
    }
  }

  /** Replaces {@code node}'s list array for {@code level} (under its lock): a release store. */
  private void publish(int node, int level, int[] list) {
    Chunk c = chunks[node >>> CHUNK_BITS];
    LISTS.setRelease(level == 0 ? c.links0 : c.upper, node & MASK, list);
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
      int[] copy = list.clone();
      for (int i = 0; i < k; i++) {
        copy[base + 1 + i] = kept[i];
      }
      copy[base] = k;
      publish(target, level, copy);
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
    if ((int) ep >= limit) {
      // the entry point was added after the caller's watermark: the newest one below it
      ep = entryBelow(limit);
      if (ep == -1) {
        return 0;
      }
    }
    int cur = (int) ep;
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
        int n = list == null ? 0 : (int) INTS.getAcquire(list, base);
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

  /**
   * The entry point (level and node) of the graph as it was when all nodes below {@code limit}
   * were in: the newest remembered entry point below the limit; failing that (nodes were inserted
   * out of order across the limit), the highest node below it, found by a scan. -1 when no node
   * is below the limit.
   */
  long entryBelow(int limit) {
    long[] e = entries;
    for (int i = e.length - 1; i >= 0; i--) {
      if ((int) e[i] < limit) {
        return e[i];
      }
    }
    long best = -1;
    Chunk[] c = chunks;
    for (int node = Math.min(limit, capacity()) - 1; node >= 0; node--) {
      int level = c[node >>> CHUNK_BITS].levels[node & MASK];
      if (level >= 0 && (best == -1 || level > (int) (best >>> 32))) {
        best = (long) level << 32 | node;
      }
    }
    return best;
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
      int n = list == null ? 0 : (int) INTS.getAcquire(list, base);
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

  /** A copy of {@code node}'s current list at {@code level} (empty when it has none). */
  public int[] neighbours(int node, int level) {
    int[] list = list(node, level);
    if (list == null) {
      return new int[0];
    }
    int base = listBase(node, level);
    int n = (int) INTS.getAcquire(list, base);
    return Arrays.copyOfRange(list, base + 1, base + 1 + n);
  }

  /** What {@link #check} found in the graph's structure; all zero but {@code nodes} when sound. */
  public record Check(int nodes, int duplicateLinks, int absentLinks, int outsideLinks,
      int selfLinks, int levelErrors, int unreachable) {}

  /** Checks the structure of the nodes below {@code limit} (see {@link GraphCheck}). */
  public Check check(int limit) {
    return GraphCheck.run(this, limit);
  }

  /** The level of {@code node}, or -1 when it is absent. */
  int levelOf(int node) {
    return chunks[node >>> CHUNK_BITS].levels[node & MASK];
  }

  // ---------------------------------------------------------------- lists and distances

  /** The current array holding {@code node}'s list at {@code level} (acquire), or null. */
  private int[] list(int node, int level) {
    Chunk c = chunks[node >>> CHUNK_BITS];
    return (int[]) LISTS.getAcquire(level == 0 ? c.links0 : c.upper, node & MASK);
  }

  private int listBase(int node, int level) {
    return level == 0 ? 0 : (level - 1) * (m + 1);
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

  /** Chunk {@code c}'s levels and neighbour lists (see {@link GraphImage#links}). */
  public byte[] encodeLinks(int c) {
    return GraphImage.links(this, chunks[c]);
  }

  /** Chunk {@code c}'s vectors, little-endian floats. */
  public byte[] encodeVectors(int c) {
    return GraphImage.vectors(chunks[c]);
  }

  /**
   * Rebuilds the graph from encoded chunks, keeping only nodes below {@code watermark} (see
   * {@link GraphImage#restore}); call on a new graph no one searches yet.
   */
  public void restore(byte[][] links, byte[][] vectors, int watermark) {
    GraphImage.restore(this, links, vectors, watermark);
  }

  /** Installs restored chunks with their node count and entry point (a new graph only). */
  void install(Chunk[] loaded, int count, long top) {
    this.chunks = loaded;
    this.nodeCount = count;
    this.entries = top == -1 ? new long[0] : new long[] {top};
    this.entry = top;
  }
}
