package io.quiverdb.storage;

import io.quiverdb.storage.vector.HnswGraph;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * Checks a table's vector indexes against its rows, as {@code quiver_hnsw_check} shows it: per
 * index and segment, the graph's structure ({@link HnswGraph#check}), whether every live row with
 * a vector below the watermark is a node, and whether searches for live rows' own vectors through
 * the index path find them and never return a row the snapshot does not see.
 */
public final class IndexCheck {
  /** The result for one segment of one index. */
  public record Result(String index, int segment, int indexed, int nodes, long liveRows,
      long unindexedLive, int duplicateLinks, int absentLinks, int outsideLinks, int selfLinks,
      int levelErrors, int unreachable, int searches, int selfFound, long invisibleReturned) {
    /** Whether nothing is wrong (unreachable nodes and misses are quality, not errors). */
    public boolean sound() {
      return unindexedLive == 0 && duplicateLinks == 0 && absentLinks == 0 && outsideLinks == 0
          && selfLinks == 0 && levelErrors == 0 && invisibleReturned == 0;
    }
  }

  private static final int SEARCHES_PER_SEGMENT = 64;

  private IndexCheck() {}

  static List<Result> run(Store store, TableDef table) {
    List<Result> out = new ArrayList<>();
    TableData data = store.tableData(table.id());
    if (data == null) {
      return out;
    }
    try (Transaction txn = store.begin()) {
      for (IndexDef def : table.indexes()) {
        VectorIndex index = store.vectorIndex(def.id());
        if (index == null) {
          continue;
        }
        for (Segment seg : data.segments()) {
          out.add(check(txn, table, def, index, seg));
        }
      }
    }
    return out;
  }

  private static Result check(Transaction txn, TableDef table, IndexDef def, VectorIndex index,
      Segment seg) {
    VectorIndex.SegmentGraph g = index.graph(seg.id);
    int indexed = g == null ? 0 : Math.min(g.indexed, seg.size());
    HnswGraph.Check c = g == null ? new HnswGraph.Check(0, 0, 0, 0, 0, 0, 0) : g.graph.check(indexed);
    RoaringBitmap visible = seg.visible(txn.snapshotTs());
    Segment.Slots slots = seg.slots();
    long live = 0;
    long unindexed = 0;
    List<Integer> sample = new ArrayList<>();
    int stride = Math.max(1, visible.getCardinality() / SEARCHES_PER_SEGMENT);
    int i = 0;
    for (int off : visible) {
      live++;
      if (off < indexed && index.vectorOf(slots.rows[off]) != null) {
        if (!g.graph.contains(off)) {
          unindexed++;
        }
        if (i++ % stride == 0 && sample.size() < SEARCHES_PER_SEGMENT) {
          sample.add(off);
        }
      }
    }
    int found = 0;
    long invisible = 0;
    for (int off : sample) {
      float[] v = index.vectorOf(slots.rows[off]);
      NearestRows rows = txn.nearest(table, def, v, 10, 64, null);
      boolean self = false;
      for (int r = 0; r < rows.size(); r++) {
        long addr = rows.rowId(r);
        Segment s = txn.store().tableData(table.id()).segment(Segment.segmentOf(addr));
        if (!s.visible(txn.snapshotTs()).contains(Segment.offsetOf(addr))) {
          invisible++;
        }
        self |= addr == Segment.address(seg.id, off) || rows.distance(r) == 0;
      }
      found += self ? 1 : 0;
    }
    return new Result(def.name(), seg.id, indexed, c.nodes(), live, unindexed,
        c.duplicateLinks(), c.absentLinks(), c.outsideLinks(), c.selfLinks(), c.levelErrors(), c.unreachable(),
        sample.size(), found, invisible);
  }
}
