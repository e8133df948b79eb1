package io.quiverdb.planner.exec;

import io.quiverdb.storage.RowCursor;
import io.quiverdb.storage.TableDef;
import java.util.List;

/** A full scan of one table in the statement's snapshot; remembers each row's id. */
public final class ScanNode implements ExecNode {
  private final TableDef table;

  public ScanNode(TableDef table) {
    this.table = table;
  }

  public TableDef table() {
    return table;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    RowCursor cursor = io.quiverdb.planner.SystemViews.isSystem(table)
        ? io.quiverdb.planner.SystemViews.scan(ctx.store(), table)
        : ctx.transaction().scan(table);
    return new RowIterator() {
      @Override
      public Object[] next() {
        ctx.checkCancelled();
        if (!cursor.next()) {
          return null;
        }
        ctx.setCurrentRowId(cursor.rowId());
        return cursor.row();
      }

      @Override
      public void close() {
        cursor.close();
      }
    };
  }

  @Override
  public String describe() {
    return "Seq Scan on " + table.name();
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of();
  }
}
