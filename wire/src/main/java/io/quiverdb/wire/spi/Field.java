package io.quiverdb.wire.spi;

import io.quiverdb.common.types.ColumnType;

/**
 * One column of a RowDescription: name, the table's OID and the column's attribute number when
 * the column comes straight from a table (0 otherwise), and its type.
 */
public record Field(String name, int tableOid, int columnNumber, ColumnType type) {
  public Field {
    if (name == null || type == null) {
      throw new IllegalArgumentException("field name and type are required");
    }
  }

  public static Field of(String name, ColumnType type) {
    return new Field(name, 0, 0, type);
  }
}
