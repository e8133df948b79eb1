package io.quiverdb.storage.vector;

/**
 * The scratch space of one graph search, reused by one thread across searches so that a search
 * allocates nothing: the visited marks (a generation number per node, so clearing is one
 * increment), the candidate and result heaps, and the work counters EXPLAIN ANALYZE shows.
 */
public final class SearchState {
  private static final ThreadLocal<SearchState> LOCAL = ThreadLocal.withInitial(SearchState::new);

  private int[] visited = new int[1024];
  private int generation;
  final LongHeap candidates = new LongHeap(256);
  /** Complements of packed (distance, node): the root is the farthest result. */
  final LongHeap results = new LongHeap(256);
  long[] scratch = new long[256];
  private int[] batch = new int[64];
  float[] batchDistances = new float[64];
  final float[] four = new float[4];
  final long[] seeds = new long[1];
  private long[] entries = new long[16];
  /** Nodes whose neighbour lists were read, and distances computed, since {@link #resetCounters}. */
  long nodesVisited;
  long distances;

  /** This thread's state. */
  public static SearchState get() {
    return LOCAL.get();
  }

  void startSearch(int nodeCapacity) {
    if (visited.length < nodeCapacity) {
      visited = new int[Math.max(nodeCapacity, visited.length * 2)];
      generation = 0;
    }
    if (++generation == 0) {
      java.util.Arrays.fill(visited, 0);
      generation = 1;
    }
    candidates.clear();
    results.clear();
  }

  /** A buffer for up to {@code n} neighbours of one node, and {@link #batchDistances} to match. */
  int[] batch(int n) {
    if (batch.length < n) {
      batch = new int[n];
      batchDistances = new float[n];
    }
    return batch;
  }

  /** Room for {@code n} entry points of a level search. */
  long[] entries(int n) {
    if (entries.length < n) {
      entries = new long[n];
    }
    return entries;
  }

  /** Marks {@code node} visited; false if it already was in this search. */
  boolean visit(int node) {
    if (visited[node] == generation) {
      return false;
    }
    visited[node] = generation;
    return true;
  }

  public void resetCounters() {
    nodesVisited = 0;
    distances = 0;
  }

  public long nodesVisited() {
    return nodesVisited;
  }

  public long distances() {
    return distances;
  }
}
