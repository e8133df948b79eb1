package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Vectors;
import io.quiverdb.common.vector.VectorKernels;
import io.quiverdb.common.vector.Metric;
import io.quiverdb.storage.vector.HnswGraph;
import io.quiverdb.storage.vector.SearchState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

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
  private CatalogState catalog;
  private CatalogState catalogBase;
  final List<TableDef> created = new ArrayList<>();
  final List<TableDef> dropped = new ArrayList<>();
  final ArrayList<Pending> inserts = new ArrayList<>();
  final HashMap<Long, Writes> writes = new HashMap<>();
  private boolean finished;
  /** The table the last write went to, and its writes: rows of a COPY go to one table. */
  private long lastWritesTable;
  private Writes lastWrites;

  Transaction(Store store, long snapshot) {
    this.store = store;
    this.snapshot = snapshot;
  }

  /** The commit timestamp this transaction reads at. */
  public long snapshotTs() {
    return snapshot;
  }

  /** The tables as this transaction sees them (its own DDL included). */
  public CatalogView catalog() {
    return catalogBase == null ? store.catalog().state() : catalog;
  }

  /** Whether this transaction has written rows or DDL. */
  public boolean hasWrites() {
    return catalogBase != null || !writes.isEmpty();
  }

  public boolean isFinished() {
    return finished;
  }

  // ---------------------------------------------------------------- reads

  /** All rows of {@code table} this transaction sees; close the cursor when done. */
  public RowCursor scan(TableDef table) {
    checkActive();
    return new Scan(table.id());
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
   * @throws QuiverException 22000 when the query's dimensions differ from the column's
   */
  public NearestRows nearest(TableDef table, IndexDef index, float[] query, int k, int ef,
      RowFilter filter) {
    checkActive();
    VectorIndex vi = store.vectorIndex(index.id());
    int dim = table.columns().get(index.column()).type().modifier();
    if (dim > 0 && query.length != dim) {
      throw new QuiverException(SqlState.DATA_EXCEPTION,
          "different vector dimensions " + dim + " and " + query.length);
    }
    NearestRows out = new NearestRows(k);
    SearchState state = SearchState.get();
    state.resetCounters();
    VectorKernels kernels = VectorKernels.get();
    Metric metric = index.metric();
    Writes w = writes.get(table.id());
    java.util.Set<Long> ended = w == null ? java.util.Set.of() : w.ended;
    TableData data = store.tableData(table.id());
    long[] found = new long[Math.max(k, 1)];
    for (Segment seg : data == null ? new Segment[0] : data.segments()) {
      int size = seg.size();
      Segment.Slots slots = seg.slots();
      RoaringBitmap visible = seg.visible(snapshot);
      if (visible.isEmpty()) {
        continue;
      }
      VectorIndex.SegmentGraph g = vi == null || vi.failure != null ? null : vi.graph(seg.id);
      int covered = g == null ? 0 : Math.min(g.indexed, size);
      int segId = seg.id;
      if (covered > 0) {
        java.util.function.IntPredicate accept = off -> visible.contains(off)
            && (ended.isEmpty() || !ended.contains(Segment.address(segId, off)))
            && (filter == null || filter.test(slots.rows[off]));
        int n = g.graph.search(query, k, ef, accept, covered, state, found);
        for (int i = 0; i < n; i++) {
          out.offer(HnswGraph.unpackDistance(found[i]),
              Segment.address(segId, HnswGraph.unpackNode(found[i])));
        }
        out.graphsSearched++;
      }
      org.roaringbitmap.PeekableIntIterator it = visible.getIntIterator();
      it.advanceIfNeeded(covered);
      while (it.hasNext()) {
        int off = it.next();
        if (off >= size) {
          break;
        }
        Object[] row = slots.rows[off];
        float[] v = vectorOf(row, index);
        if (v == null || (!ended.isEmpty() && ended.contains(Segment.address(segId, off)))
            || (filter != null && !filter.test(row))) {
          continue;
        }
        out.offer(kernels.distance(metric, query, 0, v, 0, v.length), Segment.address(segId, off));
        out.exactRows++;
      }
    }
    if (w != null) {
      for (int i : w.rows) {
        Pending p = inserts.get(i);
        float[] v = p.dead ? null : vectorOf(p.row, index);
        if (v != null && (filter == null || filter.test(p.row))) {
          out.offer(kernels.distance(metric, query, 0, v, 0, v.length), -(i + 1L));
          out.exactRows++;
        }
      }
    }
    out.nodesVisited = state.nodesVisited();
    out.distancesComputed = state.distances() + out.exactRows;
    out.finish();
    return out;
  }

  private static float[] vectorOf(Object[] row, IndexDef index) {
    if (row == null || !(row[index.column()] instanceof float[] v)) {
      return null;
    }
    if (index.metric() == Metric.COSINE) {
      for (float f : v) {
        if (f != 0) {
          return v;
        }
      }
      return null;
    }
    return v;
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
    validate(table, row);
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
    validate(table, newRow);
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
    List<ColumnDef> cols = Catalog.checkedColumns(columns, primaryKey);
    CatalogState c = privateCatalog();
    if (c.table(schema, name).isPresent()) {
      throw new QuiverException(
          SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
    }
    TableDef t = new TableDef(c.nextId, schema, name, cols, primaryKey);
    catalog = c.with(t, store.privateCatalogVersion());
    created.add(t);
    return t;
  }

  /**
   * Drops a table with its rows when this transaction commits; it is gone for this transaction now.
   *
   * @throws QuiverException 42P01 if this transaction does not see the table
   */
  public void dropTable(TableDef table) {
    checkActive();
    CatalogState c = privateCatalog();
    if (c.tableById(table.id()).isEmpty()) {
      throw new QuiverException(
          SqlState.UNDEFINED_TABLE, "table \"" + table.name() + "\" does not exist");
    }
    catalog = c.without(table.id(), store.privateCatalogVersion());
    if (!created.removeIf(t -> t.id() == table.id())) {
      dropped.add(table);
    }
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
    CatalogState c = privateCatalog();
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

  /**
   * Drops the vector index named {@code name} in {@code schema} when this transaction commits.
   *
   * @return false when there is no such index
   */
  public boolean dropIndex(String schema, String name) {
    checkActive();
    CatalogState c = privateCatalog();
    for (TableDef t : c.tables()) {
      if (!t.schema().equals(schema)) {
        continue;
      }
      java.util.Optional<IndexDef> index = t.index(name);
      if (index.isPresent()) {
        catalog = c.replaced(t.withoutIndex(index.get().id()), c.nextId,
            store.privateCatalogVersion());
        return true;
      }
    }
    return false;
  }

  private CatalogState privateCatalog() {
    if (catalogBase == null) {
      catalogBase = store.catalog().state();
      catalog = catalogBase;
    }
    return catalog;
  }

  CatalogState catalogBase() {
    return catalogBase;
  }

  /** The catalog this transaction installs at commit (its DDL), or null when it has none. */
  CatalogState catalogChanges() {
    return catalogBase == null ? null : catalog;
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

  /** Checks row length, value classes, NOT NULL and vector dimension and finiteness. */
  private static void validate(TableDef table, Object[] row) {
    List<ColumnDef> columns = table.columns();
    if (row == null || row.length != columns.size()) {
      throw new IllegalArgumentException(
          "row for " + table.qualifiedName() + " must have " + columns.size() + " values");
    }
    for (int i = 0; i < row.length; i++) {
      ColumnDef c = columns.get(i);
      Object v = row[i];
      if (v == null) {
        if (c.notNull()) {
          throw new QuiverException(
              SqlState.NOT_NULL_VIOLATION,
              "null value in column \"" + c.name() + "\" of relation \"" + table.name()
                  + "\" violates not-null constraint",
              ValueText.failingRow(table, row),
              null,
              0);
        }
        continue;
      }
      ValueKind.of(c.type().type()).check(c.name(), v);
      if (c.type().type() == PgType.VECTOR) {
        float[] f = (float[]) v;
        if (f.length == 0) {
          throw new QuiverException(
              SqlState.DATA_EXCEPTION, "vector must have at least 1 dimension");
        }
        if (f.length > PgType.VECTOR_MAX_DIM) {
          throw new QuiverException(
              SqlState.PROGRAM_LIMIT_EXCEEDED,
              "vector cannot have more than " + PgType.VECTOR_MAX_DIM + " dimensions");
        }
        Vectors.checkDim(c.type().modifier(), f.length);
        Vectors.checkFinite(f);
      }
    }
  }

  // ---------------------------------------------------------------- scan

  /** Visible committed versions segment by segment (via the visibility bitmap), then own rows. */
  private final class Scan implements RowCursor {
    private final Segment[] segments;
    private final TableData data;
    private final Writes own;
    /** Own rows added by the statement running this scan (an UPDATE's new versions) are not seen. */
    private final int ownRows;
    private int segment = -1;
    private Segment.Slots slots;
    private IntIterator offsets;
    private int pending = -1;
    private long rowId;
    private Object[] row;

    Scan(long tableId) {
      this.data = store.tableData(tableId);
      this.segments = data == null ? new Segment[0] : data.segments();
      this.own = writes.get(tableId);
      this.ownRows = own == null ? 0 : own.rows.size();
    }

    @Override
    public boolean next() {
      while (segment < segments.length) {
        if (offsets != null) {
          while (offsets.hasNext()) {
            int off = offsets.next();
            long addr = Segment.address(segment, off);
            if (own != null && own.ended.contains(addr)) {
              continue;
            }
            rowId = addr;
            row = slots.rows[off];
            return true;
          }
        }
        segment++;
        if (segment < segments.length) {
          Segment seg = segments[segment];
          RoaringBitmap visible = seg.visible(snapshot);
          slots = seg.slots();
          offsets = visible.getIntIterator();
        }
      }
      if (own != null) {
        while (++pending < ownRows) {
          int i = own.rows.get(pending);
          Pending p = inserts.get(i);
          if (!p.dead) {
            rowId = -(i + 1L);
            row = p.row;
            return true;
          }
        }
      }
      row = null;
      return false;
    }

    @Override
    public Object[] row() {
      if (row == null) {
        throw new IllegalStateException("cursor is not on a row");
      }
      return row;
    }

    @Override
    public long rowId() {
      if (row == null) {
        throw new IllegalStateException("cursor is not on a row");
      }
      return rowId;
    }

    @Override
    public void close() {
      row = null;
    }
  }

  /** For tests and the planner's estimates: the table's definition as this transaction sees it. */
  public Optional<TableDef> table(String schema, String name) {
    return catalog().table(schema, name);
  }

  Map<Long, Writes> writesByTable() {
    return writes;
  }
}
