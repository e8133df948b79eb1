package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvCursor;
import io.quiverdb.storage.rocks.RocksKv;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rebuilds a table's in-memory versions from RocksDB at open: segments in address order, end
 * stamps, the primary key index. A table whose rows cannot be read (RocksDB reports corruption,
 * naming the file) is recovered as {@link TableData#corrupted}: the server starts, that table
 * reports XX001 to whoever uses it, and the others work.
 */
final class Recovery {
  private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

  private Recovery() {}

  static TableData recover(RocksKv kv, TableDef t, int segmentRows) {
    try {
      return load(kv, t, segmentRows);
    } catch (QuiverException e) {
      if (e.state() != SqlState.DATA_CORRUPTED) {
        throw e;
      }
      LOG.log(Level.SEVERE, "the rows of " + t.qualifiedName() + " cannot be read; the table is"
          + " unavailable until the damage is repaired", e);
      return TableData.corrupted(t.id(), t.hasPrimaryKey(), segmentRows, new QuiverException(
          SqlState.DATA_CORRUPTED, "could not read the rows of relation \"" + t.name() + "\": "
              + e.getMessage(), null, "The table's data files are damaged; restore them from a"
              + " backup. Other tables are not affected.", 0));
    }
  }

  private static TableData load(RocksKv kv, TableDef t, int segmentRows) {
    TableData data = new TableData(t.id(), t.hasPrimaryKey(), segmentRows);
    ValueKind[] kinds = ValueKind.of(t.columns());
    long lastAddr = -1;
    try (KvCursor c =
        kv.cursor(Family.ROWS, null, KeyCodec.tablePrefix(t.id()), KeyCodec.tableEnd(t.id()))) {
      while (c.next()) {
        byte[] key = c.key();
        byte[] value = c.value();
        long addr = KeyCodec.getLong(key, 8);
        int seg = Segment.segmentOf(addr);
        int off = Segment.offsetOf(addr);
        if (key.length == 17) {
          if (addr != lastAddr) {
            throw corrupt(t, addr);
          }
          data.segment(seg).end(off, KeyCodec.getLong(value, 0));
          data.addLive(-1);
          continue;
        }
        byte[] rowBytes = new byte[value.length - 8];
        System.arraycopy(value, 8, rowBytes, 0, rowBytes.length);
        Object[] row = RowCodec.decode(kinds, rowBytes);
        long prev = -1;
        if (t.hasPrimaryKey()) {
          ByteKey pk = new ByteKey(KeyCodec.primaryKeyOfRow(t, row));
          Long p = data.newest.get(pk);
          prev = p == null ? -1 : p;
          data.newest.put(pk, addr);
        }
        data.load(seg, off, row, KeyCodec.getLong(value, 0), Segment.LIVE, prev);
        data.addLive(1);
        lastAddr = addr;
      }
    }
    data.finishLoad();
    return data;
  }

  private static QuiverException corrupt(TableDef t, long addr) {
    return new QuiverException(SqlState.DATA_CORRUPTED, "end stamp without a row version at "
        + Segment.segmentOf(addr) + "/" + Segment.offsetOf(addr) + " in " + t.qualifiedName());
  }
}
