package io.quiverdb.storage;

import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvCursor;
import io.quiverdb.storage.rocks.KvSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link ReadView} over a RocksDB snapshot; owns the snapshot and closes its cursors before
 * releasing it.
 */
final class SnapshotView implements ReadView {
  private final Store store;
  private final KvSnapshot snapshot;
  private final Set<TableCursor> cursors = ConcurrentHashMap.newKeySet();
  private boolean closed;

  SnapshotView(Store store, KvSnapshot snapshot) {
    this.store = store;
    this.snapshot = snapshot;
  }

  @Override
  public synchronized RowCursor scan(TableDef table) {
    checkOpen();
    store.enter();
    try {
      KvCursor c =
          store
              .kv()
              .cursor(
                  Family.ROWS,
                  snapshot,
                  KeyCodec.tablePrefix(table.id()),
                  KeyCodec.tableEnd(table.id()));
      TableCursor cursor = new TableCursor(this, c, ValueKind.of(table.columns()));
      cursors.add(cursor);
      store.register(cursor);
      return cursor;
    } finally {
      store.exit();
    }
  }

  @Override
  public Object[] get(TableDef table, Object[] primaryKeyValues) {
    if (!table.hasPrimaryKey()) {
      throw new IllegalArgumentException("table " + table.qualifiedName() + " has no primary key");
    }
    if (primaryKeyValues.length != table.primaryKey().size()) {
      throw new IllegalArgumentException(
          "primary key of "
              + table.qualifiedName()
              + " has "
              + table.primaryKey().size()
              + " columns, got "
              + primaryKeyValues.length
              + " values");
    }
    byte[] key = KeyCodec.primaryKey(table, primaryKeyValues);
    byte[] value;
    synchronized (this) {
      checkOpen();
      value = snapshot.get(Family.ROWS, key);
    }
    return value == null ? null : RowCodec.decode(ValueKind.of(table.columns()), value);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("read view is closed");
    }
  }

  void cursorClosed(TableCursor cursor) {
    cursors.remove(cursor);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<TableCursor> open = new ArrayList<>(cursors);
    for (TableCursor c : open) {
      c.close();
    }
    snapshot.close();
    store.deregister(this);
  }

  Store store() {
    return store;
  }
}
