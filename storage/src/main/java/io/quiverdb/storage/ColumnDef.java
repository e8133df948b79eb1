package io.quiverdb.storage;

import io.quiverdb.common.types.ColumnType;

/** One column of a table: its name, logical type and whether it rejects NULL. */
public record ColumnDef(String name, ColumnType type, boolean notNull) {
  public ColumnDef {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("column name must not be null or empty");
    }
    if (type == null) {
      throw new IllegalArgumentException("type of column \"" + name + "\" must not be null");
    }
  }
}
