package io.quiverdb.storage;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.vector.Metric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A snapshot-isolated transaction: it reads the rows committed at its snapshot timestamp plus its
 * own writes, buffers its writes (and DDL) in memory, and applies them atomically on {@link
 * #commit}. Of two transactions that write the same row, the first to commit wins; the other gets
 * 40001 (when it writes the row, or at its commit). Used by one thread at a time.
 *
 * <p>Row ids: a committed version is named by its address (segment id, offset); a row this
 * transaction inserted by {@code -(index + 1)} into its list of pending inserts.
 */
public final class Transaction implements AutoCloseable {
  /** Returned by {@link #find} when no row has the key. */
  public static final long NO_ROW = Long.MIN_VALUE;

  /** A row this transaction inserted (or the new version of a row it updated). */
  static final class Pending {
    final TableDef table;
    Object[] row;
    ByteKey pk;
    /** The committed version this one replaces (an UPDATE), or -1. */
    final long replaces;
    boolean dead;

    Pending(TableDef table, Object[] row, ByteKey pk, long replaces) {
      this.table = table;
      this.row = row;
      this.pk = pk;
      this.replaces = replaces;
    }
  }

  /** This transaction's writes to one table. */
  static final class Writes {
    /** Committed versions this transaction ends (deletes, or the old side of updates). */
    final HashSet<Long> ended = new HashSet<>();
    /** Live pending rows by primary key. */
    final PendingKeys byKey = new PendingKeys();
    /** Indexes into {@link #inserts} of this table's pending rows. */
    final List<Integer> rows = new ArrayList<>();
  }

  private final Store store;
  private final long snapshot;
  /** This transaction's DDL: its private picture of the catalog. */
  final TransactionDdl ddl;
  final ArrayList<Pending> inserts = new ArrayList<>();
  final HashMap<Long, Writes> writes = new HashMap<>();
  private boolean finished;
  /** The table the last write went to, and its writes: rows of a COPY go to one table. */
  private long lastWritesTable;
  private Writes lastWrites;
  private CancelToken cancel = CancelToken.NONE;

  Transaction(Store store, long snapshot) {
    this.store = store;
    this.snapshot = snapshot;
    this.ddl = new TransactionDdl(store);
  }

  /** The token whose cancel stops this transaction's long scans and searches with 57014. */
  public void cancelToken(CancelToken token) {
    this.cancel = token == null ? CancelToken.NONE : token;
  }

  CancelToken cancelToken() {
    return cancel;
  }

  Store store() {
    return store;
  }

  /** The commit timestamp this transaction reads at. */
  public long snapshotTs() {
    return snapshot;
  }

  /** The tables as this transaction sees them (its own DDL included). */
  public CatalogView catalog() {
    return ddl.view();
  }

  /** Whether this transaction has written rows or DDL. */
  public boolean hasWrites() {
    return ddl.hasChanges() || !writes.isEmpty();
  }

  public boolean isFinished() {
    return finished;
  }

  // ---------------------------------------------------------------- reads

  /** All rows of {@code table} this transaction sees; close the cursor when done. */
  public RowCursor scan(TableDef table) {
    checkActive();
    return new VisibleScan(this, table.id());
  }

  /**
   * The id of the row with primary key {@code pkValues} (in primary key order), or {@link #NO_ROW}.
   *
   * @throws IllegalArgumentException when the table has no primary key or the values do not fit
   */
  public long find(TableDef table, Object[] pkValues) {
    checkActive();
    checkPkValues(table, pkValues);
    return find(table, new ByteKey(KeyCodec.primaryKey(table, pkValues)));
  }

  /** The values of a row named by an id from {@link #find} or a cursor. */
  public Object[] row(TableDef table, long rowId) {
    if (rowId < 0) {
      return inserts.get(pendingIndex(rowId)).row;
    }
    Segment seg = data(table.id()).segment(Segment.segmentOf(rowId));
    return seg.slots().rows[Segment.offsetOf(rowId)];
  }

  /** The row whose primary key is {@code pkValues}, or null. */
  public Object[] get(TableDef table, Object[] pkValues) {
    long id = find(table, pkValues);
    return id == NO_ROW ? null : row(table, id);
  }

  private long find(TableDef table, ByteKey key) {
    Writes w = writes.get(table.id());
    if (w != null) {
      int i = w.byKey.get(key);
      if (i >= 0) {
        return -(i + 1L);
      }
    }
    TableData data = store.tableData(table.id());
    if (data == null) {
      return NO_ROW;
    }
    Long newest = data.newest.get(key);
    return newest == null ? NO_ROW : visibleVersion(data, w, newest);
  }

  /** The version of the key whose newest version is at {@code newest} this transaction sees. */
  private long visibleVersion(TableData data, Writes w, long newest) {
    long addr = newest;
    while (addr >= 0) {
      Segment seg = data.segment(Segment.segmentOf(addr));
      if (seg == null) {
        return NO_ROW;
      }
      Segment.Slots s = seg.slots();
      int off = Segment.offsetOf(addr);
      if (Segment.visible(s, off, snapshot)) {
        return w != null && w.ended.contains(addr) ? NO_ROW : addr;
      }
      addr = s.prev[off];
    }
    return NO_ROW;
  }

  /** A condition on a row's values, for {@link #nearest}. */
  @FunctionalInterface
  public interface RowFilter {
    boolean test(Object[] row);
  }

  /**
   * The {@code k} rows this transaction sees that are nearest to {@code query} by {@code index}'s
   * metric and pass {@code filter} (null for none), nearest first. Each segment's graph is
   * searched with a candidate list of {@code ef}, accepting only the rows the snapshot sees and the
   * filter passes while still walking through the others; rows no graph covers yet, and this
   * transaction's own, are compared exactly. Rows whose vector is NULL (or zero, for cosine) have
   * no distance the index ranks and are not returned, as with pgvector.
   *
   * @throws QuiverException 22000 when the query's dimensions differ from the column's; 57014
   *     when the statement is cancelled
   */
  public NearestRows nearest(TableDef table, IndexDef index, float[] query, int k, int ef,
      RowFilter filter) {
    checkActive();
    int dim = table.columns().get(index.column()).type().modifier();
    if (dim > 0 && query.length != dim) {
      throw new QuiverException(SqlState.DATA_EXCEPTION,
          "different vector dimensions " + dim + " and " + query.length);
    }
    return new NearestSearch(this, table, index, query, filter).run(k, ef);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Adds a row. Nothing is written when a check fails.
   *
   * @throws QuiverException 23502 NULL in a NOT NULL column, 23505 duplicate primary key, 22000
   *     wrong vector dimension or a NaN or infinite element
   */
  public void insert(TableDef table, Object[] row) {
    if (!tryInsert(table, row, false)) {
      throw duplicate(table, row);
    }
  }

  /**
   * Adds a row unless a row with its primary key is visible to this transaction (then returns
   * false and writes nothing): the check of {@code INSERT … ON CONFLICT}.
   *
   * @throws QuiverException 40001 when the conflicting row was committed after this
   *     transaction's snapshot, so it cannot be seen and the outcome would depend on timing
   */
  public boolean tryInsert(TableDef table, Object[] row) {
    return tryInsert(table, row, true);
  }

  /**
   * The insert path, lean because COPY runs it per row: the key is claimed among this
   * transaction's rows with one map operation (and given back in the rare case a committed row
   * has it), and the committed versions are looked up once.
   */
  private boolean tryInsert(TableDef table, Object[] row, boolean onConflict) {
    checkActive();
    RowChecks.check(table, row);
    if (!table.hasPrimaryKey()) {
      addPending(table, row.clone(), null, -1);
      return true;
    }
    ByteKey key = new ByteKey(KeyCodec.primaryKeyOfRow(table, row));
    Writes w = writes(table);
    int index = inserts.size();
    if (w.byKey.putIfAbsent(key, index) >= 0) {
      return false;
    }
    TableData data = store.tableData(table.id());
    Long newest = data == null ? null : data.newest.get(key);
    if (newest != null) {
      boolean visible = visibleVersion(data, w, newest) != NO_ROW;
      if (visible || concurrentlyInserted(data, newest)) {
        w.byKey.remove(key);
        forgetIfEmpty(table.id(), w);
        if (!visible && onConflict) {
          throw serializationFailure();
        }
        return false;
      }
    }
    inserts.add(new Pending(table, row.clone(), key, -1));
    w.rows.add(index);
    return true;
  }

  /**
   * Replaces the row {@code rowId} (from a cursor or {@link #find}) with {@code newRow}, with the
   * checks of {@link #insert}; a changed primary key must be unique.
   *
   * @throws QuiverException 40001 when another transaction changed the row after this one's
   *     snapshot
   */
  public void update(TableDef table, long rowId, Object[] newRow) {
    checkActive();
    RowChecks.check(table, newRow);
    Object[] row = newRow.clone();
    if (rowId < 0) {
      Pending p = inserts.get(pendingIndex(rowId));
      if (table.hasPrimaryKey()) {
        ByteKey key = new ByteKey(KeyCodec.primaryKeyOfRow(table, row));
        if (!key.equals(p.pk)) {
          checkUnique(table, key, row);
          Writes w = writes.get(table.id());
          w.byKey.remove(p.pk);
          w.byKey.put(key, pendingIndex(rowId));
          p.pk = key;
        }
      }
      p.row = row;
      return;
    }
    endCommitted(table, rowId);
    ByteKey key = null;
    if (table.hasPrimaryKey()) {
      key = new ByteKey(KeyCodec.primaryKeyOfRow(table, row));
      checkUnique(table, key, row);
    }
    addPending(table, row, key, rowId);
  }

  /** Deletes the row {@code rowId}; 40001 as for {@link #update}. */
  public void delete(TableDef table, long rowId) {
    checkActive();
    if (rowId < 0) {
      Pending p = inserts.get(pendingIndex(rowId));
      p.dead = true;
      if (p.pk != null) {
        writes.get(table.id()).byKey.remove(p.pk);
      }
      return;
    }
    endCommitted(table, rowId);
  }

  private void endCommitted(TableDef table, long addr) {
    TableData data = data(table.id());
    Segment seg = data.segment(Segment.segmentOf(addr));
    if (seg.slots().end[Segment.offsetOf(addr)] != Segment.LIVE) {
      throw serializationFailure();
    }
    if (!writes(table).ended.add(addr)) {
      throw new IllegalStateException("row " + addr + " was already changed by this transaction");
    }
  }

  private void checkUnique(TableDef table, ByteKey key, Object[] row) {
    if (find(table, key) != NO_ROW || concurrentlyInserted(table, key)) {
      throw duplicate(table, row);
    }
  }

  /** Whether the newest version of {@code key} is live but was committed after the snapshot. */
  private boolean concurrentlyInserted(TableDef table, ByteKey key) {
    TableData data = store.tableData(table.id());
    Long newest = data == null ? null : data.newest.get(key);
    return newest != null && concurrentlyInserted(data, newest);
  }

  private boolean concurrentlyInserted(TableData data, long newest) {
    Segment.Slots s = data.segment(Segment.segmentOf(newest)).slots();
    int off = Segment.offsetOf(newest);
    return s.end[off] == Segment.LIVE && s.insert[off] > snapshot;
  }

  private void addPending(TableDef table, Object[] row, ByteKey key, long replaces) {
    Writes w = writes(table);
    int index = inserts.size();
    inserts.add(new Pending(table, row, key, replaces));
    w.rows.add(index);
    if (key != null) {
      w.byKey.put(key, index);
    }
  }

  /**
   * Drops a table's entry that a refused insert left empty: a transaction without writes commits
   * nothing.
   */
  private void forgetIfEmpty(long tableId, Writes w) {
    if (w.rows.isEmpty() && w.ended.isEmpty() && w.byKey.isEmpty()) {
      writes.remove(tableId);
      lastWrites = null;
    }
  }

  private Writes writes(TableDef table) {
    long id = table.id();
    if (lastWrites != null && lastWritesTable == id) {
      return lastWrites;
    }
    lastWritesTable = id;
    lastWrites = writes.computeIfAbsent(id, k -> new Writes());
    return lastWrites;
  }

  // ---------------------------------------------------------------- DDL

  /**
   * Creates a table, visible to this transaction now and to others when it commits.
   *
   * @throws QuiverException 42P07 if the table exists, 42701 for a repeated column name
   */
  public TableDef createTable(
      String schema, String name, List<ColumnDef> columns, List<Integer> primaryKey) {
    checkActive();
    return ddl.createTable(schema, name, columns, primaryKey);
  }

  /**
   * Drops a table with its rows when this transaction commits; it is gone for this transaction now.
   *
   * @throws QuiverException 42P01 if this transaction does not see the table
   */
  public void dropTable(TableDef table) {
    checkActive();
    ddl.dropTable(table);
    Writes w = writes.remove(table.id());
    lastWrites = null;
    if (w != null) {
      for (int i : w.rows) {
        inserts.get(i).dead = true;
      }
    }
  }

  /**
   * Adds a vector index to {@code table}; it is built when this transaction commits (the commit's
   * durability then waits for the build). A null {@code name} picks PostgreSQL's default, {@code
   * <table>_<column>_idx} with a number appended when taken.
   *
   * @return the index, or null when {@code ifNotExists} and a relation of that name exists
   * @throws QuiverException 42P07 when a table or index of that name exists
   */
  public IndexDef createIndex(TableDef table, String name, int column, Metric metric, int m,
      int efConstruction, boolean ifNotExists) {
    checkActive();
    return ddl.createIndex(table, name, column, metric, m, efConstruction, ifNotExists);
  }

  /**
   * Drops the vector index named {@code name} in {@code schema} when this transaction commits.
   *
   * @return false when there is no such index
   */
  public boolean dropIndex(String schema, String name) {
    checkActive();
    return ddl.dropIndex(schema, name);
  }

  // ---------------------------------------------------------------- end

  /**
   * Commits and waits until the commit is durable.
   *
   * @throws QuiverException 40001 when another transaction committed a conflicting write first,
   *     23505 when it committed the same new primary key, 42P01 when a written table was dropped
   *     (nothing is written in these cases); {@link io.quiverdb.common.InDoubtException} when the
   *     write or its sync failed
   */
  public void commit() {
    try {
      commitAsync().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * Commits: checks conflicts and orders the commit now (throwing as {@link #commit} does), and
   * returns a future that completes when the commit is durable and visible to new snapshots, or
   * completes exceptionally with an {@link io.quiverdb.common.InDoubtException}.
   */
  public CompletableFuture<Void> commitAsync() {
    checkActive();
    try {
      if (!hasWrites()) {
        return CompletableFuture.completedFuture(null);
      }
      return store.commit(this);
    } finally {
      finish();
    }
  }

  /** Abandons the writes; idempotent. */
  public void rollback() {
    finish();
  }

  @Override
  public void close() {
    finish();
  }

  private void finish() {
    if (!finished) {
      finished = true;
      store.released(this);
    }
  }

  private void checkActive() {
    if (finished) {
      throw new IllegalStateException("transaction is already committed or rolled back");
    }
  }

  private TableData data(long tableId) {
    TableData d = store.tableData(tableId);
    if (d == null) {
      throw new IllegalArgumentException("table " + tableId + " has no committed rows");
    }
    return d;
  }

  private static int pendingIndex(long rowId) {
    return (int) (-rowId - 1);
  }

  private static void checkPkValues(TableDef table, Object[] pkValues) {
    if (!table.hasPrimaryKey()) {
      throw new IllegalArgumentException("table " + table.qualifiedName() + " has no primary key");
    }
    if (pkValues.length != table.primaryKey().size()) {
      throw new IllegalArgumentException("primary key of " + table.qualifiedName() + " has "
          + table.primaryKey().size() + " columns, got " + pkValues.length + " values");
    }
  }

  static QuiverException serializationFailure() {
    return new QuiverException(
        SqlState.SERIALIZATION_FAILURE, "could not serialize access due to concurrent update");
  }

  static QuiverException duplicate(TableDef table, Object[] row) {
    return new QuiverException(
        SqlState.UNIQUE_VIOLATION,
        "duplicate key value violates unique constraint \"" + table.primaryKeyName() + "\"",
        ValueText.keyDetail(table, row),
        null,
        0);
  }


  /** For tests and the planner's estimates: the table's definition as this transaction sees it. */
  public Optional<TableDef> table(String schema, String name) {
    return catalog().table(schema, name);
  }

  Map<Long, Writes> writesByTable() {
    return writes;
  }
}
