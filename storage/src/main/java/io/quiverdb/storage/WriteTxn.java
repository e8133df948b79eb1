package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Vectors;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write transaction: collects row writes in memory (checking constraints as they arrive) and
 * applies them atomically in one synced RocksDB write batch on {@link #commit}. Used by one thread
 * at a time; after {@link #commit} or {@link #close} it accepts nothing more.
 *
 * <p>Invariant: a pending INSERT is of a key that had no committed row when it was added; commit
 * re-checks that under the commit lock, so of two transactions inserting the same key only the
 * first to commit succeeds.
 */
public final class WriteTxn implements AutoCloseable {
  /** What a pending write does, which decides the checks and the row count change at commit. */
  private enum Op {
    /** A primary key that must still be absent at commit; adds a row. */
    INSERT,
    /** A freshly allocated hidden row id, absent by construction; adds a row. */
    APPEND,
    /** Overwrites whatever is stored; adds a row only if none was there. */
    PUT,
    /** Deletes whatever is stored. */
    DELETE
  }

  /** One pending write; {@code row} is kept for INSERT only (the 23505 detail). */
  private record Pending(TableDef table, Op op, byte[] value, Object[] row) {
    boolean isNew() {
      return op == Op.INSERT || op == Op.APPEND;
    }
  }

  private final Store store;
  private final TreeMap<byte[], Pending> pending = new TreeMap<>(Arrays::compareUnsigned);
  private boolean finished;

  WriteTxn(Store store) {
    this.store = store;
  }

  /**
   * Adds a row. Nothing is written when a check fails.
   *
   * @throws QuiverException 23502 NULL in a NOT NULL column, 23505 duplicate primary key (against
   *     committed rows and this transaction's writes), 22000 wrong vector dimension or a NaN or
   *     infinite element
   * @throws IllegalArgumentException a value of the wrong Java class or a row of the wrong length
   */
  public void insert(TableDef table, Object[] row) {
    checkActive();
    validate(table, row);
    if (table.hasPrimaryKey()) {
      byte[] key = KeyCodec.primaryKeyOfRow(table, row);
      pending.put(key, newKeyWrite(table, key, row));
    } else {
      byte[] key = KeyCodec.rowIdKey(table.id(), store.nextRowId(table));
      pending.put(key, new Pending(table, Op.APPEND, RowCodec.encode(table.columns(), row), null));
    }
  }

  /**
   * Replaces the row stored under {@code key} (from {@link RowCursor#key()}) with {@code newRow},
   * with the same checks as {@link #insert}. When the primary key changes, the old key is deleted
   * and the new one must be unique.
   */
  public void update(TableDef table, byte[] key, Object[] newRow) {
    checkActive();
    checkKey(table, key);
    validate(table, newRow);
    byte[] newKey = table.hasPrimaryKey() ? KeyCodec.primaryKeyOfRow(table, newRow) : key;
    if (Arrays.equals(newKey, key)) {
      Pending old = pending.get(key);
      Op op = old != null && old.isNew() ? old.op() : Op.PUT;
      Object[] keep = op == Op.INSERT ? newRow.clone() : null;
      pending.put(key, new Pending(table, op, RowCodec.encode(table.columns(), newRow), keep));
      return;
    }
    Pending p = newKeyWrite(table, newKey, newRow);
    removeKey(table, key);
    pending.put(newKey, p);
  }

  /** Deletes the row stored under {@code key} (from {@link RowCursor#key()}). */
  public void delete(TableDef table, byte[] key) {
    checkActive();
    checkKey(table, key);
    removeKey(table, key);
  }

  /** Number of distinct row keys this transaction will write or delete. */
  public int pendingCount() {
    return pending.size();
  }

  /**
   * Applies all pending writes atomically (one WriteBatch; the WAL is fsynced first when the
   * store's config says so). The transaction is finished afterwards, whatever the outcome.
   *
   * @throws QuiverException 23505 when another transaction committed one of the inserted keys
   *     first (nothing is written); 42P01 when a written table was dropped meanwhile; IO_ERROR
   *     when the write or sync failed (the outcome is then in doubt)
   */
  public void commit() {
    checkActive();
    try {
      store.enter();
      try {
        if (!pending.isEmpty()) {
          applyUnderCommitLock();
        }
      } finally {
        store.exit();
      }
    } finally {
      finish();
    }
  }

  private void applyUnderCommitLock() {
    store.commitLock().lock();
    try {
      Map<Long, Long> deltas = checkAtCommit();
      try (KvBatch b = store.kv().newBatch()) {
        for (Map.Entry<byte[], Pending> e : pending.entrySet()) {
          if (e.getValue().op() == Op.DELETE) {
            b.delete(Family.ROWS, e.getKey());
          } else {
            b.put(Family.ROWS, e.getKey(), e.getValue().value());
          }
        }
        store.kv().write(b, store.config().syncWrites(), "a commit of " + b.count() + " rows");
      }
      for (Map.Entry<Long, Long> d : deltas.entrySet()) {
        store.rowCounter(d.getKey()).addAndGet(d.getValue());
      }
    } finally {
      store.commitLock().unlock();
    }
  }

  /** Re-checks tables and inserted keys under the commit lock; returns row count deltas. */
  private Map<Long, Long> checkAtCommit() {
    Map<Long, Long> deltas = new HashMap<>();
    Map<Long, Boolean> tableExists = new HashMap<>();
    for (Map.Entry<byte[], Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      long id = p.table().id();
      if (tableExists.computeIfAbsent(id, i -> store.catalog().tableById(i).isPresent())
          == Boolean.FALSE) {
        throw new QuiverException(
            SqlState.UNDEFINED_TABLE, "relation \"" + p.table().name() + "\" does not exist");
      }
      AtomicLong counter = store.rowCounter(id);
      if (p.op() == Op.APPEND || (p.op() != Op.INSERT && counter == null)) {
        if (counter != null) {
          deltas.merge(id, 1L, Long::sum);
        }
        continue;
      }
      boolean exists = store.kv().get(Family.ROWS, e.getKey()) != null;
      if (p.op() == Op.INSERT && exists) {
        throw duplicate(p.table(), p.row());
      }
      if (counter != null) {
        long delta = p.op() != Op.DELETE ? (exists ? 0 : 1) : (exists ? -1 : 0);
        deltas.merge(id, delta, Long::sum);
      }
    }
    return deltas;
  }

  /** Abandons uncommitted writes; idempotent. */
  @Override
  public void close() {
    finish();
  }

  private void finish() {
    if (!finished) {
      finished = true;
      pending.clear();
    }
    store.deregister(this);
  }

  /** The pending write of a row under a key that must not exist yet (insert or moved row). */
  private Pending newKeyWrite(TableDef table, byte[] key, Object[] row) {
    Pending old = pending.get(key);
    Op op;
    if (old != null) {
      if (old.op() != Op.DELETE) {
        throw duplicate(table, row);
      }
      op = Op.PUT;
    } else {
      if (store.exists(key)) {
        throw duplicate(table, row);
      }
      op = Op.INSERT;
    }
    byte[] value = RowCodec.encode(table.columns(), row);
    return new Pending(table, op, value, op == Op.INSERT ? row.clone() : null);
  }

  private void removeKey(TableDef table, byte[] key) {
    Pending old = pending.get(key);
    if (old != null && old.isNew()) {
      pending.remove(key);
    } else {
      pending.put(key, new Pending(table, Op.DELETE, null, null));
    }
  }

  private void checkActive() {
    if (finished) {
      throw new IllegalStateException("write transaction is already committed or closed");
    }
  }

  private static void checkKey(TableDef table, byte[] key) {
    if (key == null
        || key.length <= KeyCodec.TABLE_PREFIX_LENGTH
        || KeyCodec.tableIdOf(key) != table.id()) {
      throw new IllegalArgumentException("key is not a row key of " + table.qualifiedName());
    }
  }

  /** Checks row length, value classes, NOT NULL and vector dimension and finiteness. */
  private static void validate(TableDef table, Object[] row) {
    List<ColumnDef> columns = table.columns();
    if (row == null || row.length != columns.size()) {
      throw new IllegalArgumentException(
          "row for " + table.qualifiedName() + " must have " + columns.size() + " values");
    }
    for (int i = 0; i < row.length; i++) {
      ColumnDef c = columns.get(i);
      Object v = row[i];
      if (v == null) {
        if (c.notNull()) {
          throw new QuiverException(
              SqlState.NOT_NULL_VIOLATION,
              "null value in column \""
                  + c.name()
                  + "\" of relation \""
                  + table.name()
                  + "\" violates not-null constraint",
              ValueText.failingRow(table, row),
              null,
              0);
        }
        continue;
      }
      ValueKind.of(c.type().type()).check(c.name(), v);
      if (c.type().type() == PgType.VECTOR) {
        float[] f = (float[]) v;
        if (f.length == 0) {
          throw new QuiverException(
              SqlState.DATA_EXCEPTION, "vector must have at least 1 dimension");
        }
        if (f.length > PgType.VECTOR_MAX_DIM) {
          throw new QuiverException(
              SqlState.PROGRAM_LIMIT_EXCEEDED,
              "vector cannot have more than " + PgType.VECTOR_MAX_DIM + " dimensions");
        }
        Vectors.checkDim(c.type().modifier(), f.length);
        Vectors.checkFinite(f);
      }
    }
  }

  private static QuiverException duplicate(TableDef table, Object[] row) {
    return new QuiverException(
        SqlState.UNIQUE_VIOLATION,
        "duplicate key value violates unique constraint \"" + table.primaryKeyName() + "\"",
        ValueText.keyDetail(table, row),
        null,
        0);
  }
}
