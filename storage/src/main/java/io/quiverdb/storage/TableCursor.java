package io.quiverdb.storage;

import io.quiverdb.storage.rocks.KvCursor;

/** The {@link RowCursor} over one table's key range in a {@link SnapshotView}; owns a KvCursor. */
final class TableCursor implements RowCursor {
  private final SnapshotView view;
  private final KvCursor cursor;
  private final ValueKind[] kinds;
  private byte[] key;
  private byte[] value;
  private Object[] row;
  private boolean closed;

  TableCursor(SnapshotView view, KvCursor cursor, ValueKind[] kinds) {
    this.view = view;
    this.cursor = cursor;
    this.kinds = kinds;
  }

  @Override
  public boolean next() {
    row = null;
    if (cursor.next()) {
      key = cursor.key();
      value = cursor.value();
      return true;
    }
    key = null;
    value = null;
    return false;
  }

  @Override
  public Object[] row() {
    if (value == null) {
      throw new IllegalStateException("cursor is not on a row");
    }
    if (row == null) {
      row = RowCodec.decode(kinds, value);
    }
    return row;
  }

  @Override
  public byte[] key() {
    if (key == null) {
      throw new IllegalStateException("cursor is not on a row");
    }
    return key;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      cursor.close();
    }
    view.cursorClosed(this);
    view.store().deregister(this);
  }
}
