package io.quiverdb.storage.rocks;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * A consistent point-in-time view of the database (a RocksDB snapshot) for point reads and for
 * cursors; owns the native snapshot and releases it on close.
 *
 * <p>Methods are synchronized so that {@link #close} (possibly from the store's shutdown) never
 * releases the snapshot while a read on it is in flight.
 */
public final class KvSnapshot implements AutoCloseable {
  private final RocksKv kv;
  private final Snapshot snapshot;
  private boolean closed;

  KvSnapshot(RocksKv kv, Snapshot snapshot) {
    this.kv = kv;
    this.snapshot = snapshot;
  }

  /** The value stored under {@code key} as of this snapshot, or null. */
  public synchronized byte[] get(Family family, byte[] key) {
    checkOpen();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
      return kv.db().get(kv.handle(family), ro, key);
    } catch (RocksDBException e) {
      throw RocksKv.error("could not read from " + family.cfName() + " in " + kv.path(), e);
    }
  }

  synchronized Snapshot checkOpen() {
    if (closed) {
      throw new IllegalStateException("snapshot is closed");
    }
    return snapshot;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    kv.releaseSnapshot(this, snapshot);
  }
}
