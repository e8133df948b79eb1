package io.quiverdb.wire.spi;

import java.util.List;

/**
 * The result of executing a command: rows pulled one at a time (a portal may stop early and
 * resume), then the CommandComplete tag.
 */
public interface Cursor extends AutoCloseable {
  /** The row columns, or null when the command returns no rows. */
  List<Field> fields();

  /** The next row as engine values (see {@link io.quiverdb.common.types.PgType}), or null at end. */
  Object[] next();

  /** The CommandComplete tag, e.g. {@code SELECT 2}, {@code INSERT 0 3}; valid after the last row. */
  String commandTag();

  @Override
  void close();
}
