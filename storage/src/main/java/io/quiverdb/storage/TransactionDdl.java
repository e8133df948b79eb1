package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.vector.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A transaction's DDL: a private picture of the catalog, made on its first DDL statement from the
 * committed one, with the tables it created and dropped. The commit installs the picture (and
 * fails with 40001 when another DDL committed meanwhile).
 */
final class TransactionDdl {
  private final Store store;
  private CatalogState catalog;
  private CatalogState base;
  private final List<TableDef> created = new ArrayList<>();
  private final List<TableDef> dropped = new ArrayList<>();

  TransactionDdl(Store store) {
    this.store = store;
  }

  /** The tables as the transaction sees them. */
  CatalogView view() {
    return base == null ? store.catalog().state() : catalog;
  }

  boolean hasChanges() {
    return base != null;
  }

  /** The committed catalog the picture was made from, or null without DDL. */
  CatalogState base() {
    return base;
  }

  /** The catalog the transaction installs at commit, or null when it has no DDL. */
  CatalogState changes() {
    return base == null ? null : catalog;
  }

  List<TableDef> created() {
    return created;
  }

  List<TableDef> dropped() {
    return dropped;
  }

  /** See {@link Transaction#createTable}. */
  TableDef createTable(String schema, String name, List<ColumnDef> columns,
      List<Integer> primaryKey) {
    List<ColumnDef> cols = Catalog.checkedColumns(columns, primaryKey);
    CatalogState c = picture();
    if (c.table(schema, name).isPresent()) {
      throw new QuiverException(
          SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
    }
    TableDef t = new TableDef(c.nextId, schema, name, cols, primaryKey);
    catalog = c.with(t, store.privateCatalogVersion());
    created.add(t);
    return t;
  }

  /** See {@link Transaction#dropTable}. */
  void dropTable(TableDef table) {
    CatalogState c = picture();
    if (c.tableById(table.id()).isEmpty()) {
      throw new QuiverException(
          SqlState.UNDEFINED_TABLE, "table \"" + table.name() + "\" does not exist");
    }
    catalog = c.without(table.id(), store.privateCatalogVersion());
    if (!created.removeIf(t -> t.id() == table.id())) {
      dropped.add(table);
    }
  }

  /** See {@link Transaction#createIndex}. */
  IndexDef createIndex(TableDef table, String name, int column, Metric metric, int m,
      int efConstruction, boolean ifNotExists) {
    CatalogState c = picture();
    TableDef current = c.tableById(table.id()).orElseThrow(() -> new QuiverException(
        SqlState.UNDEFINED_TABLE, "relation \"" + table.name() + "\" does not exist"));
    if (name == null) {
      String base = table.name() + "_" + table.columns().get(column).name() + "_idx";
      name = base;
      for (int i = 1; c.relationExists(table.schema(), name); i++) {
        name = base + i;
      }
    } else if (c.relationExists(table.schema(), name)) {
      if (ifNotExists) {
        return null;
      }
      throw new QuiverException(
          SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
    }
    IndexDef index = new IndexDef(c.nextId, name, column, metric, m, efConstruction);
    catalog = c.replaced(current.withIndex(index), c.nextId + 1, store.privateCatalogVersion());
    return index;
  }

  /** See {@link Transaction#dropIndex}. */
  boolean dropIndex(String schema, String name) {
    CatalogState c = picture();
    for (TableDef t : c.tables()) {
      if (!t.schema().equals(schema)) {
        continue;
      }
      Optional<IndexDef> index = t.index(name);
      if (index.isPresent()) {
        catalog = c.replaced(t.withoutIndex(index.get().id()), c.nextId,
            store.privateCatalogVersion());
        return true;
      }
    }
    return false;
  }

  private CatalogState picture() {
    if (base == null) {
      base = store.catalog().state();
      catalog = base;
    }
    return catalog;
  }
}
