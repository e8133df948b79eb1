package io.quiverdb.planner.exec;

import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.Transaction;
import java.util.List;

/**
 * The row of one primary key, looked up through the table's key index instead of a scan: the key
 * values come from constants or parameters. A filter above re-checks the whole condition.
 */
public final class KeyLookupNode implements ExecNode {
  private final TableDef table;
  private final Eval[] key;
  private final String keyText;

  public KeyLookupNode(TableDef table, Eval[] key, String keyText) {
    this.table = table;
    this.key = key;
    this.keyText = keyText;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    Object[] values = new Object[key.length];
    for (int i = 0; i < key.length; i++) {
      values[i] = key[i].eval(null, ctx);
      if (values[i] == null) {
        return RowIterator.EMPTY;
      }
    }
    Transaction txn = ctx.transaction();
    long rowId = txn.find(table, values);
    if (rowId == Transaction.NO_ROW) {
      return RowIterator.EMPTY;
    }
    Object[] row = txn.row(table, rowId);
    return new RowIterator() {
      private boolean done;

      @Override
      public Object[] next() {
        if (done) {
          return null;
        }
        done = true;
        ctx.setCurrentRowId(rowId);
        return row;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String describe() {
    return "Index Scan using " + table.primaryKeyName() + " on " + table.name()
        + "  Index Cond: " + keyText;
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of();
  }
}
