package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.RocksKv;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Drops the row versions and change log entries that ended before the horizon (the retention
 * window's start, held back by the oldest open snapshot: {@link Snapshots#horizon}), then compacts
 * the affected key ranges so the disk space comes back. Runs in the background every {@code
 * compactionIntervalMillis}; callable directly.
 */
final class Compactor implements AutoCloseable {
  private final Store store;
  private final RocksKv kv;
  private final ReentrantLock commitLock;
  private final WorkerHealth health = new WorkerHealth("quiver-compactor");
  private final Thread thread;
  private final Object pause = new Object();
  private volatile boolean closing;

  Compactor(Store store, RocksKv kv, ReentrantLock commitLock) {
    this.store = store;
    this.kv = kv;
    this.commitLock = commitLock;
    this.thread = store.config().compactionIntervalMillis() > 0
        ? health.start(this::loop, () -> { }) : null;
    if (thread == null) {
      health.state("off");
    }
  }

  WorkerHealth health() {
    return health;
  }

  /** One pass over every table and the change log. */
  Store.CompactionResult compact() {
    long horizon = store.snapshots().horizon(store, store.config().retentionMicros());
    long dropped = 0;
    for (TableData data : store.tableDatas()) {
      if (!data.isCorrupted()) {
        dropped += compact(data, horizon);
      }
    }
    long changes = store.changeLog().truncate(horizon);
    return new Store.CompactionResult(horizon, dropped, changes);
  }

  private long compact(TableData data, long horizon) {
    TableDef def = store.catalog().state().tableById(data.tableId).orElse(null);
    if (def == null) {
      return 0;
    }
    long dropped = 0;
    try (KvBatch batch = kv.newBatch()) {
      commitLock.lock();
      try {
        dropped = purge(def, data, horizon, batch);
      } finally {
        commitLock.unlock();
      }
      if (dropped > 0) {
        // not synced: a purge lost in a crash is simply done again after recovery
        kv.write(batch, false, "a compaction of " + def.qualifiedName());
        store.config().faults().reach("compaction.after-purge");
      }
    }
    if (dropped > 0) {
      kv.compactRange(Family.ROWS, KeyCodec.tablePrefix(def.id()), KeyCodec.tableEnd(def.id()));
    }
    return dropped;
  }

  /** Drops, in memory and in {@code batch}, the versions that ended at or before the horizon. */
  private static long purge(TableDef def, TableData data, long horizon, KvBatch batch) {
    long dropped = 0;
    for (Segment seg : data.segments()) {
      if (seg.endedCount() == seg.purgedCount()) {
        continue;
      }
      Segment.Slots s = seg.slots();
      int n = seg.size();
      for (int off = 0; off < n; off++) {
        Object[] row = s.rows[off];
        if (row == null || s.end[off] > horizon) {
          continue;
        }
        long addr = Segment.address(seg.id, off);
        if (def.hasPrimaryKey()) {
          ByteKey key = new ByteKey(KeyCodec.primaryKeyOfRow(def, row));
          data.newest.remove(key, addr);
        }
        batch.delete(Family.ROWS, Store.versionKey(def.id(), addr));
        batch.delete(Family.ROWS, Store.endKey(def.id(), addr));
        seg.purge(off);
        dropped++;
      }
    }
    return dropped;
  }

  private void loop() {
    long interval = store.config().compactionIntervalMillis();
    while (!closing) {
      try {
        synchronized (pause) {
          health.state("idle");
          pause.wait(interval);
        }
        if (closing) {
          return;
        }
        if (store.failure() != null) {
          continue; // a poisoned store writes nothing more
        }
        health.state("running");
        store.runOperation(this::compact);
        health.roundDone();
      } catch (InterruptedException e) {
        return;
      } catch (QuiverException e) {
        if (e.state() == SqlState.ADMIN_SHUTDOWN) {
          return;
        }
        health.failed("compaction failed; it runs again in " + interval + " ms", e);
      } catch (Throwable e) {
        health.failed("compaction failed; it runs again in " + interval + " ms", e);
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    if (thread == null) {
      return;
    }
    synchronized (pause) {
      pause.notifyAll();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
