package io.quiverdb.storage;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.vector.Metric;
import io.quiverdb.common.vector.VectorKernels;
import io.quiverdb.storage.vector.HnswGraph;
import io.quiverdb.storage.vector.SearchState;
import java.util.Set;
import java.util.function.IntPredicate;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * A transaction's k-nearest-neighbour search over one table (see {@link Transaction#nearest}):
 * per segment, the graph for the offsets it covers, exact distances for the rest and for the
 * transaction's own rows. The exact loops check the statement's cancel token.
 */
final class NearestSearch {
  private final Transaction txn;
  private final TableDef table;
  private final IndexDef index;
  private final float[] query;
  private final Transaction.RowFilter filter;
  private final VectorKernels kernels = VectorKernels.get();
  private final Metric metric;
  private final Transaction.Writes own;
  private final Set<Long> ended;
  private final CancelToken cancel;

  NearestSearch(Transaction txn, TableDef table, IndexDef index, float[] query,
      Transaction.RowFilter filter) {
    this.txn = txn;
    this.table = table;
    this.index = index;
    this.query = query;
    this.filter = filter;
    this.metric = index.metric();
    this.own = txn.writes.get(table.id());
    this.ended = own == null ? Set.of() : own.ended;
    this.cancel = txn.cancelToken();
  }

  NearestRows run(int k, int ef) {
    NearestRows out = new NearestRows(k);
    SearchState state = SearchState.get();
    state.resetCounters();
    VectorIndex vi = txn.store().vectorIndex(index.id());
    TableData data = txn.store().tableData(table.id());
    long[] found = new long[Math.max(k, 1)];
    for (Segment seg : data == null ? new Segment[0] : data.segments()) {
      RoaringBitmap visible = seg.visible(txn.snapshotTs());
      if (visible.isEmpty()) {
        continue;
      }
      int size = seg.size();
      VectorIndex.SegmentGraph g = vi == null || vi.failure != null ? null : vi.graph(seg.id);
      int covered = g == null ? 0 : Math.min(g.indexed, size);
      int from = 0;
      if (covered > 0) {
        int n = searchGraph(g, seg, visible, covered, k, ef, state, found, out);
        if (n >= k) {
          for (int i = 0; i < n; i++) {
            out.offer(HnswGraph.unpackDistance(found[i]),
                Segment.address(seg.id, HnswGraph.unpackNode(found[i])));
          }
          from = covered;
        } else {
          // fewer than k rows: a selective filter, or nodes the graph cannot reach; the whole
          // segment is compared exactly instead, so k rows come back whenever k qualify
          out.graphShortfalls++;
        }
      }
      exact(seg, visible, from, size, out);
    }
    ownRows(out);
    out.nodesVisited = state.nodesVisited();
    out.distancesComputed = state.distances() + out.exactRows;
    out.finish();
    return out;
  }

  /**
   * Searches the graph over the offsets below {@code covered}; the rows it found go to {@code
   * found} (packed distance and node); returns how many.
   */
  private int searchGraph(VectorIndex.SegmentGraph g, Segment seg, RoaringBitmap visible,
      int covered, int k, int ef, SearchState state, long[] found, NearestRows out) {
    int segId = seg.id;
    Segment.Slots slots = seg.slots();
    IntPredicate accept = off -> visible.contains(off)
        && (ended.isEmpty() || !ended.contains(Segment.address(segId, off)))
        && (filter == null || filter.test(slots.rows[off]));
    int n = g.graph.search(query, k, ef, accept, covered, state, found);
    out.graphsSearched++;
    return n;
  }

  /** Exact distances for the visible offsets from {@code covered} on. */
  private void exact(Segment seg, RoaringBitmap visible, int covered, int size, NearestRows out) {
    Segment.Slots slots = seg.slots();
    PeekableIntIterator it = visible.getIntIterator();
    it.advanceIfNeeded(covered);
    int ticks = 0;
    while (it.hasNext()) {
      int off = it.next();
      if (off >= size) {
        break;
      }
      if ((++ticks & 1023) == 0) {
        cancel.check();
      }
      Object[] row = slots.rows[off];
      float[] v = VectorIndex.rankable(row, index.column(), metric);
      if (v == null || (!ended.isEmpty() && ended.contains(Segment.address(seg.id, off)))
          || (filter != null && !filter.test(row))) {
        continue;
      }
      out.offer(kernels.distance(metric, query, 0, v, 0, v.length), Segment.address(seg.id, off));
      out.exactRows++;
    }
  }

  private void ownRows(NearestRows out) {
    if (own == null) {
      return;
    }
    for (int i : own.rows) {
      Transaction.Pending p = txn.inserts.get(i);
      float[] v = p.dead ? null : VectorIndex.rankable(p.row, index.column(), metric);
      if (v != null && (filter == null || filter.test(p.row))) {
        out.offer(kernels.distance(metric, query, 0, v, 0, v.length), -(i + 1L));
        out.exactRows++;
      }
    }
  }
}
