package io.quiverdb.storage.rocks;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A set of writes applied atomically by {@link RocksKv#write}; owns one native {@code WriteBatch}
 * and is meant to live in a try-with-resources block.
 */
public final class KvBatch implements AutoCloseable {
  private final RocksKv kv;
  private final WriteBatch batch;
  private boolean closed;

  KvBatch(RocksKv kv, int reservedBytes) {
    this.kv = kv;
    this.batch = reservedBytes > 0 ? new WriteBatch(reservedBytes) : new WriteBatch();
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
    if (!closed) {
      closed = true;
      batch.close();
    }
  }
}
