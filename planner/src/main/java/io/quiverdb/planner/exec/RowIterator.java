package io.quiverdb.planner.exec;

/** Rows pulled one at a time from an operator; close releases what the operator holds. */
public interface RowIterator extends AutoCloseable {
  /** No rows. */
  RowIterator EMPTY = () -> null;

  /** The next row, or null at the end. */
  Object[] next();

  @Override
  default void close() {}
}
