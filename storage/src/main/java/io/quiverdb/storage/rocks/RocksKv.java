package io.quiverdb.storage.rocks;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.SstFileManager;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteOptions;

/**
 * The one RocksDB database of a data directory: owns every native handle (options, cache, column
 * families, the DB, write options) and the snapshots and cursors opened on it, and offers
 * byte-level reads and atomic batch writes without exposing RocksDB types.
 *
 * <p>Close order (reverse of creation): open cursors, then snapshots, then a WAL sync, then the
 * reused write batch, then the column family handles, then the DB, then write options, column family options, DB options, the
 * SST file manager, the bloom filter and the block cache. Callers must stop issuing operations before {@link #close};
 * the store guarantees that.
 */
public final class RocksKv implements AutoCloseable {
  private static final long BLOCK_CACHE_BYTES = 96L << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final Path path;
  private final LRUCache blockCache;
  private final BloomFilter bloomFilter;
  private final SstFileManager fileManager;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final WriteOptions syncWrite;
  private final WriteOptions asyncWrite;
  private final RocksDB db;
  private final ColumnFamilyHandle[] handles;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private boolean closed;
  /** The batch {@link #reusedBatch} hands out, once made. */
  private KvBatch reused;

  private RocksKv(
      Path path,
      LRUCache blockCache,
      BloomFilter bloomFilter,
      SstFileManager fileManager,
      DBOptions dbOptions,
      List<ColumnFamilyOptions> cfOptions,
      WriteOptions syncWrite,
      WriteOptions asyncWrite,
      RocksDB db,
      ColumnFamilyHandle[] handles) {
    this.path = path;
    this.blockCache = blockCache;
    this.bloomFilter = bloomFilter;
    this.fileManager = fileManager;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.syncWrite = syncWrite;
    this.asyncWrite = asyncWrite;
    this.db = db;
    this.handles = handles;
  }

  /**
   * Opens (creating if missing) the database in {@code dir} with the column families {@code
   * families} ({@link Family#META} is RocksDB's default family and always there); fails if another
   * opener holds it. Column families of earlier layouts that are not asked for are dropped (the
   * graph cache moved to a database of its own).
   */
  public static RocksKv open(Path dir, java.util.EnumSet<Family> families) {
    List<AutoCloseable> created = new ArrayList<>();
    try {
      LRUCache cache = track(created, new LRUCache(BLOCK_CACHE_BYTES));
      BloomFilter bloom = track(created, new BloomFilter(10));
      SstFileManager files = track(created, new SstFileManager(Env.getDefault()));
      DBOptions dbOpts =
          track(
              created,
              new DBOptions()
                  .setCreateIfMissing(true)
                  .setCreateMissingColumnFamilies(true)
                  .setMaxBackgroundJobs(4)
                  .setBytesPerSync(1L << 20)
                  .setKeepLogFileNum(5)
                  // compactions start only when the disk has room for their output, and a flush
                  // that ran out of space is retried once space returns
                  .setSstFileManager(files)
                  // reuse old WAL files: a sync that overwrites need not also journal a size change
                  .setRecycleLogFileNum(4)
                  // commits append to RocksDB's WAL buffer; syncWal() writes it out and syncs, so
                  // a group of commits costs one write and one fdatasync
                  .setManualWalFlush(true));
      List<ColumnFamilyOptions> cfOpts = new ArrayList<>();
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      List<Family> opened = new ArrayList<>();
      java.util.EnumSet<Family> wanted = java.util.EnumSet.copyOf(families);
      wanted.add(Family.META);
      for (Family f : wanted) {
        descriptors.add(new ColumnFamilyDescriptor(f.nameBytes(),
            track(created, familyOptions(f, cache, bloom, cfOpts))));
        opened.add(f);
      }
      List<byte[]> legacy = legacyFamilies(dir, dbOpts, wanted);
      for (byte[] name : legacy) {
        descriptors.add(new ColumnFamilyDescriptor(name,
            track(created, familyOptions(Family.META, cache, bloom, cfOpts))));
      }
      WriteOptions sync = track(created, new WriteOptions().setSync(true));
      WriteOptions async = track(created, new WriteOptions().setSync(false));
      List<ColumnFamilyHandle> handleList = new ArrayList<>();
      RocksDB db = RocksDB.open(dbOpts, dir.toString(), descriptors, handleList);
      ColumnFamilyHandle[] handles = new ColumnFamilyHandle[Family.values().length];
      for (int i = 0; i < opened.size(); i++) {
        handles[opened.get(i).ordinal()] = handleList.get(i);
      }
      for (int i = opened.size(); i < handleList.size(); i++) {
        db.dropColumnFamily(handleList.get(i));
        handleList.get(i).close();
      }
      return new RocksKv(dir, cache, bloom, files, dbOpts, List.copyOf(cfOpts), sync, async, db,
          handles);
    } catch (RocksDBException | RuntimeException e) {
      for (int i = created.size() - 1; i >= 0; i--) {
        try {
          created.get(i).close();
        } catch (Exception ignored) {
          // the open failure is what the caller needs to see
        }
      }
      throw error("could not open data directory \"" + dir + "\"", e);
    }
  }

  private static ColumnFamilyOptions familyOptions(Family f, LRUCache cache, BloomFilter bloom,
      List<ColumnFamilyOptions> all) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setFilterPolicy(bloom)
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    ColumnFamilyOptions o = new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionType(
            f == Family.ROWS ? CompressionType.LZ4_COMPRESSION : CompressionType.NO_COMPRESSION);
    all.add(o);
    return o;
  }

  /** Column families the database in {@code dir} has but this layout does not use. */
  private static List<byte[]> legacyFamilies(Path dir, DBOptions dbOpts,
      java.util.EnumSet<Family> wanted) throws RocksDBException {
    if (!java.nio.file.Files.exists(dir.resolve("CURRENT"))) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>();
    try (org.rocksdb.Options o = new org.rocksdb.Options(dbOpts, new ColumnFamilyOptions())) {
      for (byte[] name : RocksDB.listColumnFamilies(o, dir.toString())) {
        boolean known = false;
        for (Family f : wanted) {
          known |= java.util.Arrays.equals(f.nameBytes(), name);
        }
        if (!known) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /**
   * The error for a failed RocksDB call, classified: corruption is XX001 (its message names the
   * file), a full disk 53100, anything else an I/O error 58030.
   */
  static QuiverException error(String what, Exception e) {
    SqlState state = SqlState.IO_ERROR;
    if (e instanceof RocksDBException r && r.getStatus() != null) {
      org.rocksdb.Status st = r.getStatus();
      if (st.getCode() == org.rocksdb.Status.Code.Corruption) {
        state = SqlState.DATA_CORRUPTED;
      } else if (st.getSubCode() == org.rocksdb.Status.SubCode.NoSpace) {
        state = SqlState.DISK_FULL;
      }
    }
    if (state == SqlState.IO_ERROR && String.valueOf(e.getMessage()).contains("No space left")) {
      state = SqlState.DISK_FULL;
    }
    return new QuiverException(state, what + ": " + e.getMessage(), e);
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> list, T resource) {
    list.add(resource);
    return resource;
  }

  public Path path() {
    return path;
  }

  /** The latest value under {@code key}, or null. */
  public byte[] get(Family family, byte[] key) {
    try {
      return db.get(handle(family), key);
    } catch (RocksDBException e) {
      throw error("could not read from " + family.cfName() + " in " + path, e);
    }
  }

  /** A new snapshot of the current state; the caller closes it. */
  public KvSnapshot snapshot() {
    Snapshot s = db.getSnapshot();
    KvSnapshot snap = new KvSnapshot(this, s);
    open.add(snap);
    return snap;
  }

  /** A cursor over {@code [lower, upper)} of {@code family}, at {@code snapshot} if not null. */
  public KvCursor cursor(Family family, KvSnapshot snapshot, byte[] lower, byte[] upper) {
    KvCursor c = new KvCursor(this, family, snapshot, lower, upper);
    open.add(c);
    return c;
  }

  /** The greatest key in {@code [lower, upper)} as of now, or null when the range is empty. */
  public byte[] lastKey(Family family, byte[] lower, byte[] upper) {
    try (Slice lo = new Slice(lower);
        ReadOptions ro = new ReadOptions().setIterateLowerBound(lo);
        RocksIterator it = db.newIterator(handle(family), ro)) {
      it.seekForPrev(upper);
      while (it.isValid()) {
        byte[] k = it.key();
        if (java.util.Arrays.compareUnsigned(k, upper) < 0) {
          return k;
        }
        it.prev();
      }
      it.status();
      return null;
    } catch (RocksDBException e) {
      throw error("could not seek in " + path, e);
    }
  }

  /** Number of keys in {@code [lower, upper)} as of now (a full scan of the range). */
  public long countKeys(Family family, byte[] lower, byte[] upper) {
    try (Slice lo = new Slice(lower);
        Slice hi = new Slice(upper);
        ReadOptions ro =
            new ReadOptions()
                .setIterateLowerBound(lo)
                .setIterateUpperBound(hi)
                .setFillCache(false);
        RocksIterator it = db.newIterator(handle(family), ro)) {
      long n = 0;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
      it.status();
      return n;
    } catch (RocksDBException e) {
      throw error("could not count keys in " + path, e);
    }
  }

  /** A new empty batch; use it in try-with-resources and pass it to {@link #write}. */
  public KvBatch newBatch() {
    return new KvBatch(this, 0, false);
  }

  /**
   * The one batch kept for reuse (see {@link KvBatch}), empty, with room for about {@code
   * reservedBytes}; use it in try-with-resources. One user at a time: the store's commit lock.
   */
  public KvBatch reusedBatch(int reservedBytes) {
    if (reused == null) {
      reused = new KvBatch(this, reservedBytes, true);
      return reused;
    }
    return reused.reuse(reservedBytes);
  }

  /**
   * Applies {@code batch} atomically; with {@code sync} the WAL is fsynced before returning. A
   * failure is an {@code IO_ERROR} whose outcome is in doubt.
   */
  public void write(KvBatch batch, boolean sync, String what) {
    try {
      db.write(sync ? syncWrite : asyncWrite, batch.live());
    } catch (RocksDBException e) {
      throw error("could not write " + what + " to " + path, e);
    }
  }

  /** Receives key-value pairs in strictly increasing key order. */
  @FunctionalInterface
  public interface SortedSink {
    void put(byte[] key, byte[] value);
  }

  /**
   * Writes what {@code producer} puts, in increasing key order, into a table file and ingests it
   * into {@code family}: bulk data that bypasses the write-ahead log and is durable (the file
   * synced and recorded in the manifest) when this returns. Newer than what it overwrites.
   */
  public void ingestSorted(Family family, java.util.function.Consumer<SortedSink> producer,
      String what) {
    java.nio.file.Path file = path.resolve("ingest-" + System.nanoTime() + ".sst");
    try (org.rocksdb.EnvOptions env = new org.rocksdb.EnvOptions();
        org.rocksdb.Options options = new org.rocksdb.Options();
        org.rocksdb.SstFileWriter writer = new org.rocksdb.SstFileWriter(env, options)) {
      writer.open(file.toString());
      boolean[] any = new boolean[1];
      producer.accept((k, v) -> {
        try {
          writer.put(k, v);
          any[0] = true;
        } catch (RocksDBException e) {
          throw error("could not write " + what, e);
        }
      });
      if (!any[0]) {
        return;
      }
      writer.finish();
      try (org.rocksdb.IngestExternalFileOptions o =
          new org.rocksdb.IngestExternalFileOptions().setMoveFiles(true)) {
        db.ingestExternalFile(handle(family), List.of(file.toString()), o);
      }
    } catch (RocksDBException e) {
      throw error("could not write " + what + " to " + path, e);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(file);
      } catch (java.io.IOException ignored) {
        // a leftover file is harmless; the next ingest uses another name
      }
    }
  }

  /**
   * Writes out the write-ahead log buffer and fsyncs it: every batch written before is durable
   * when this returns.
   */
  public void syncWal() {
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw error("could not sync the write-ahead log of " + path, e);
    }
  }

  /**
   * Compacts {@code [lower, upper)} of {@code family} (flushing the memtable first), so that
   * deleted keys give their disk space back.
   */
  public void compactRange(Family family, byte[] lower, byte[] upper) {
    try {
      db.compactRange(handle(family), lower, upper);
    } catch (RocksDBException e) {
      throw error("could not compact " + path, e);
    }
  }

  /** Approximate bytes used by {@code [lower, upper)} of {@code family}: files and memtables. */
  public long approximateSize(Family family, byte[] lower, byte[] upper) {
    try (Slice lo = new Slice(lower);
        Slice hi = new Slice(upper)) {
      long[] sizes =
          db.getApproximateSizes(
              handle(family),
              List.of(new org.rocksdb.Range(lo, hi)),
              org.rocksdb.SizeApproximationFlag.INCLUDE_FILES,
              org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES);
      return sizes.length == 0 ? 0 : sizes[0];
    }
  }

  /** The table files that hold {@code family} now, newest first (for tests and tools). */
  public List<Path> tableFiles(Family family) {
    List<org.rocksdb.LiveFileMetaData> live = new ArrayList<>(db.getLiveFilesMetaData());
    live.removeIf(f -> !java.util.Arrays.equals(f.columnFamilyName(), family.nameBytes()));
    live.sort((a, b) -> Long.compare(b.largestSeqno(), a.largestSeqno()));
    List<Path> out = new ArrayList<>();
    for (org.rocksdb.LiveFileMetaData f : live) {
      out.add(Path.of(f.path(), f.fileName()));
    }
    return out;
  }

  /** Number of cursors and snapshots not yet closed. */
  public int openNativeCount() {
    return open.size();
  }

  RocksDB db() {
    return db;
  }

  ColumnFamilyHandle handle(Family family) {
    ColumnFamilyHandle h = handles[family.ordinal()];
    if (h == null) {
      throw new IllegalArgumentException(family.cfName() + " is not a column family of " + path);
    }
    return h;
  }

  void forget(AutoCloseable resource) {
    open.remove(resource);
  }

  void releaseSnapshot(KvSnapshot owner, Snapshot snapshot) {
    db.releaseSnapshot(snapshot);
    snapshot.close();
    open.remove(owner);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> leftovers = new ArrayList<>(open);
    for (AutoCloseable c : leftovers) {
      if (c instanceof KvCursor) {
        ((KvCursor) c).close();
      }
    }
    for (AutoCloseable c : leftovers) {
      if (c instanceof KvSnapshot) {
        ((KvSnapshot) c).close();
      }
    }
    try {
      db.flushWal(true);
    } catch (RocksDBException ignored) {
      // closing anyway; commits written with sync are already durable
    }
    if (reused != null) {
      reused.dispose();
    }
    for (int i = handles.length - 1; i >= 0; i--) {
      if (handles[i] != null) {
        handles[i].close();
      }
    }
    try {
      db.closeE();
    } catch (RocksDBException ignored) {
      // RocksJava disposes the handle even when closing reports an error
    }
    asyncWrite.close();
    syncWrite.close();
    for (int i = cfOptions.size() - 1; i >= 0; i--) {
      cfOptions.get(i).close();
    }
    dbOptions.close();
    fileManager.close();
    bloomFilter.close();
    blockCache.close();
  }
}
