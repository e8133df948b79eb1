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

/**
 * The committed list of tables: definitions live in the {@code catalog} column family and are
 * mirrored in an immutable in-memory {@link CatalogState} that readers use without locking.
 *
 * <p>Keys in the {@code catalog} family: {@code "table:" + 8-byte big-endian id} → a {@link
 * TableDefCodec} definition; {@code "counter:next_table_id"} and {@code "counter:version"} → an
 * 8-byte big-endian long. DDL is transactional: a transaction works on a private picture of the
 * catalog ({@link Transaction#createTable}, {@link Transaction#dropTable}) and its commit writes
 * the definitions, the counters and the rows in one batch.
 */
public final class Catalog implements CatalogView {
  /** The first table id handed out; ids are never reused. */
  public static final long FIRST_TABLE_ID = 16400;

  static final byte[] NEXT_ID_KEY = ascii("counter:next_table_id");
  static final byte[] VERSION_KEY = ascii("counter:version");
  private static final byte[] TABLE_PREFIX = ascii("table:");
  private static final byte[] TABLE_END = ascii("table;");

  private final Store store;
  private volatile CatalogState state;

  private Catalog(Store store, CatalogState state) {
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
    try (KvCursor c = kv.cursor(Family.CATALOG, null, TABLE_PREFIX, TABLE_END)) {
      while (c.next()) {
        TableDef t = TableDefCodec.decode(c.value());
        byId.put(t.id(), t);
      }
    }
    return new Catalog(
        store,
        new CatalogState(KeyCodec.getLong(version, 0), KeyCodec.getLong(nextId, 0), byId));
  }

  /** The committed picture. */
  CatalogState state() {
    return state;
  }

  /** Installs the picture a committing transaction made (under the commit lock). */
  void install(CatalogState next) {
    state = next;
  }

  /**
   * Adds a DDL commit's catalog writes to {@code batch}: the definitions that differ between
   * {@code before} and {@code next} and the rows of dropped tables. (The graphs of dropped indexes
   * live in the graph database; the indexer deletes them, see {@link IndexRegistry}.)
   */
  static void writeChanges(KvBatch batch, CatalogState before, CatalogState next) {
    for (TableDef t : before.tables()) {
      TableDef after = next.tableById(t.id()).orElse(null);
      if (after == null) {
        batch.delete(Family.CATALOG, tableKey(t.id()));
        batch.deleteRange(Family.ROWS, KeyCodec.tablePrefix(t.id()), KeyCodec.tableEnd(t.id()));
      }
    }
    for (TableDef t : next.tables()) {
      if (before.tableById(t.id()).orElse(null) != t) {
        batch.put(Family.CATALOG, tableKey(t.id()), TableDefCodec.encode(t));
      }
    }
    batch.put(Family.CATALOG, NEXT_ID_KEY, longBytes(next.nextId));
    batch.put(Family.CATALOG, VERSION_KEY, longBytes(next.version));
  }

  /**
   * Checks a new table's columns and primary key and returns the columns to store (primary key
   * columns become NOT NULL).
   *
   * @throws QuiverException 42701 for a repeated column name or primary key column
   */
  static List<ColumnDef> checkedColumns(List<ColumnDef> columns, List<Integer> primaryKey) {
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
    return cols;
  }

  /**
   * Creates a table in a transaction of its own, durable before returning.
   *
   * @throws QuiverException 42P07 if the table exists, 42701 for a repeated column name
   */
  public TableDef createTable(
      String schema, String name, List<ColumnDef> columns, List<Integer> primaryKey) {
    try (Transaction txn = store.begin()) {
      TableDef t = txn.createTable(schema, name, columns, primaryKey);
      txn.commit();
      return t;
    }
  }

  /**
   * Drops a table and all its rows in a transaction of its own, durable before returning.
   *
   * @throws QuiverException 42P01 if no table with this id exists
   */
  public void dropTable(TableDef table) {
    try (Transaction txn = store.begin()) {
      txn.dropTable(table);
      txn.commit();
    }
  }

  @Override
  public Optional<TableDef> table(String schema, String name) {
    return state.table(schema, name);
  }

  @Override
  public Optional<TableDef> tableById(long id) {
    return state.tableById(id);
  }

  @Override
  public List<TableDef> tables() {
    return state.tables();
  }

  @Override
  public long version() {
    return state.version;
  }

  private static byte[] tableKey(long id) {
    byte[] k = new byte[TABLE_PREFIX.length + 8];
    System.arraycopy(TABLE_PREFIX, 0, k, 0, TABLE_PREFIX.length);
    KeyCodec.putLong(k, TABLE_PREFIX.length, id);
    return k;
  }

  static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    KeyCodec.putLong(b, 0, v);
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
