package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.KvSnapshot;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One open data directory: the catalog, read views and write transactions over a RocksDB database
 * with the column families {@code default} (format version), {@code catalog} and {@code rows}.
 *
 * <p>Thread safety: all methods may be called from any thread. Every operation holds the read side
 * of a lifecycle lock; {@link #close} takes the write side once to refuse new work, then waits for
 * nothing else. Commits and DDL are serialised by one commit lock.
 *
 * <p>Close order: (1) refuse new operations and wait for running ones to leave, (2) close open row
 * cursors, (3) read views (releasing their snapshots), (4) write transactions (abandoning their
 * writes), (5) the RocksDB database with its column family handles and options (see {@link
 * RocksKv}).
 */
public final class Store implements AutoCloseable {
  /** The on-disk format this build reads and writes, kept under {@code "format"} in default. */
  static final int FORMAT_VERSION = 1;

  private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);

  private final Path dataDir;
  private final StorageConfig config;
  private final RocksKv kv;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Set<AutoCloseable> resources = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Long, AtomicLong> rowIds = new ConcurrentHashMap<>();
  /** Row counts per table id; created and changed only under the commit lock. */
  private final ConcurrentHashMap<Long, AtomicLong> rowCounts = new ConcurrentHashMap<>();
  private final Object closeMonitor = new Object();
  private final Catalog catalog;
  private boolean closed;

  private Store(Path dataDir, StorageConfig config, RocksKv kv) {
    this.dataDir = dataDir;
    this.config = config;
    this.kv = kv;
    this.catalog = Catalog.load(this, kv);
  }

  /**
   * Opens the store in {@code dataDir}, creating the directory and an empty store if missing.
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
    int v = format.length == 4 ? java.nio.ByteBuffer.wrap(format).getInt() : -1;
    if (v != FORMAT_VERSION) {
      throw new QuiverException(
          SqlState.DATA_CORRUPTED,
          "data directory \""
              + kv.path()
              + "\" has storage format "
              + v
              + " but this build reads format "
              + FORMAT_VERSION);
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

  /** A consistent snapshot of the committed rows for one statement; the caller closes it. */
  public ReadView readView() {
    enter();
    try {
      KvSnapshot snapshot = kv.snapshot();
      SnapshotView view = new SnapshotView(this, snapshot);
      resources.add(view);
      return view;
    } finally {
      exit();
    }
  }

  /** A new write transaction; nothing is visible to others until {@link WriteTxn#commit}. */
  public WriteTxn beginWrite() {
    enter();
    try {
      WriteTxn txn = new WriteTxn(this);
      resources.add(txn);
      return txn;
    } finally {
      exit();
    }
  }

  /**
   * The table's committed row count, kept in memory: counted once per table after open (a scan),
   * then adjusted by each commit. Exact unless a commit failed in doubt.
   */
  public long estimatedRowCount(TableDef table) {
    AtomicLong count = rowCounts.get(table.id());
    if (count != null) {
      return count.get();
    }
    enter();
    try {
      commitLock.lock();
      try {
        count = rowCounts.get(table.id());
        if (count == null) {
          if (catalog.tableById(table.id()).isEmpty()) {
            return 0;
          }
          long n =
              kv.countKeys(
                  Family.ROWS, KeyCodec.tablePrefix(table.id()), KeyCodec.tableEnd(table.id()));
          count = new AtomicLong(n);
          rowCounts.put(table.id(), count);
        }
        return count.get();
      } finally {
        commitLock.unlock();
      }
    } finally {
      exit();
    }
  }

  /** Number of open read views, row cursors and write transactions. */
  public int openResourceCount() {
    return resources.size();
  }

  @Override
  public void close() {
    synchronized (closeMonitor) {
      lifecycle.writeLock().lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
      } finally {
        lifecycle.writeLock().unlock();
      }
      List<AutoCloseable> open = new ArrayList<>(resources);
      for (AutoCloseable r : open) {
        if (r instanceof TableCursor) {
          ((TableCursor) r).close();
        }
      }
      for (AutoCloseable r : open) {
        if (r instanceof SnapshotView) {
          ((SnapshotView) r).close();
        }
      }
      for (AutoCloseable r : open) {
        if (r instanceof WriteTxn) {
          ((WriteTxn) r).close();
        }
      }
      kv.close();
    }
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

  RocksKv kv() {
    return kv;
  }

  ReentrantLock commitLock() {
    return commitLock;
  }

  void register(AutoCloseable resource) {
    resources.add(resource);
  }

  void deregister(AutoCloseable resource) {
    resources.remove(resource);
  }

  /** Whether a committed row exists under {@code key} (latest state, not a snapshot). */
  boolean exists(byte[] key) {
    enter();
    try {
      return kv.get(Family.ROWS, key) != null;
    } finally {
      exit();
    }
  }

  /** Allocates a hidden row id for a table without primary key; ids only grow. */
  long nextRowId(TableDef table) {
    enter();
    try {
      AtomicLong last =
          rowIds.computeIfAbsent(
              table.id(),
              id -> {
                byte[] k =
                    kv.lastKey(Family.ROWS, KeyCodec.tablePrefix(id), KeyCodec.tableEnd(id));
                return new AtomicLong(k == null ? 0 : KeyCodec.rowIdOf(k));
              });
      return last.incrementAndGet();
    } finally {
      exit();
    }
  }

  /** The in-memory row counter of a table, or null when not counted yet; under the commit lock. */
  AtomicLong rowCounter(long tableId) {
    return rowCounts.get(tableId);
  }

  /** Drops the per-table caches of a dropped table; under the commit lock. */
  void forgetTable(long tableId) {
    rowIds.remove(tableId);
    rowCounts.remove(tableId);
  }
}
