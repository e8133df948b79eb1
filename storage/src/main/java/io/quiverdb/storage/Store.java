package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.KvCursor;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open data directory: the catalog and the MVCC row store over a RocksDB database with the
 * column families {@code default} (format version, last commit), {@code catalog}, {@code rows} and
 * {@code changelog}.
 *
 * <p>Rows live in memory in per-table {@link Segment}s, recovered from RocksDB at open; RocksDB is
 * the durable form. A commit, under one commit lock, checks conflicts, takes the next commit
 * timestamp (hybrid-logical: the wall clock in microseconds, or one more than the last if the
 * clock lags) and LSN, applies its versions in memory stamped with that timestamp (invisible: it
 * is newer than every snapshot), writes one unsynced WriteBatch (versions, end stamps, change
 * log, the last commit's LSN and timestamp) and queues for the {@link Committer}, which syncs the
 * write-ahead log once per group and then raises the visible timestamp new snapshots read at.
 *
 * <p>Close order: (1) refuse new operations and wait for running ones to leave, (2) stop the
 * compactor, (3) let the committer finish queued commits, (4) close RocksDB (see {@link RocksKv}).
 */
public final class Store implements AutoCloseable {
  /** The on-disk format this build reads and writes, kept under {@code "format"} in default. */
  static final int FORMAT_VERSION = 2;

  private static final Logger LOG = Logger.getLogger(Store.class.getName());
  private static final byte[] FORMAT_KEY = ascii("format");
  private static final byte[] LAST_COMMIT_KEY = ascii("last_commit");

  private final Path dataDir;
  private final StorageConfig config;
  private final RocksKv kv;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock commitLock = new ReentrantLock();
  /** Writes new row versions into commit batches; guarded by the commit lock. */
  private final InsertWriter inserts = new InsertWriter();
  private final ConcurrentHashMap<Long, TableData> tables = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Transaction, Long> open = new ConcurrentHashMap<>();
  private final AtomicLong privateVersions = new AtomicLong();
  private final Catalog catalog;
  private final ConcurrentHashMap<Long, VectorIndex> vectorIndexes = new ConcurrentHashMap<>();
  private final SegmentGraphCodec graphCodec;
  private final Indexer indexer;
  private final Committer committer;
  private final Thread compactor;
  private long lastTs;
  private long lastLsn;
  private volatile long visibleTs;
  private volatile RuntimeException failure;
  private boolean closed;

  private Store(Path dataDir, StorageConfig config, RocksKv kv) {
    this.dataDir = dataDir;
    this.config = config;
    this.kv = kv;
    this.catalog = Catalog.load(this, kv);
    byte[] last = kv.get(Family.META, LAST_COMMIT_KEY);
    if (last != null) {
      ByteBuffer b = ByteBuffer.wrap(last);
      lastLsn = b.getLong();
      lastTs = b.getLong();
    }
    for (TableDef t : catalog.tables()) {
      tables.put(t.id(), recover(t));
    }
    visibleTs = lastTs;
    this.graphCodec = new SegmentGraphCodec(kv);
    loadIndexes();
    this.indexer = new Indexer(this, graphCodec);
    indexer.wake();
    this.committer = new Committer(this, kv, config.syncWrites());
    if (config.compactionIntervalMillis() > 0) {
      compactor = new Thread(this::compactLoop, "quiver-compactor");
      compactor.setDaemon(true);
      compactor.start();
    } else {
      compactor = null;
    }
  }

  /**
   * Opens the store in {@code dataDir}, creating the directory and an empty store if missing, and
   * recovers the rows of every table.
   *
   * @throws QuiverException IO_ERROR naming the path when it cannot be opened, e.g. because another
   *     store has it open
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
    RocksKv kv = RocksKv.open(dir);
    try {
      checkFormat(kv);
      return new Store(dir, config, kv);
    } catch (RuntimeException e) {
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

  /** Loads a table's versions in address order, rebuilding segments and the key index. */
  private TableData recover(TableDef t) {
    TableData data = new TableData(t.id(), t.hasPrimaryKey(), config.segmentRows());
    ValueKind[] kinds = ValueKind.of(t.columns());
    long lastAddr = -1;
    ByteKey lastKey = null;
    try (KvCursor c =
        kv.cursor(Family.ROWS, null, KeyCodec.tablePrefix(t.id()), KeyCodec.tableEnd(t.id()))) {
      while (c.next()) {
        byte[] key = c.key();
        byte[] value = c.value();
        long addr = KeyCodec.getLong(key, 8);
        int seg = Segment.segmentOf(addr);
        int off = Segment.offsetOf(addr);
        if (key.length == 17) {
          if (addr != lastAddr) {
            throw corrupt(t, addr);
          }
          data.segment(seg).end(off, KeyCodec.getLong(value, 0));
          data.addLive(-1);
          continue;
        }
        byte[] rowBytes = new byte[value.length - 8];
        System.arraycopy(value, 8, rowBytes, 0, rowBytes.length);
        Object[] row = RowCodec.decode(kinds, rowBytes);
        long prev = -1;
        lastKey = null;
        if (t.hasPrimaryKey()) {
          lastKey = new ByteKey(KeyCodec.primaryKeyOfRow(t, row));
          Long p = data.newest.get(lastKey);
          prev = p == null ? -1 : p;
          data.newest.put(lastKey, addr);
        }
        data.load(seg, off, row, KeyCodec.getLong(value, 0), Segment.LIVE, prev);
        data.addLive(1);
        lastAddr = addr;
      }
    }
    data.finishLoad();
    return data;
  }

  /** Creates the runtime of every index and loads the graphs persisted for it. */
  private void loadIndexes() {
    long nodes = 0;
    long started = System.nanoTime();
    for (TableDef t : catalog.tables()) {
      for (IndexDef x : t.indexes()) {
        VectorIndex index = newVectorIndex(t, x);
        TableData data = tables.get(t.id());
        for (Segment seg : data.segments()) {
          VectorIndex.SegmentGraph g = graphCodec.read(index, seg.id);
          if (g != null) {
            index.install(g);
            nodes += g.graph.size();
          }
        }
        vectorIndexes.put(x.id(), index);
      }
    }
    if (!vectorIndexes.isEmpty()) {
      LOG.info(String.format("loaded %d vector indexes (%d graph nodes) in %d ms",
          vectorIndexes.size(), nodes, (System.nanoTime() - started) / 1_000_000));
    }
  }

  private static VectorIndex newVectorIndex(TableDef t, IndexDef x) {
    return new VectorIndex(x, t.id(), t.columns().get(x.column()).type().modifier());
  }

  /**
   * Matches the index runtimes to a newly installed catalog (under the commit lock): creates the
   * new indexes, forgets dropped ones. Returns the ids of the new ones.
   */
  private List<Long> syncIndexes(CatalogState after) {
    List<Long> created = new ArrayList<>();
    Set<Long> live = new HashSet<>();
    for (TableDef t : after.tables()) {
      for (IndexDef x : t.indexes()) {
        live.add(x.id());
        if (!vectorIndexes.containsKey(x.id())) {
          vectorIndexes.put(x.id(), newVectorIndex(t, x));
          created.add(x.id());
        }
      }
    }
    vectorIndexes.keySet().retainAll(live);
    return created;
  }

  java.util.Collection<VectorIndex> vectorIndexes() {
    return vectorIndexes.values();
  }

  VectorIndex vectorIndex(long indexId) {
    return vectorIndexes.get(indexId);
  }

  /** A vector index build in progress, as {@code pg_stat_progress_create_index} shows it. */
  public record IndexBuild(long tableId, long indexId, String phase, long tuplesTotal,
      long tuplesDone) {}

  /** The vector index builds running now. */
  public List<IndexBuild> indexBuilds() {
    List<IndexBuild> out = new ArrayList<>();
    for (Indexer.Progress p : indexer.progress()) {
      out.add(new IndexBuild(p.tableId(), p.indexId(), p.phase(), p.total(), p.done().get()));
    }
    return out;
  }

  /**
   * An index's graph nodes, the bytes they hold in memory, and how many of the nodes this
   * process inserted rather than loaded; null when there is no such index.
   */
  public long[] indexSize(long indexId) {
    VectorIndex x = vectorIndexes.get(indexId);
    return x == null ? null : new long[] {x.nodes(), x.bytes(), x.inserted.get()};
  }

  private static QuiverException corrupt(TableDef t, long addr) {
    return new QuiverException(SqlState.DATA_CORRUPTED, "end stamp without a row version at "
        + Segment.segmentOf(addr) + "/" + Segment.offsetOf(addr) + " in " + t.qualifiedName());
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
      Transaction txn = new Transaction(this, visibleTs);
      open.put(txn, txn.snapshotTs());
      return txn;
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
    return open.size();
  }

  /** Group commit counters: {syncs, commits} since open. */
  public long[] commitCounts() {
    return committer.counts();
  }

  // ---------------------------------------------------------------- commit

  CompletableFuture<Void> commit(Transaction txn) {
    enter();
    try {
      commitLock.lock();
      try {
        checkFailure();
        CatalogState current = catalog.state();
        CatalogState changed = txn.catalogChanges();
        if (changed != null && txn.catalogBase() != current) {
          throw new QuiverException(SqlState.SERIALIZATION_FAILURE,
              "could not serialize access due to concurrent DDL");
        }
        CatalogState after = changed == null ? current : changed.renumbered(current.version + 1);
        validate(txn, after);
        try (KvBatch batch = kv.reusedBatch(InsertWriter.reserveFor(txn))) {
          long ts = Math.max(System.currentTimeMillis() * 1000, lastTs + 1);
          long lsn = lastLsn + 1;
          List<Long> newIndexes = apply(txn, current, after, changed != null, batch, ts, lsn);
          kv.write(batch, false, "a commit");
          lastTs = ts;
          lastLsn = lsn;
          CompletableFuture<Void> done = new CompletableFuture<>();
          committer.submit(new Committer.Job(ts, done));
          if (!vectorIndexes.isEmpty()) {
            indexer.wake();
          }
          if (newIndexes.isEmpty()) {
            return done;
          }
          // CREATE INDEX returns once the index covers the table's rows and is persisted
          CompletableFuture<?>[] builds = newIndexes.stream().map(indexer::awaitBuilt)
              .toArray(CompletableFuture[]::new);
          return done.thenCompose(v -> CompletableFuture.allOf(builds));
        } catch (RuntimeException | Error e) {
          QuiverException f = new io.quiverdb.common.InDoubtException(
              "could not apply a commit: " + e.getMessage()
                  + "; it may or may not have been committed, and the server must be restarted", e);
          poison(f);
          throw f;
        }
      } finally {
        commitLock.unlock();
      }
    } finally {
      exit();
    }
  }

  /** The checks of a commit that write nothing when they fail. */
  private void validate(Transaction txn, CatalogState after) {
    for (Map.Entry<Long, Transaction.Writes> e : txn.writesByTable().entrySet()) {
      TableDef def = after.tableById(e.getKey()).orElse(null);
      Transaction.Writes w = e.getValue();
      if (def == null) {
        String name = w.rows.isEmpty() ? "" : txn.inserts.get(w.rows.get(0)).table.name();
        throw new QuiverException(SqlState.UNDEFINED_TABLE,
            "relation \"" + name + "\" does not exist");
      }
      TableData data = tables.get(def.id());
      for (long addr : w.ended) {
        Segment seg = data == null ? null : data.segment(Segment.segmentOf(addr));
        if (seg == null || seg.slots().end[Segment.offsetOf(addr)] != Segment.LIVE) {
          throw Transaction.serializationFailure();
        }
      }
      if (!def.hasPrimaryKey() || data == null) {
        continue;
      }
      for (int i : w.rows) {
        Transaction.Pending p = txn.inserts.get(i);
        if (p.dead) {
          continue;
        }
        Long newest = data.newest.get(p.pk);
        if (newest != null && !w.ended.contains(newest)) {
          Segment.Slots s = data.segment(Segment.segmentOf(newest)).slots();
          if (s.end[Segment.offsetOf(newest)] == Segment.LIVE) {
            throw Transaction.duplicate(def, p.row);
          }
        }
      }
    }
  }

  /**
   * Applies a validated commit in memory and adds its writes to {@code batch}; returns the ids of
   * the vector indexes it created.
   */
  private List<Long> apply(Transaction txn, CatalogState current, CatalogState after, boolean ddl,
      KvBatch batch, long ts, long lsn) {
    int change = 0;
    if (ddl) {
      Catalog.writeChanges(batch, current, after);
      for (TableDef t : txn.dropped) {
        tables.remove(t.id());
      }
      for (TableDef t : txn.created) {
        tables.put(t.id(), new TableData(t.id(), t.hasPrimaryKey(), config.segmentRows()));
      }
    }
    byte[] tsBytes = Catalog.longBytes(ts);
    for (Map.Entry<Long, Transaction.Writes> e : txn.writesByTable().entrySet()) {
      TableDef def = after.tableById(e.getKey()).orElseThrow();
      TableData data = tables.get(def.id());
      Transaction.Writes w = e.getValue();
      Set<Long> replaced = new HashSet<>();
      for (int i : w.rows) {
        Transaction.Pending p = txn.inserts.get(i);
        if (!p.dead && p.replaces >= 0) {
          replaced.add(p.replaces);
        }
      }
      for (long addr : w.ended) {
        Segment seg = data.segment(Segment.segmentOf(addr));
        int off = Segment.offsetOf(addr);
        Object[] old = seg.slots().rows[off];
        seg.end(off, ts);
        data.addLive(-1);
        batch.put(Family.ROWS, endKey(def.id(), addr), tsBytes);
        if (!replaced.contains(addr)) {
          batch.put(Family.LOG, ChangeRecord.key(lsn, change++), ChangeRecord.value(
              ts, def.id(), 'd', RowCodec.encode(def.columns(), old), null));
        }
      }
      inserts.begin(batch, def, ts, lsn);
      if (def.hasPrimaryKey()) {
        data.reserveKeys(w.rows.size());
      }
      for (int i : w.rows) {
        Transaction.Pending p = txn.inserts.get(i);
        if (p.dead) {
          continue;
        }
        long prev = -1;
        if (p.pk != null) {
          Long n = data.newest.get(p.pk);
          prev = n == null ? -1 : n;
        }
        long addr = data.append(p.row, ts, Segment.LIVE, prev);
        if (p.pk != null) {
          data.newest.put(p.pk, addr);
        }
        data.addLive(1);
        if (p.replaces < 0) {
          change = inserts.insert(addr, p.row, change);
          continue;
        }
        inserts.endRun();
        byte[] encoded = RowCodec.encode(def.columns(), p.row);
        byte[] value = new byte[8 + encoded.length];
        KeyCodec.putLong(value, 0, ts);
        System.arraycopy(encoded, 0, value, 8, encoded.length);
        batch.put(Family.ROWS, versionKey(def.id(), addr), value);
        Segment old = data.segment(Segment.segmentOf(p.replaces));
        byte[] before =
            RowCodec.encode(def.columns(), old.slots().rows[Segment.offsetOf(p.replaces)]);
        batch.put(Family.LOG, ChangeRecord.key(lsn, change++), ChangeRecord.value(
            ts, def.id(), 'u', before, encoded));
      }
      inserts.endRun();
    }
    byte[] last = ByteBuffer.allocate(16).putLong(lsn).putLong(ts).array();
    batch.put(Family.META, LAST_COMMIT_KEY, last);
    if (ddl) {
      catalog.install(after);
      return syncIndexes(after);
    }
    return List.of();
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

  private void checkFailure() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  // ---------------------------------------------------------------- change log

  /** Up to {@code limit} changes with LSN at least {@code fromLsn}, in order. */
  public List<ChangeRecord> changes(long fromLsn, int limit) {
    enter();
    try {
      List<ChangeRecord> out = new ArrayList<>();
      try (KvCursor c = kv.cursor(Family.LOG, null, ChangeRecord.key(Math.max(0, fromLsn), 0),
          ChangeRecord.key(Long.MAX_VALUE, 0))) {
        while (out.size() < limit && c.next()) {
          byte[] value = c.value();
          if (ChangeRecord.isRun(value)) {
            expand(ChangeRecord.decodeRun(c.key(), value), out, limit);
          } else {
            out.add(ChangeRecord.decode(c.key(), value));
          }
        }
      }
      return out;
    } finally {
      exit();
    }
  }

  /**
   * Adds the {@code c} changes an insert run stands for, each with its version's stored row as
   * the after-image (null when the version is gone: its table was dropped, or compaction dropped
   * it, which happens only past the retention window).
   */
  private void expand(ChangeRecord.InsertRun run, List<ChangeRecord> out, int limit) {
    for (int i = 0; i < run.count() && out.size() < limit; i++) {
      byte[] stored = kv.get(Family.ROWS,
          versionKey(run.tableId(), Segment.address(run.segment(), run.firstOffset() + i)));
      byte[] after = stored == null ? null : java.util.Arrays.copyOfRange(stored, 8, stored.length);
      out.add(new ChangeRecord(run.lsn(), run.index() + i, run.commitTs(), run.tableId(), 'c',
          null, after));
    }
  }

  // ---------------------------------------------------------------- compaction

  /** What one compaction pass dropped. */
  public record CompactionResult(long horizonTs, long versionsDropped, long changesDropped) {}

  /**
   * Drops the row versions and change log entries that ended before the horizon: the retention
   * window's start, and no later than the oldest open snapshot. Then compacts the affected key
   * ranges so the disk space comes back. Runs in the background; callable directly.
   */
  public CompactionResult compact() {
    enter();
    try {
      long horizon = Math.min(visibleTs,
          System.currentTimeMillis() * 1000 - config.retentionMicros());
      for (long s : open.values()) {
        horizon = Math.min(horizon, s);
      }
      long dropped = 0;
      for (TableData data : tables.values()) {
        dropped += compact(data, horizon);
      }
      long changes = compactLog(horizon);
      return new CompactionResult(horizon, dropped, changes);
    } finally {
      exit();
    }
  }

  private long compact(TableData data, long horizon) {
    TableDef def = catalog.state().tableById(data.tableId).orElse(null);
    if (def == null) {
      return 0;
    }
    long dropped = 0;
    try (KvBatch batch = kv.newBatch()) {
      commitLock.lock();
      try {
        for (Segment seg : data.segments()) {
          if (seg.endedCount() == seg.purgedCount()) {
            continue;
          }
          Segment.Slots s = seg.slots();
          int n = seg.size();
          for (int off = 0; off < n; off++) {
            Object[] row = s.rows[off];
            if (row == null || s.end[off] > horizon) {
              continue;
            }
            long addr = Segment.address(seg.id, off);
            if (def.hasPrimaryKey()) {
              ByteKey key = new ByteKey(KeyCodec.primaryKeyOfRow(def, row));
              data.newest.remove(key, addr);
            }
            batch.delete(Family.ROWS, versionKey(def.id(), addr));
            batch.delete(Family.ROWS, endKey(def.id(), addr));
            seg.purge(off);
            dropped++;
          }
        }
      } finally {
        commitLock.unlock();
      }
      if (dropped > 0) {
        // not synced: a purge lost in a crash is simply done again after recovery
        kv.write(batch, false, "a compaction of " + def.qualifiedName());
      }
    }
    if (dropped > 0) {
      kv.compactRange(Family.ROWS, KeyCodec.tablePrefix(def.id()), KeyCodec.tableEnd(def.id()));
    }
    return dropped;
  }

  private long compactLog(long horizon) {
    byte[] firstKept = null;
    long n = 0;
    byte[] lower = ChangeRecord.key(0, 0);
    try (KvCursor c = kv.cursor(Family.LOG, null, lower, ChangeRecord.key(Long.MAX_VALUE, 0))) {
      while (c.next()) {
        if (ChangeRecord.commitTsOf(c.value()) > horizon) {
          firstKept = c.key();
          break;
        }
        n++;
      }
    }
    if (n > 0) {
      try (KvBatch b = kv.newBatch()) {
        b.deleteRange(Family.LOG, lower,
            firstKept != null ? firstKept : ChangeRecord.key(Long.MAX_VALUE, 0));
        kv.write(b, false, "a change log compaction");
      }
    }
    return n;
  }

  private void compactLoop() {
    while (true) {
      try {
        Thread.sleep(config.compactionIntervalMillis());
        compact();
      } catch (InterruptedException e) {
        return;
      } catch (QuiverException e) {
        if (e.state() == SqlState.ADMIN_SHUTDOWN) {
          return;
        }
        LOG.log(Level.WARNING, "compaction failed", e);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "compaction failed", e);
      }
    }
  }

  /** Per segment of every table: versions, live, dead, reclaimed and bytes on disk. */
  public List<SegmentStats> segmentStats() {
    enter();
    try {
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
    } finally {
      exit();
    }
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
    if (compactor != null) {
      compactor.interrupt();
      try {
        compactor.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    indexer.close();
    committer.close();
    open.clear();
    kv.close();
  }

  /**
   * Enters an operation: takes the lifecycle read lock; pair with {@link #exit()} in a finally.
   *
   * @throws QuiverException ADMIN_SHUTDOWN once the store is closing; the in-doubt error after a
   *     failed commit
   */
  void enter() {
    lifecycle.readLock().lock();
    if (closed) {
      lifecycle.readLock().unlock();
      throw new QuiverException(SqlState.ADMIN_SHUTDOWN, "the storage engine is shut down");
    }
    RuntimeException f = failure;
    if (f != null) {
      lifecycle.readLock().unlock();
      throw f;
    }
  }

  /** Leaves an operation begun with {@link #enter()}. */
  void exit() {
    lifecycle.readLock().unlock();
  }

  TableData tableData(long tableId) {
    return tables.get(tableId);
  }

  void released(Transaction txn) {
    open.remove(txn);
  }

  /** A fresh negative catalog version for a transaction's private catalog. */
  long privateCatalogVersion() {
    return -privateVersions.incrementAndGet();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
