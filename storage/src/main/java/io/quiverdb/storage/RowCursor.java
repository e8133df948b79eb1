package io.quiverdb.storage;

/** An iterator over the rows of one table in a {@link ReadView}, in storage key order. */
public interface RowCursor extends AutoCloseable {
  /** Moves to the next row (the first on the first call); false when there are no more. */
  boolean next();

  /** The current row's values, one per column, of the classes {@code PgType} documents. */
  Object[] row();

  /** The current row's storage key (opaque), for {@code WriteTxn.update} and {@code delete}. */
  byte[] key();

  @Override
  void close();
}
