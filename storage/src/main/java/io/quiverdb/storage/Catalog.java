package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.KvCursor;
import io.quiverdb.storage.rocks.RocksKv;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The durable list of tables: definitions live in the {@code catalog} column family and are
 * mirrored in an immutable in-memory snapshot that readers use without locking.
 *
 * <p>Keys in the {@code catalog} family: {@code "table:" + 8-byte big-endian id} → a {@link
 * TableDefCodec} definition; {@code "counter:next_table_id"} and {@code "counter:version"} → an
 * 8-byte big-endian long. Every DDL writes the definition change and the counters in one synced
 * batch.
 * DDL runs under the store's commit lock, so a commit never writes rows of a table being dropped.
 */
public final class Catalog {
  /** The first table id handed out; ids are never reused. */
  public static final long FIRST_TABLE_ID = 16400;

  static final byte[] NEXT_ID_KEY = ascii("counter:next_table_id");
  static final byte[] VERSION_KEY = ascii("counter:version");
  private static final byte[] TABLE_PREFIX = ascii("table:");
  private static final byte[] TABLE_END = ascii("table;");

  /** An immutable picture of the catalog; replaced whole on every DDL. */
  private record State(
      long version, long nextId, Map<Long, TableDef> byId, TreeMap<String, TableDef> byName) {}

  private final Store store;
  private volatile State state;

  private Catalog(Store store, State state) {
    this.store = store;
    this.state = state;
  }

  /** Reads the catalog, initialising the counters of a fresh store in one synced batch. */
  static Catalog load(Store store, RocksKv kv) {
    byte[] version = kv.get(Family.CATALOG, VERSION_KEY);
    byte[] nextId = kv.get(Family.CATALOG, NEXT_ID_KEY);
    if (version == null || nextId == null) {
      version = longBytes(1);
      nextId = longBytes(FIRST_TABLE_ID);
      try (KvBatch b = kv.newBatch()) {
        b.put(Family.CATALOG, VERSION_KEY, version);
        b.put(Family.CATALOG, NEXT_ID_KEY, nextId);
        kv.write(b, true, "the initial catalog");
      }
    }
    Map<Long, TableDef> byId = new HashMap<>();
    TreeMap<String, TableDef> byName = new TreeMap<>();
    try (KvCursor c = kv.cursor(Family.CATALOG, null, TABLE_PREFIX, TABLE_END)) {
      while (c.next()) {
        TableDef t = TableDefCodec.decode(c.value());
        byId.put(t.id(), t);
        byName.put(nameKey(t.schema(), t.name()), t);
      }
    }
    State s =
        new State(KeyCodec.getLong(version, 0), KeyCodec.getLong(nextId, 0), byId, byName);
    return new Catalog(store, s);
  }

  /**
   * Creates a table and makes it durable before returning. Primary key columns become NOT NULL.
   *
   * @throws QuiverException 42P07 if the table exists, 42701 for a repeated column name
   */
  public TableDef createTable(
      String schema, String name, List<ColumnDef> columns, List<Integer> primaryKey) {
    List<ColumnDef> cols = new ArrayList<>(columns);
    Set<String> seen = new HashSet<>();
    for (ColumnDef c : cols) {
      if (!seen.add(c.name())) {
        throw new QuiverException(
            SqlState.DUPLICATE_COLUMN, "column \"" + c.name() + "\" specified more than once");
      }
    }
    Set<Integer> keyCols = new HashSet<>();
    for (int i : primaryKey) {
      if (i < 0 || i >= cols.size()) {
        throw new IllegalArgumentException("primary key column index out of range: " + i);
      }
      ColumnDef c = cols.get(i);
      if (!keyCols.add(i)) {
        throw new QuiverException(
            SqlState.DUPLICATE_COLUMN,
            "column \"" + c.name() + "\" appears twice in primary key constraint");
      }
      cols.set(i, new ColumnDef(c.name(), c.type(), true));
    }
    store.enter();
    try {
      store.commitLock().lock();
      try {
        State s = state;
        if (s.byName.containsKey(nameKey(schema, name))) {
          throw new QuiverException(
              SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
        }
        TableDef t = new TableDef(s.nextId, schema, name, cols, primaryKey);
        try (KvBatch b = store.kv().newBatch()) {
          b.put(Family.CATALOG, tableKey(t.id()), TableDefCodec.encode(t));
          b.put(Family.CATALOG, NEXT_ID_KEY, longBytes(s.nextId + 1));
          b.put(Family.CATALOG, VERSION_KEY, longBytes(s.version + 1));
          store.kv().write(b, true, "definition of table " + t.qualifiedName());
        }
        Map<Long, TableDef> byId = new HashMap<>(s.byId);
        TreeMap<String, TableDef> byName = new TreeMap<>(s.byName);
        byId.put(t.id(), t);
        byName.put(nameKey(schema, name), t);
        state = new State(s.version + 1, s.nextId + 1, byId, byName);
        return t;
      } finally {
        store.commitLock().unlock();
      }
    } finally {
      store.exit();
    }
  }

  /**
   * Removes the table's definition and all its rows (a range delete), durable before returning.
   *
   * @throws QuiverException 42P01 if no table with this id exists
   */
  public void dropTable(TableDef table) {
    store.enter();
    try {
      store.commitLock().lock();
      try {
        State s = state;
        TableDef current = s.byId.get(table.id());
        if (current == null) {
          throw new QuiverException(
              SqlState.UNDEFINED_TABLE, "table \"" + table.name() + "\" does not exist");
        }
        try (KvBatch b = store.kv().newBatch()) {
          b.delete(Family.CATALOG, tableKey(table.id()));
          b.deleteRange(
              Family.ROWS, KeyCodec.tablePrefix(table.id()), KeyCodec.tableEnd(table.id()));
          b.put(Family.CATALOG, VERSION_KEY, longBytes(s.version + 1));
          store.kv().write(b, true, "drop of table " + current.qualifiedName());
        }
        Map<Long, TableDef> byId = new HashMap<>(s.byId);
        TreeMap<String, TableDef> byName = new TreeMap<>(s.byName);
        byId.remove(current.id());
        byName.remove(nameKey(current.schema(), current.name()));
        state = new State(s.version + 1, s.nextId, byId, byName);
        store.forgetTable(current.id());
      } finally {
        store.commitLock().unlock();
      }
    } finally {
      store.exit();
    }
  }

  /** The table named {@code name} in {@code schema} (exact, case-sensitive match). */
  public Optional<TableDef> table(String schema, String name) {
    return Optional.ofNullable(state.byName.get(nameKey(schema, name)));
  }

  public Optional<TableDef> tableById(long id) {
    return Optional.ofNullable(state.byId.get(id));
  }

  /** All tables, sorted by schema, then name. */
  public List<TableDef> tables() {
    return List.copyOf(state.byName.values());
  }

  /** A number that increases on every DDL (1 on a fresh store), also across restarts. */
  public long version() {
    return state.version;
  }

  private static String nameKey(String schema, String name) {
    return schema + '\u0000' + name;
  }

  private static byte[] tableKey(long id) {
    byte[] k = new byte[TABLE_PREFIX.length + 8];
    System.arraycopy(TABLE_PREFIX, 0, k, 0, TABLE_PREFIX.length);
    KeyCodec.putLong(k, TABLE_PREFIX.length, id);
    return k;
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    KeyCodec.putLong(b, 0, v);
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
