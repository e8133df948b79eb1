package io.quiverdb.storage;

/** An iterator over the rows of one table as a {@link Transaction} sees them. */
public interface RowCursor extends AutoCloseable {
  /** Moves to the next row (the first on the first call); false when there are no more. */
  boolean next();

  /** The current row's values, one per column, of the classes {@code PgType} documents. */
  Object[] row();

  /**
   * The current row's id in this transaction, for {@link Transaction#update} and {@link
   * Transaction#delete}: the address of a committed version, or a negative id for a row this
   * transaction inserted.
   */
  long rowId();

  @Override
  void close();
}
