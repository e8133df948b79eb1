package io.quiverdb.server;

import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import java.util.List;

/** A cursor over rows the session computed itself (SHOW) or over no rows (SET, BEGIN, …). */
final class RowsCursor implements Cursor {
  private final List<Field> fields;
  private final List<Object[]> rows;
  private final String tag;
  private int next;

  RowsCursor(List<Field> fields, List<Object[]> rows, String tag) {
    this.fields = fields;
    this.rows = rows;
    this.tag = tag;
  }

  @Override
  public List<Field> fields() {
    return fields;
  }

  @Override
  public Object[] next() {
    return next < rows.size() ? rows.get(next++) : null;
  }

  @Override
  public String commandTag() {
    return tag;
  }

  @Override
  public void close() {}
}
