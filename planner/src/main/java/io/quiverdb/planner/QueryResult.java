package io.quiverdb.planner;

/** The running result of one execution: rows pulled one at a time, then the command tag. */
public interface QueryResult extends AutoCloseable {
  /** The next row (engine values, see {@link io.quiverdb.common.types.PgType}), or null at end. */
  Object[] next();

  /** The CommandComplete tag ({@code SELECT 3}, {@code INSERT 0 2}); valid after the last row. */
  String commandTag();

  /** Releases the snapshot and cursors; idempotent. */
  @Override
  void close();
}
