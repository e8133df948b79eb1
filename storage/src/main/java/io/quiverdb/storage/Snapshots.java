package io.quiverdb.storage;

import io.quiverdb.common.FaultPoints;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The snapshots of open transactions, and the compaction horizon they hold back.
 *
 * <p>Invariant: taking a snapshot (reading the visible timestamp and registering it) and computing
 * the horizon happen under one lock. So a compaction either sees a new snapshot registered, or
 * computed its horizon before that snapshot's timestamp was read; the visible timestamp only grows
 * and bounds the horizon, so that snapshot is then no older than the horizon. Either way no
 * transaction can read a version compaction purges.
 */
final class Snapshots {
  private final ConcurrentHashMap<Transaction, Long> open = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  /** A new transaction reading at the store's visible timestamp, registered. */
  Transaction begin(Store store, FaultPoints faults) {
    synchronized (lock) {
      long ts = store.visibleTs();
      faults.reach("snapshot.begin");
      Transaction txn = new Transaction(store, ts);
      open.put(txn, ts);
      return txn;
    }
  }

  /** The transaction ended; its snapshot no longer holds compaction back. */
  void release(Transaction txn) {
    open.remove(txn);
  }

  /**
   * The newest commit timestamp whose ended versions no snapshot can see: the visible timestamp
   * and the retention window's start, held back by the oldest open snapshot.
   */
  long horizon(Store store, long retentionMicros) {
    synchronized (lock) {
      long h = Math.min(store.visibleTs(), System.currentTimeMillis() * 1000 - retentionMicros);
      for (long s : open.values()) {
        h = Math.min(h, s);
      }
      return h;
    }
  }

  int count() {
    return open.size();
  }

  void clear() {
    open.clear();
  }
}
