package io.quiverdb.storage;

import io.quiverdb.common.vector.Metric;
import io.quiverdb.storage.vector.HnswGraph;
import java.util.Arrays;

/**
 * The runtime of one vector index: an HNSW graph per segment of its table, whose nodes are the
 * segment's offsets. A graph holds every version of the segment that has a vector (ended ones
 * too), so a search filters by the snapshot's visibility bitmap and never needs the graph
 * changed by an UPDATE or DELETE.
 *
 * <p>Per segment, {@link SegmentGraph#indexed} is a watermark: every offset below it is in the
 * graph (or has no vector). The {@link Indexer} raises it in the background after commits; a
 * search covers the rows at or above it with exact distances, so it is always complete, however
 * far the indexer lags.
 */
final class VectorIndex {
  /** One segment's graph and how far it is built and persisted. */
  static final class SegmentGraph {
    final int segment;
    final HnswGraph graph;
    /** Offsets below this are in the graph; raised by the indexer after each round. */
    volatile int indexed;
    /** The watermark last persisted (indexer thread only). */
    int persisted;

    SegmentGraph(int segment, HnswGraph graph) {
      this.segment = segment;
      this.graph = graph;
    }
  }

  final IndexDef def;
  final long tableId;
  final int dimensions;
  private volatile SegmentGraph[] graphs = new SegmentGraph[0];
  /** Nodes inserted by this process (not loaded from disk). */
  final java.util.concurrent.atomic.AtomicLong inserted = new java.util.concurrent.atomic.AtomicLong();
  /** Set when building failed; searches then rely on exact distances alone until a retry works. */
  volatile Throwable failure;
  /** When the indexer may try a failed build again (indexer thread only). */
  long retryAtNanos;
  private long retryDelayNanos;

  VectorIndex(IndexDef def, long tableId, int dimensions) {
    this.def = def;
    this.tableId = tableId;
    this.dimensions = dimensions;
  }

  /** A build failed with {@code e}: searches go exact; retried after a pause that doubles. */
  void failed(Throwable e, long firstDelayNanos, long maxDelayNanos) {
    failure = e;
    retryDelayNanos = retryDelayNanos == 0 ? firstDelayNanos
        : Math.min(maxDelayNanos, retryDelayNanos * 2);
    retryAtNanos = System.nanoTime() + retryDelayNanos;
  }

  /** A build round went through: the graphs are used again. */
  void recovered() {
    failure = null;
    retryDelayNanos = 0;
  }

  Metric metric() {
    return def.metric();
  }

  /** The graph of segment {@code id}, or null when it has none yet. */
  SegmentGraph graph(int id) {
    SegmentGraph[] g = graphs;
    return id < g.length ? g[id] : null;
  }

  SegmentGraph[] graphs() {
    return graphs;
  }

  /** The graph of segment {@code id}, created empty if missing (indexer and loading only). */
  SegmentGraph graphFor(int id) {
    SegmentGraph g = graph(id);
    if (g == null) {
      install(new SegmentGraph(id, newGraph()));
      g = graph(id);
    }
    return g;
  }

  HnswGraph newGraph() {
    return new HnswGraph(dimensions, def.metric(), def.m(), def.efConstruction());
  }

  synchronized void install(SegmentGraph g) {
    SegmentGraph[] cur = graphs;
    SegmentGraph[] next = cur.length > g.segment ? cur.clone()
        : Arrays.copyOf(cur, g.segment + 1);
    next[g.segment] = g;
    graphs = next;
  }

  /** Nodes over all segments. */
  long nodes() {
    long n = 0;
    for (SegmentGraph g : graphs) {
      if (g != null) {
        n += g.graph.size();
      }
    }
    return n;
  }

  /** Bytes of memory the graphs hold. */
  long bytes() {
    long n = 0;
    for (SegmentGraph g : graphs) {
      if (g != null) {
        n += g.graph.bytes();
      }
    }
    return n;
  }

  /** The vector of {@code row} this index covers, or null when it has none it can rank. */
  float[] vectorOf(Object[] row) {
    return rankable(row, def.column(), def.metric());
  }

  /**
   * The vector in {@code row}'s column {@code column}, or null when it has none that {@code
   * metric} can rank: NULL, or all zeros for cosine.
   */
  static float[] rankable(Object[] row, int column, Metric metric) {
    if (row == null || !(row[column] instanceof float[] v)) {
      return null;
    }
    if (metric == Metric.COSINE) {
      for (float f : v) {
        if (f != 0) {
          return v;
        }
      }
      return null; // as pgvector: a zero vector has no direction, so no cosine distance
    }
    return v;
  }
}
