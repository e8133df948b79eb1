package io.quiverdb.storage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An immutable picture of the catalog; a DDL makes a new one. */
final class CatalogState implements CatalogView {
  final long version;
  final long nextId;
  private final Map<Long, TableDef> byId;
  private final TreeMap<String, TableDef> byName;

  CatalogState(long version, long nextId, Map<Long, TableDef> byId) {
    this.version = version;
    this.nextId = nextId;
    this.byId = byId;
    this.byName = new TreeMap<>();
    for (TableDef t : byId.values()) {
      byName.put(nameKey(t.schema(), t.name()), t);
    }
  }

  @Override
  public Optional<TableDef> table(String schema, String name) {
    return Optional.ofNullable(byName.get(nameKey(schema, name)));
  }

  @Override
  public Optional<TableDef> tableById(long id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public List<TableDef> tables() {
    return List.copyOf(byName.values());
  }

  @Override
  public long version() {
    return version;
  }

  /** This picture plus {@code table} (its id taken from {@link #nextId}), at {@code newVersion}. */
  CatalogState with(TableDef table, long newVersion) {
    Map<Long, TableDef> m = new HashMap<>(byId);
    m.put(table.id(), table);
    return new CatalogState(newVersion, Math.max(nextId, table.id() + 1), m);
  }

  /** This picture without the table of id {@code tableId}, at {@code newVersion}. */
  CatalogState without(long tableId, long newVersion) {
    Map<Long, TableDef> m = new HashMap<>(byId);
    m.remove(tableId);
    return new CatalogState(newVersion, nextId, m);
  }

  /** This picture with {@code table} replacing its earlier definition, at {@code newVersion}. */
  CatalogState replaced(TableDef table, long newNextId, long newVersion) {
    Map<Long, TableDef> m = new HashMap<>(byId);
    m.put(table.id(), table);
    return new CatalogState(newVersion, newNextId, m);
  }

  /** Whether a table or an index named {@code name} exists in {@code schema}. */
  boolean relationExists(String schema, String name) {
    if (table(schema, name).isPresent()) {
      return true;
    }
    for (TableDef t : byId.values()) {
      if (t.schema().equals(schema) && t.index(name).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The same tables under another version number. */
  CatalogState renumbered(long newVersion) {
    return new CatalogState(newVersion, nextId, byId);
  }

  private static String nameKey(String schema, String name) {
    return schema + '\u0000' + name;
  }
}
