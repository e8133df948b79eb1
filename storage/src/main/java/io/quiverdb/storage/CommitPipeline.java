package io.quiverdb.storage;

import io.quiverdb.common.InDoubtException;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.RocksKv;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commit path: under one commit lock, a commit is checked (conflicts, keys, free disk space),
 * gets the next commit timestamp (hybrid-logical: the wall clock in microseconds, or one more than
 * the last if the clock lags) and LSN, is applied in memory stamped with that timestamp (invisible:
 * it is newer than every snapshot), written as one unsynced WriteBatch (versions, end stamps,
 * change log, the last commit's LSN and timestamp) and queued for the {@link Committer}, which
 * syncs the write-ahead log once per group and then raises the visible timestamp.
 *
 * <p>A check that fails writes nothing and leaves memory as it was; a failure after the commit
 * was applied in memory leaves it in doubt and poisons the store.
 */
final class CommitPipeline implements AutoCloseable {
  static final byte[] LAST_COMMIT_KEY = Store.ascii("last_commit");

  private final Store store;
  private final RocksKv kv;
  private final ReentrantLock lock = new ReentrantLock();
  /** Writes new row versions into commit batches; guarded by the lock. */
  private final InsertWriter inserts = new InsertWriter();
  private final DiskGuard disk;
  private final Committer committer;
  private long lastTs;
  private long lastLsn;

  CommitPipeline(Store store, RocksKv kv, long lastLsn, long lastTs) {
    this.store = store;
    this.kv = kv;
    this.lastLsn = lastLsn;
    this.lastTs = lastTs;
    StorageConfig config = store.config();
    this.disk = new DiskGuard(store.dataDir(), config.diskReserveBytes());
    this.committer = new Committer(store, kv, config.syncWrites(), config.faults());
  }

  /** The lock that orders commits; compaction takes it too, to change segments. */
  ReentrantLock lock() {
    return lock;
  }

  Committer committer() {
    return committer;
  }

  long diskReserve() {
    return disk.reserve();
  }

  /**
   * Commits {@code txn}: checks and orders it now, and returns a future that completes when it is
   * durable and visible (or fails with an {@link InDoubtException}).
   */
  CompletableFuture<Void> commit(Transaction txn) {
    lock.lock();
    try {
      store.checkFailure();
      CatalogState current = store.catalog().state();
      CatalogState changed = txn.ddl.changes();
      if (changed != null && txn.ddl.base() != current) {
        throw new QuiverException(SqlState.SERIALIZATION_FAILURE,
            "could not serialize access due to concurrent DDL");
      }
      CatalogState after = changed == null ? current : changed.renumbered(current.version + 1);
      validate(txn, after);
      int reserved = InsertWriter.reserveFor(txn);
      disk.check(reserved + 4096L);
      try (KvBatch batch = kv.reusedBatch(reserved)) {
        long ts = Math.max(System.currentTimeMillis() * 1000, lastTs + 1);
        long lsn = lastLsn + 1;
        List<Long> newIndexes = apply(txn, current, after, changed != null, batch, ts, lsn);
        kv.write(batch, false, "a commit");
        lastTs = ts;
        lastLsn = lsn;
        CompletableFuture<Void> done = new CompletableFuture<>();
        committer.submit(new Committer.Job(ts, done));
        store.indexes().committed();
        return newIndexes.isEmpty() ? done : store.indexes().afterCreate(done, newIndexes);
      } catch (RuntimeException | Error e) {
        InDoubtException f = Committer.inDoubt(e);
        store.poison(f);
        throw f;
      }
    } finally {
      lock.unlock();
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
      TableData data = store.tableDataOrNull(def.id());
      if (data != null) {
        data.checkReadable();
      }
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
      for (TableDef t : txn.ddl.dropped()) {
        store.dropTableData(t.id());
      }
      for (TableDef t : txn.ddl.created()) {
        store.createTableData(t);
      }
    }
    byte[] tsBytes = Catalog.longBytes(ts);
    for (Map.Entry<Long, Transaction.Writes> e : txn.writesByTable().entrySet()) {
      TableDef def = after.tableById(e.getKey()).orElseThrow();
      TableData data = store.tableDataOrNull(def.id());
      Transaction.Writes w = e.getValue();
      change = end(txn, def, data, w, batch, ts, tsBytes, lsn, change);
      change = append(txn, def, data, w, batch, ts, lsn, change);
    }
    byte[] last = ByteBuffer.allocate(16).putLong(lsn).putLong(ts).array();
    batch.put(Family.META, LAST_COMMIT_KEY, last);
    if (ddl) {
      store.catalog().install(after);
      return store.indexes().sync(after);
    }
    return List.of();
  }

  /** Stamps the versions {@code w} ends; logs deletes (updates are logged with their new row). */
  private static int end(Transaction txn, TableDef def, TableData data, Transaction.Writes w,
      KvBatch batch, long ts, byte[] tsBytes, long lsn, int change) {
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
      batch.put(Family.ROWS, Store.endKey(def.id(), addr), tsBytes);
      if (!replaced.contains(addr)) {
        batch.put(Family.LOG, ChangeRecord.key(lsn, change++), ChangeRecord.value(
            ts, def.id(), 'd', RowCodec.encode(def.columns(), old), null));
      }
    }
    return change;
  }

  /** Appends the new versions of {@code w}: inserts as insert runs, updates with both images. */
  private int append(Transaction txn, TableDef def, TableData data, Transaction.Writes w,
      KvBatch batch, long ts, long lsn, int change) {
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
      if (Segment.offsetOf(addr) == 0 && Segment.segmentOf(addr) > 0) {
        store.config().faults().reach("segment.seal");
      }
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
      batch.put(Family.ROWS, Store.versionKey(def.id(), addr), value);
      Segment old = data.segment(Segment.segmentOf(p.replaces));
      byte[] before =
          RowCodec.encode(def.columns(), old.slots().rows[Segment.offsetOf(p.replaces)]);
      batch.put(Family.LOG, ChangeRecord.key(lsn, change++), ChangeRecord.value(
          ts, def.id(), 'u', before, encoded));
    }
    inserts.endRun();
    return change;
  }

  long[] counts() {
    return committer.counts();
  }

  /** Lets the committer finish the queued commits (failing what it cannot), then stops it. */
  @Override
  public void close() {
    committer.close();
  }
}
