package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One open data directory: the catalog and the MVCC row store over a RocksDB database with the
 * column families {@code default} (format version, last commit), {@code catalog}, {@code rows} and
 * {@code changelog}, and the vector index graphs in a database of their own ({@link
 * IndexRegistry}).
 *
 * <p>Rows live in memory in per-table {@link Segment}s, recovered from RocksDB at open ({@link
 * Recovery}); RocksDB is the durable form. The parts: {@link CommitPipeline} orders, applies and
 * writes commits and hands them to the {@link Committer} for group commit; {@link Snapshots}
 * registers transactions' snapshots; {@link ChangeLog} reads the change log; {@link Compactor}
 * drops what left the retention window; {@link IndexRegistry} runs the vector indexes.
 *
 * <p>After a commit is in doubt (its write or sync failed) the store is poisoned: it takes no
 * further commit until it is restarted and has recovered, but keeps answering reads, which never
 * see the in-doubt commits (they were never published).
 *
 * <p>Close order: (1) refuse new operations and wait for running ones to leave, (2) stop the
 * compactor, (3) stop the indexer, which persists the durable part of what it built, and close the
 * graph database, (4) let the committer finish queued commits (failing what it cannot), (5) close
 * RocksDB (see {@link RocksKv}).
 */
public final class Store implements AutoCloseable {
  /** The on-disk format this build reads and writes, kept under {@code "format"} in default. */
  static final int FORMAT_VERSION = 2;

  private static final byte[] FORMAT_KEY = ascii("format");

  private final Path dataDir;
  private final StorageConfig config;
  private final RocksKv kv;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<Long, TableData> tables = new ConcurrentHashMap<>();
  private final Snapshots snapshots = new Snapshots();
  private final AtomicLong privateVersions = new AtomicLong();
  private final Catalog catalog;
  private final ChangeLog changeLog;
  private final IndexRegistry indexes;
  private final CommitPipeline pipeline;
  private final Compactor compactor;
  private volatile long visibleTs;
  private volatile RuntimeException failure;
  private boolean closed;

  private Store(Path dataDir, StorageConfig config, RocksKv kv) {
    this.dataDir = dataDir;
    this.config = config;
    this.kv = kv;
    this.catalog = Catalog.load(this, kv);
    long lastLsn = 0;
    long lastTs = 0;
    byte[] last = kv.get(Family.META, CommitPipeline.LAST_COMMIT_KEY);
    if (last != null) {
      ByteBuffer b = ByteBuffer.wrap(last);
      lastLsn = b.getLong();
      lastTs = b.getLong();
    }
    for (TableDef t : catalog.tables()) {
      tables.put(t.id(), Recovery.recover(kv, t, config.segmentRows()));
    }
    visibleTs = lastTs;
    this.changeLog = new ChangeLog(kv, config);
    this.indexes = new IndexRegistry(this);
    this.pipeline = new CommitPipeline(this, kv, lastLsn, lastTs);
    try {
      indexes.loadAndStart(catalog.state());
    } catch (RuntimeException | Error e) {
      pipeline.close();
      indexes.close();
      throw e;
    }
    this.compactor = new Compactor(this, kv, pipeline.lock());
  }

  /**
   * Opens the store in {@code dataDir}, creating the directory and an empty store if missing, and
   * recovers the rows of every table.
   *
   * @throws QuiverException IO_ERROR naming the path when it cannot be opened, e.g. because another
   *     store has it open; DATA_CORRUPTED when its catalog cannot be read
   */
  public static Store open(Path dataDir, StorageConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    Path dir = dataDir.toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new QuiverException(
          SqlState.IO_ERROR, "could not create data directory \"" + dir + "\": " + e, e);
    }
    RocksKv kv = RocksKv.open(dir, EnumSet.of(Family.META, Family.CATALOG, Family.ROWS,
        Family.LOG));
    try {
      checkFormat(kv);
      return new Store(dir, config, kv);
    } catch (RuntimeException | Error e) {
      kv.close();
      throw e;
    }
  }

  private static void checkFormat(RocksKv kv) {
    byte[] format = kv.get(Family.META, FORMAT_KEY);
    if (format == null) {
      try (KvBatch b = kv.newBatch()) {
        b.put(Family.META, FORMAT_KEY, new byte[] {0, 0, 0, FORMAT_VERSION});
        kv.write(b, true, "the format version");
      }
      return;
    }
    int v = format.length == 4 ? ByteBuffer.wrap(format).getInt() : -1;
    if (v != FORMAT_VERSION) {
      throw new QuiverException(
          SqlState.DATA_CORRUPTED,
          "data directory \"" + kv.path() + "\" has storage format " + v
              + " but this build reads format " + FORMAT_VERSION);
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  public StorageConfig config() {
    return config;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** A new transaction reading the latest durable commits; close (or commit) it when done. */
  public Transaction begin() {
    enter();
    try {
      return snapshots.begin(this, config.faults());
    } finally {
      exit();
    }
  }

  /** The newest commit timestamp visible to new transactions. */
  public long visibleTs() {
    return visibleTs;
  }

  /** The table's live row count (exact for committed rows), for the planner's estimates. */
  public long estimatedRowCount(TableDef table) {
    TableData d = tables.get(table.id());
    return d == null ? 0 : d.liveRows();
  }

  /** Number of open transactions. */
  public int openTransactionCount() {
    return snapshots.count();
  }

  /** Group commit counters: {syncs, commits} since open. */
  public long[] commitCounts() {
    return pipeline.counts();
  }

  /** Free space kept on the data directory's file system; commits are refused below it. */
  public long diskReserveBytes() {
    return pipeline.diskReserve();
  }

  CompletableFuture<Void> commit(Transaction txn) {
    enter();
    try {
      return pipeline.commit(txn);
    } finally {
      exit();
    }
  }

  /** Called by the committer, in commit order, once a group is durable. */
  void publish(long ts) {
    visibleTs = ts;
  }

  void poison(RuntimeException e) {
    if (failure == null) {
      failure = e;
    }
  }

  RuntimeException failure() {
    return failure;
  }

  void checkFailure() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  // ---------------------------------------------------------------- change log and compaction

  /** Up to {@code limit} changes with LSN at least {@code fromLsn}, in order. */
  public List<ChangeRecord> changes(long fromLsn, int limit) {
    return runOperation(() -> changeLog.changes(fromLsn, limit));
  }

  /** What one compaction pass dropped. */
  public record CompactionResult(long horizonTs, long versionsDropped, long changesDropped) {}

  /** Runs one compaction pass now (see {@link Compactor}). */
  public CompactionResult compact() {
    return runOperation(() -> {
      checkFailure();
      return compactor.compact();
    });
  }

  // ---------------------------------------------------------------- views

  /** Per segment of every table: versions, live, dead, reclaimed and bytes on disk. */
  public List<SegmentStats> segmentStats() {
    return runOperation(() -> {
      List<SegmentStats> out = new ArrayList<>();
      for (TableDef t : catalog.tables()) {
        TableData data = tables.get(t.id());
        if (data == null) {
          continue;
        }
        Segment[] segs = data.segments();
        for (int i = 0; i < segs.length; i++) {
          Segment seg = segs[i];
          int size = seg.size();
          int ended = seg.endedCount();
          int purged = seg.purgedCount();
          long bytes = kv.approximateSize(Family.ROWS, versionKey(t.id(), Segment.address(i, 0)),
              versionKey(t.id(), Segment.address(i + 1, 0)));
          out.add(new SegmentStats(t, i, seg.isFull(), size, size - ended, ended - purged,
              purged, bytes));
        }
      }
      return out;
    });
  }

  /** A vector index build in progress, as {@code pg_stat_progress_create_index} shows it. */
  public record IndexBuild(long tableId, long indexId, String phase, long tuplesTotal,
      long tuplesDone) {}

  /** The vector index builds running now. */
  public List<IndexBuild> indexBuilds() {
    return indexes.builds();
  }

  /**
   * An index's graph nodes, the bytes they hold in memory, and how many of the nodes this
   * process inserted rather than loaded; null when there is no such index.
   */
  public long[] indexSize(long indexId) {
    VectorIndex x = indexes.get(indexId);
    return x == null ? null : new long[] {x.nodes(), x.bytes(), x.inserted.get()};
  }

  /** Checks {@code table}'s vector indexes against its rows (see {@link IndexCheck}). */
  public List<IndexCheck.Result> checkVectorIndexes(TableDef table) {
    return runOperation(() -> IndexCheck.run(this, table));
  }

  /** A background thread of the store, as {@code quiver_workers} shows it. */
  public record WorkerStatus(String name, String state, long rounds, long failures,
      String lastError, long lastErrorMillis) {}

  /**
   * The store's background threads and their health; the store itself is listed as {@code
   * quiver-store}, {@code failed} with the cause once a commit was in doubt.
   */
  public List<WorkerStatus> workers() {
    List<WorkerStatus> out = new ArrayList<>();
    RuntimeException f = failure;
    out.add(new WorkerStatus("quiver-store", f == null ? "running" : "failed", 0, f == null ? 0 : 1,
        f == null ? null : f.getMessage(), 0));
    for (WorkerHealth h : new WorkerHealth[] {pipeline.committer().health(),
        indexes.indexerHealth(), compactor.health()}) {
      if (h != null) {
        WorkerHealth.Status s = h.status();
        out.add(new WorkerStatus(s.name(), s.state(), s.rounds(), s.failures(), s.lastError(),
            s.lastErrorMillis()));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lifecycle.writeLock().unlock();
    }
    compactor.close();
    indexes.close();
    pipeline.close();
    snapshots.clear();
    kv.close();
  }

  /**
   * Enters an operation: takes the lifecycle read lock; pair with {@link #exit()} in a finally.
   *
   * @throws QuiverException ADMIN_SHUTDOWN once the store is closing
   */
  void enter() {
    lifecycle.readLock().lock();
    if (closed) {
      lifecycle.readLock().unlock();
      throw new QuiverException(SqlState.ADMIN_SHUTDOWN, "the storage engine is shut down");
    }
  }

  /** Leaves an operation begun with {@link #enter()}. */
  void exit() {
    lifecycle.readLock().unlock();
  }

  /** Runs {@code op} as an operation: between {@link #enter} and {@link #exit}. */
  <T> T runOperation(Supplier<T> op) {
    enter();
    try {
      return op.get();
    } finally {
      exit();
    }
  }

  // ---------------------------------------------------------------- for the parts

  /**
   * The rows of table {@code tableId}, or null when it has none yet.
   *
   * @throws QuiverException XX001 when recovery could not read them
   */
  TableData tableData(long tableId) {
    TableData d = tables.get(tableId);
    if (d != null) {
      d.checkReadable();
    }
    return d;
  }

  /** The rows of table {@code tableId} as they are (damaged ones too), or null. */
  TableData tableDataOrNull(long tableId) {
    return tables.get(tableId);
  }

  Collection<TableData> tableDatas() {
    return tables.values();
  }

  void createTableData(TableDef t) {
    tables.put(t.id(), new TableData(t.id(), t.hasPrimaryKey(), config.segmentRows()));
  }

  void dropTableData(long tableId) {
    tables.remove(tableId);
  }

  Snapshots snapshots() {
    return snapshots;
  }

  ChangeLog changeLog() {
    return changeLog;
  }

  IndexRegistry indexes() {
    return indexes;
  }

  Collection<VectorIndex> vectorIndexes() {
    return indexes.all();
  }

  VectorIndex vectorIndex(long indexId) {
    return indexes.get(indexId);
  }

  void released(Transaction txn) {
    snapshots.release(txn);
  }

  /** A fresh negative catalog version for a transaction's private catalog. */
  long privateCatalogVersion() {
    return -privateVersions.incrementAndGet();
  }

  static byte[] versionKey(long tableId, long addr) {
    byte[] k = new byte[16];
    KeyCodec.putLong(k, 0, tableId);
    KeyCodec.putLong(k, 8, addr);
    return k;
  }

  static byte[] endKey(long tableId, long addr) {
    byte[] k = new byte[17];
    KeyCodec.putLong(k, 0, tableId);
    KeyCodec.putLong(k, 8, addr);
    k[16] = 'e';
    return k;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
