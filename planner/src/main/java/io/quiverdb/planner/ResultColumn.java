package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;

/**
 * One column of a statement's result: its name as PostgreSQL would name it, its type, and the
 * table OID and attribute number (1-based) when it is a plain table column, else 0 and 0.
 */
public record ResultColumn(String name, ColumnType type, int tableOid, int columnNumber) {
  public static ResultColumn of(String name, ColumnType type) {
    return new ResultColumn(name, type, 0, 0);
  }
}
