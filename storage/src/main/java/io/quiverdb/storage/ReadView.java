package io.quiverdb.storage;

/**
 * A consistent point-in-time view of the row data for one statement: every scan and lookup through
 * it sees the same committed state. Views are cheap; close each one (it closes its cursors too).
 */
public interface ReadView extends AutoCloseable {
  /** All rows of {@code table} in key order; close the cursor when done. */
  RowCursor scan(TableDef table);

  /**
   * The row whose primary key equals {@code primaryKeyValues} (given in primary key order, of the
   * columns' Java classes), or null when there is none.
   *
   * @throws IllegalArgumentException when the table has no primary key or the values do not fit it
   */
  Object[] get(TableDef table, Object[] primaryKeyValues);

  @Override
  void close();
}
