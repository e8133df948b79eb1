package io.quiverdb.storage;

import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Adds the row versions a commit inserts to its batch: each row encoded straight into a reused
 * direct buffer (no array per row, one copy into the batch), and the change log as insert runs
 * (see {@link ChangeRecord}): one record per run of consecutive addresses instead of a second copy
 * of every row. This is what makes a bulk load (COPY) cost one write of its bytes.
 *
 * <p>One per store, used under the commit lock: {@link #begin} a table, {@link #insert} its new
 * versions in address order, and {@link #endRun} before logging any other change of the table and
 * when the table is done, so that change indexes stay in commit order.
 */
final class InsertWriter {
  private final ByteBuffer key = ByteBuffer.allocateDirect(16);
  private ByteBuffer value = ByteBuffer.allocateDirect(64 * 1024);
  private KvBatch batch;
  private TableDef table;
  private ValueKind[] kinds;
  private long ts;
  private long lsn;
  /** The open run: segment (-1 when none), first offset, length, and its first change index. */
  private int runSegment = -1;
  private int runFirst;
  private int runCount;
  private int runIndex;

  /**
   * Bytes to reserve in a commit's batch, estimated from each table's first new row: a large
   * batch that had to regrow would copy itself each time.
   */
  static int reserveFor(Transaction txn) {
    long bytes = 0;
    for (Transaction.Writes w : txn.writesByTable().values()) {
      if (!w.rows.isEmpty()) {
        Transaction.Pending first = txn.inserts.get(w.rows.get(0));
        ValueKind[] kinds = ValueKind.of(first.table.columns());
        bytes += (long) w.rows.size() * (48 + RowCodec.encodedSize(kinds, first.row));
      }
    }
    return (int) Math.min(bytes, 1 << 30);
  }

  /** Starts writing the inserts of {@code table} for the commit at {@code ts}, {@code lsn}. */
  void begin(KvBatch batch, TableDef table, long ts, long lsn) {
    this.batch = batch;
    this.table = table;
    this.kinds = ValueKind.of(table.columns());
    this.ts = ts;
    this.lsn = lsn;
    this.runSegment = -1;
  }

  /**
   * Writes the version at {@code addr} (which must follow the previous one's when it continues a
   * run) and logs it as change number {@code change}; returns the next change number.
   */
  int insert(long addr, Object[] row, int change) {
    key.clear();
    key.putLong(table.id()).putLong(addr).flip();
    int size = 8 + RowCodec.encodedSize(kinds, row);
    if (value.capacity() < size) {
      value = ByteBuffer.allocateDirect(Math.max(size, value.capacity() * 2));
    }
    value.clear();
    value.order(ByteOrder.BIG_ENDIAN).putLong(ts).order(ByteOrder.LITTLE_ENDIAN);
    RowCodec.encodeInto(kinds, row, value);
    value.flip();
    batch.put(Family.ROWS, key, value);
    int segment = Segment.segmentOf(addr);
    int offset = Segment.offsetOf(addr);
    if (runSegment != segment || runFirst + runCount != offset) {
      endRun();
      runSegment = segment;
      runFirst = offset;
      runIndex = change;
    }
    runCount++;
    return change + 1;
  }

  /** Logs the open run, if any. */
  void endRun() {
    if (runSegment >= 0 && runCount > 0) {
      batch.put(Family.LOG, ChangeRecord.key(lsn, runIndex),
          ChangeRecord.runValue(ts, table.id(), runSegment, runFirst, runCount));
    }
    runSegment = -1;
    runCount = 0;
  }
}
