package io.quiverdb.storage;

import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.KvCursor;
import io.quiverdb.storage.rocks.RocksKv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the change log the commits write (see {@link ChangeRecord}) and truncates what fell out of
 * the retention window.
 */
final class ChangeLog {
  private final RocksKv kv;
  private final StorageConfig config;

  ChangeLog(RocksKv kv, StorageConfig config) {
    this.kv = kv;
    this.config = config;
  }

  /** Up to {@code limit} changes with LSN at least {@code fromLsn}, in order. */
  List<ChangeRecord> changes(long fromLsn, int limit) {
    List<ChangeRecord> out = new ArrayList<>();
    try (KvCursor c = kv.cursor(Family.LOG, null, ChangeRecord.key(Math.max(0, fromLsn), 0),
        ChangeRecord.key(Long.MAX_VALUE, 0))) {
      while (out.size() < limit && c.next()) {
        byte[] value = c.value();
        if (ChangeRecord.isRun(value)) {
          expand(ChangeRecord.decodeRun(c.key(), value), out, limit);
        } else {
          out.add(ChangeRecord.decode(c.key(), value));
        }
      }
    }
    return out;
  }

  /**
   * Adds the {@code c} changes an insert run stands for, each with its version's stored row as
   * the after-image (null when the version is gone: its table was dropped, or compaction dropped
   * it, which happens only past the retention window).
   */
  private void expand(ChangeRecord.InsertRun run, List<ChangeRecord> out, int limit) {
    for (int i = 0; i < run.count() && out.size() < limit; i++) {
      byte[] stored = kv.get(Family.ROWS,
          Store.versionKey(run.tableId(), Segment.address(run.segment(), run.firstOffset() + i)));
      byte[] after = stored == null ? null : Arrays.copyOfRange(stored, 8, stored.length);
      out.add(new ChangeRecord(run.lsn(), run.index() + i, run.commitTs(), run.tableId(), 'c',
          null, after));
    }
  }

  /** Deletes the entries committed at or before {@code horizon}; returns how many. */
  long truncate(long horizon) {
    byte[] firstKept = null;
    long n = 0;
    byte[] lower = ChangeRecord.key(0, 0);
    try (KvCursor c = kv.cursor(Family.LOG, null, lower, ChangeRecord.key(Long.MAX_VALUE, 0))) {
      while (c.next()) {
        if (ChangeRecord.commitTsOf(c.value()) > horizon) {
          firstKept = c.key();
          break;
        }
        n++;
      }
    }
    if (n > 0) {
      config.faults().reach("changelog.truncate");
      try (KvBatch b = kv.newBatch()) {
        b.deleteRange(Family.LOG, lower,
            firstKept != null ? firstKept : ChangeRecord.key(Long.MAX_VALUE, 0));
        kv.write(b, false, "a change log compaction");
      }
    }
    return n;
  }
}
