package io.quiverdb.storage;

import java.util.Arrays;

/**
 * The answer of {@link Transaction#nearest}: row ids nearest first with their ranking distances,
 * and what the search cost, for EXPLAIN ANALYZE.
 */
public final class NearestRows {
  private final int k;
  private long[] ids;
  private float[] distances;
  private int size;
  /** Graph nodes whose neighbours were read, distances computed, rows compared exactly. */
  long nodesVisited;
  long distancesComputed;
  long exactRows;
  int graphsSearched;
  /** Segments whose graph found fewer than k rows and were compared exactly instead. */
  int graphShortfalls;

  NearestRows(int k) {
    this.k = k;
    int cap = Math.min(Math.max(k, 1), 1024);
    ids = new long[cap];
    distances = new float[cap];
  }

  /** Keeps {@code (distance, id)} if it is among the k nearest offered so far (a max-heap). */
  void offer(float distance, long id) {
    if (k == 0 || Float.isNaN(distance)) {
      return;
    }
    if (size < k) {
      if (size == ids.length) {
        ids = Arrays.copyOf(ids, size * 2);
        distances = Arrays.copyOf(distances, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!farther(distance, id, parent)) {
          break;
        }
        ids[i] = ids[parent];
        distances[i] = distances[parent];
        i = parent;
      }
      ids[i] = id;
      distances[i] = distance;
      return;
    }
    if (!farther(distances[0], ids[0], distance, id)) {
      return;
    }
    // replace the farthest and sift down
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && farther(distances[child + 1], ids[child + 1], child)) {
        child++;
      }
      if (!farther(distances[child], ids[child], distance, id)) {
        break;
      }
      ids[i] = ids[child];
      distances[i] = distances[child];
      i = child;
    }
    ids[i] = id;
    distances[i] = distance;
  }

  private boolean farther(float d, long id, int slot) {
    return farther(d, id, distances[slot], ids[slot]);
  }

  private static boolean farther(float d1, long id1, float d2, long id2) {
    return d1 > d2 || (d1 == d2 && id1 > id2);
  }

  /** Sorts the kept rows nearest first; call once, after the last offer. */
  void finish() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> farther(distances[a], ids[a], distances[b], ids[b]) ? 1
        : farther(distances[b], ids[b], distances[a], ids[a]) ? -1 : 0);
    long[] i2 = new long[size];
    float[] d2 = new float[size];
    for (int i = 0; i < size; i++) {
      i2[i] = ids[order[i]];
      d2[i] = distances[order[i]];
    }
    ids = i2;
    distances = d2;
  }

  public int size() {
    return size;
  }

  /** The id of the {@code i}-th nearest row, for {@link Transaction#row}. */
  public long rowId(int i) {
    return ids[i];
  }

  /** Its ranking distance (pgvector's value, squared for L2, to float precision). */
  public float distance(int i) {
    return distances[i];
  }

  public long nodesVisited() {
    return nodesVisited;
  }

  public long distancesComputed() {
    return distancesComputed;
  }

  /** Rows compared by exact distance: not yet in a graph, or written by this transaction. */
  public long exactRows() {
    return exactRows;
  }

  /** Segment graphs searched. */
  public int graphShortfalls() {
    return graphShortfalls;
  }

  public int graphsSearched() {
    return graphsSearched;
  }
}
