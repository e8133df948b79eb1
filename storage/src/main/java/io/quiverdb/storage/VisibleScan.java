package io.quiverdb.storage;

import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The rows a transaction sees in one table: the visible committed versions segment by segment
 * (via the snapshot's visibility bitmap), then its own rows. Stops with 57014 when the
 * transaction's statement is cancelled.
 */
final class VisibleScan implements RowCursor {
  private final Transaction txn;
  private final long snapshot;
  private final io.quiverdb.common.CancelToken cancel;
  private final Segment[] segments;
  private final TableData data;
  private final Transaction.Writes own;
  /** Own rows added by the statement running this scan (an UPDATE's new versions) are not seen. */
  private final int ownRows;
  private int segment = -1;
  private Segment.Slots slots;
  private IntIterator offsets;
  private int pending = -1;
  private long rowId;
  private Object[] row;
  private int ticks;

  VisibleScan(Transaction txn, long tableId) {
    this.txn = txn;
    this.snapshot = txn.snapshotTs();
    this.cancel = txn.cancelToken();
    this.data = txn.store().tableData(tableId);
    this.segments = data == null ? new Segment[0] : data.segments();
    this.own = txn.writes.get(tableId);
    this.ownRows = own == null ? 0 : own.rows.size();
  }

  @Override
  public boolean next() {
    while (segment < segments.length) {
      if (offsets != null) {
        while (offsets.hasNext()) {
          int off = offsets.next();
          if ((++ticks & 1023) == 0) {
            cancel.check();
          }
          long addr = Segment.address(segment, off);
          if (own != null && own.ended.contains(addr)) {
            continue;
          }
          rowId = addr;
          row = slots.rows[off];
          return true;
        }
      }
      segment++;
      if (segment < segments.length) {
        Segment seg = segments[segment];
        RoaringBitmap visible = seg.visible(snapshot);
        slots = seg.slots();
        offsets = visible.getIntIterator();
      }
    }
    if (own != null) {
      while (++pending < ownRows) {
        int i = own.rows.get(pending);
        Transaction.Pending p = txn.inserts.get(i);
        if (!p.dead) {
          rowId = -(i + 1L);
          row = p.row;
          return true;
        }
      }
    }
    row = null;
    return false;
  }

  @Override
  public Object[] row() {
    if (row == null) {
      throw new IllegalStateException("cursor is not on a row");
    }
    return row;
  }

  @Override
  public long rowId() {
    if (row == null) {
      throw new IllegalStateException("cursor is not on a row");
    }
    return rowId;
  }

  @Override
  public void close() {
    row = null;
  }
}
