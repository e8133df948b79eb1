package io.quiverdb.storage.rocks;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A forward iterator over the keys of one column family in {@code [lower, upper)}, optionally at a
 * snapshot; owns its iterator, read options and bound slices.
 *
 * <p>Native objects are released in reverse order of creation: iterator, read options, upper
 * bound, lower bound. Methods are synchronized so that a close from the store's shutdown waits for
 * an in-flight {@link #next}.
 */
public final class KvCursor implements AutoCloseable {
  private final RocksKv kv;
  private final Slice lowerSlice;
  private final Slice upperSlice;
  private final ReadOptions options;
  private final RocksIterator iterator;
  private boolean started;
  private boolean valid;
  private boolean closed;

  KvCursor(RocksKv kv, Family family, KvSnapshot snapshot, byte[] lower, byte[] upper) {
    this.kv = kv;
    Slice lo = null;
    Slice hi = null;
    ReadOptions ro = null;
    try {
      lo = new Slice(lower);
      hi = new Slice(upper);
      ro = new ReadOptions().setIterateLowerBound(lo).setIterateUpperBound(hi);
      if (snapshot != null) {
        ro.setSnapshot(snapshot.checkOpen());
      }
      this.iterator = kv.db().newIterator(kv.handle(family), ro);
    } catch (RuntimeException e) {
      closeQuietly(ro);
      closeQuietly(hi);
      closeQuietly(lo);
      throw e;
    }
    this.lowerSlice = lo;
    this.upperSlice = hi;
    this.options = ro;
  }

  /** Moves to the first entry, or the following one; false when there are no more. */
  public synchronized boolean next() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    if (!started) {
      started = true;
      iterator.seekToFirst();
    } else if (valid) {
      iterator.next();
    } else {
      return false;
    }
    valid = iterator.isValid();
    if (!valid) {
      try {
        iterator.status();
      } catch (RocksDBException e) {
        throw RocksKv.error("could not iterate over " + kv.path(), e);
      }
    }
    return valid;
  }

  /** The current entry's key (a fresh array). */
  public synchronized byte[] key() {
    checkPositioned();
    return iterator.key();
  }

  /** The current entry's value (a fresh array). */
  public synchronized byte[] value() {
    checkPositioned();
    return iterator.value();
  }

  private void checkPositioned() {
    if (closed || !valid) {
      throw new IllegalStateException(closed ? "cursor is closed" : "cursor is not on a row");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    valid = false;
    iterator.close();
    options.close();
    upperSlice.close();
    lowerSlice.close();
    kv.forget(this);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already failing; the original exception is what matters
      }
    }
  }
}
