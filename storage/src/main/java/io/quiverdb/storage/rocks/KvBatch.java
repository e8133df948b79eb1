package io.quiverdb.storage.rocks;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A set of writes applied atomically by {@link RocksKv#write}; owns one native {@code WriteBatch}
 * and is meant to live in a try-with-resources block.
 *
 * <p>The batch of {@link RocksKv#reusedBatch} is kept for the next user instead: close() empties
 * it and its native buffer keeps its capacity, so a large commit writes into pages already
 * mapped rather than fresh ones (on a virtual machine a fresh page costs microseconds to fault
 * in, which for a bulk load is a good part of the commit). One retained beyond {@link
 * #MAX_RETAINED} bytes is freed instead.
 */
public final class KvBatch implements AutoCloseable {
  /** The most a reused batch keeps between uses. */
  static final long MAX_RETAINED = 256L << 20;

  private final RocksKv kv;
  private final boolean reused;
  private WriteBatch batch;
  /** The capacity the native buffer was created with or has grown to (a lower bound). */
  private long capacity;
  private boolean closed;

  KvBatch(RocksKv kv, int reservedBytes, boolean reused) {
    this.kv = kv;
    this.reused = reused;
    this.batch = reservedBytes > 0 ? new WriteBatch(reservedBytes) : new WriteBatch();
    this.capacity = Math.max(reservedBytes, 0);
  }

  /** A reused batch, emptied, with room for about {@code reservedBytes}. */
  KvBatch reuse(int reservedBytes) {
    if (closed) {
      throw new IllegalStateException("write batch is closed");
    }
    if (reservedBytes > capacity) {
      batch.close();
      batch = new WriteBatch(reservedBytes);
      capacity = reservedBytes;
    }
    return this;
  }

  public void put(Family family, byte[] key, byte[] value) {
    try {
      live().put(kv.handle(family), key, value);
    } catch (RocksDBException e) {
      throw new QuiverException(SqlState.IO_ERROR, "could not add a put to a write batch", e);
    }
  }

  /**
   * Adds a put from direct buffers, from their positions to their limits (after which both
   * positions are at their limits): one copy into the batch and no array per key or value.
   */
  public void put(Family family, java.nio.ByteBuffer key, java.nio.ByteBuffer value) {
    if (!key.isDirect() || !value.isDirect()) {
      throw new IllegalArgumentException("put needs direct buffers");
    }
    try {
      live().put(kv.handle(family), key, value);
    } catch (RocksDBException e) {
      throw new QuiverException(SqlState.IO_ERROR, "could not add a put to a write batch", e);
    }
  }

  public void delete(Family family, byte[] key) {
    try {
      live().delete(kv.handle(family), key);
    } catch (RocksDBException e) {
      throw new QuiverException(SqlState.IO_ERROR, "could not add a delete to a write batch", e);
    }
  }

  /** Deletes every key in {@code [from, to)}. */
  public void deleteRange(Family family, byte[] from, byte[] to) {
    try {
      live().deleteRange(kv.handle(family), from, to);
    } catch (RocksDBException e) {
      throw new QuiverException(SqlState.IO_ERROR, "could not add a range delete to a batch", e);
    }
  }

  /** Number of operations added so far. */
  public int count() {
    return live().count();
  }

  WriteBatch live() {
    if (closed) {
      throw new IllegalStateException("write batch is closed");
    }
    return batch;
  }

  @Override
  public void close() {
    if (reused && !closed) {
      long size = batch.getDataSize();
      capacity = Math.max(capacity, size);
      if (size > MAX_RETAINED) {
        batch.close();
        batch = new WriteBatch();
        capacity = 0;
      } else {
        batch.clear();
      }
      return;
    }
    dispose();
  }

  /** Frees the native batch, reused or not; idempotent. */
  void dispose() {
    if (!closed) {
      closed = true;
      batch.close();
    }
  }
}
