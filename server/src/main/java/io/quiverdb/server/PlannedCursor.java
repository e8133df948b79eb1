package io.quiverdb.server;

import io.quiverdb.planner.QueryResult;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import java.util.List;

/** A cursor over a planner result: rows as the executor produces them, then its command tag. */
final class PlannedCursor implements Cursor {
  private final List<Field> fields;
  private final QueryResult result;

  PlannedCursor(List<Field> fields, QueryResult result) {
    this.fields = fields;
    this.result = result;
  }

  @Override
  public List<Field> fields() {
    return fields;
  }

  @Override
  public Object[] next() {
    return result.next();
  }

  @Override
  public String commandTag() {
    return result.commandTag();
  }

  @Override
  public void close() {
    result.close();
  }
}
