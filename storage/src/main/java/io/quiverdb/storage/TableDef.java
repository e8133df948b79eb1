package io.quiverdb.storage;

import java.util.List;

/**
 * A table's definition as the catalog stores it: its id (never reused), schema, name, columns and
 * the column indexes (0-based, in key order) of its primary key, empty when it has none (rows are
 * then keyed by a hidden 8-byte row id).
 */
public record TableDef(long id, String schema, String name, List<ColumnDef> columns,
    List<Integer> primaryKey, List<IndexDef> indexes) {

  public TableDef(
      long id, String schema, String name, List<ColumnDef> columns, List<Integer> primaryKey) {
    this(id, schema, name, columns, primaryKey, List.of());
  }

  public TableDef {
    if (id <= 0 || id > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("table id out of range: " + id);
    }
    if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
      throw new IllegalArgumentException("schema and table name must not be null or empty");
    }
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    indexes = List.copyOf(indexes);
    for (int i = 0; i < primaryKey.size(); i++) {
      int c = primaryKey.get(i);
      if (c < 0 || c >= columns.size()) {
        throw new IllegalArgumentException("primary key column index out of range: " + c);
      }
      if (primaryKey.subList(0, i).contains(c)) {
        throw new IllegalArgumentException("primary key column index repeated: " + c);
      }
    }
  }

  /** The PostgreSQL-style OID shown in pg_class and RowDescription: the id itself. */
  public int oid() {
    return (int) id;
  }

  /** Index of the column named {@code columnName} (exact match), or -1. */
  public int columnIndex(String columnName) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(columnName)) {
        return i;
      }
    }
    return -1;
  }

  /** This definition with {@code index} added. */
  public TableDef withIndex(IndexDef index) {
    List<IndexDef> more = new java.util.ArrayList<>(indexes);
    more.add(index);
    return new TableDef(id, schema, name, columns, primaryKey, more);
  }

  /** This definition without the index of id {@code indexId}. */
  public TableDef withoutIndex(long indexId) {
    List<IndexDef> fewer = new java.util.ArrayList<>(indexes);
    fewer.removeIf(i -> i.id() == indexId);
    return new TableDef(id, schema, name, columns, primaryKey, fewer);
  }

  /** The index named {@code indexName}, if this table has it. */
  public java.util.Optional<IndexDef> index(String indexName) {
    return indexes.stream().filter(i -> i.name().equals(indexName)).findFirst();
  }

  public boolean hasPrimaryKey() {
    return !primaryKey.isEmpty();
  }

  /** The primary key constraint's name as PostgreSQL derives it: {@code <table>_pkey}. */
  public String primaryKeyName() {
    return name + "_pkey";
  }

  /** The schema-qualified name, e.g. {@code public.items}. */
  public String qualifiedName() {
    return schema + "." + name;
  }
}
