package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The vector indexes of the open store: their runtimes (a graph per segment), the persisted graphs
 * in a RocksDB database of their own under {@code <data>/graphs}, and the {@link Indexer} that
 * keeps them up with the rows.
 *
 * <p>The graphs are a cache of what the rows determine, so they live apart from the rows: a
 * damaged graph file (a flipped bit, a torn file) can never stop the row database from opening or
 * compacting. A graph database that cannot be opened or read is deleted and the graphs are rebuilt
 * from the rows, and the log says so.
 */
final class IndexRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IndexRegistry.class.getName());

  private final Store store;
  private final Path dir;
  private final ConcurrentHashMap<Long, VectorIndex> indexes = new ConcurrentHashMap<>();
  /** Indexes dropped since the indexer last deleted their graphs. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Long> dropped =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile RocksKv graphKv;
  private volatile SegmentGraphCodec codec;
  private Indexer indexer;

  IndexRegistry(Store store) {
    this.store = store;
    this.dir = store.dataDir().resolve("graphs");
    openGraphs();
  }

  /** Creates the runtime of every index, loads the persisted graphs, and starts the indexer. */
  void loadAndStart(CatalogState catalog) {
    long started = System.nanoTime();
    long nodes;
    try {
      nodes = load(catalog);
    } catch (QuiverException e) {
      if (e.state() != SqlState.DATA_CORRUPTED && e.state() != SqlState.INDEX_CORRUPTED
          && e.state() != SqlState.IO_ERROR) {
        throw e;
      }
      wipe("the persisted vector index graphs could not be read (" + e.getMessage() + ")");
      indexes.clear();
      nodes = load(catalog);
    }
    deleteOrphans();
    if (!indexes.isEmpty()) {
      LOG.info(String.format("loaded %d vector indexes (%d graph nodes) in %d ms",
          indexes.size(), nodes, (System.nanoTime() - started) / 1_000_000));
    }
    indexer = new Indexer(store, this);
    indexer.wake();
  }

  private long load(CatalogState catalog) {
    long nodes = 0;
    for (TableDef t : catalog.tables()) {
      for (IndexDef x : t.indexes()) {
        VectorIndex index = newIndex(t, x);
        TableData data = store.tableDataOrNull(t.id());
        for (Segment seg : data == null || data.isCorrupted() ? new Segment[0]
            : data.segments()) {
          VectorIndex.SegmentGraph g = codec.read(index, seg.id, seg.size());
          if (g != null) {
            index.install(g);
            nodes += g.graph.size();
          }
        }
        indexes.put(x.id(), index);
      }
    }
    return nodes;
  }

  private void openGraphs() {
    try {
      graphKv = RocksKv.open(dir, EnumSet.of(Family.INDEX));
    } catch (QuiverException e) {
      LOG.log(Level.WARNING, "the vector index graphs under " + dir + " cannot be opened ("
          + e.getMessage() + "); deleting them, the indexes are rebuilt from the rows", e);
      deleteDir();
      graphKv = RocksKv.open(dir, EnumSet.of(Family.INDEX));
    }
    codec = new SegmentGraphCodec(graphKv, store.config().faults());
  }

  /**
   * Deletes every persisted graph (unreadable: {@code why}) and starts an empty graph database;
   * the indexes are rebuilt from the rows. Called at load, or by the indexer thread, the only
   * user of the graph database while the store runs.
   */
  void wipe(String why) {
    LOG.warning(why + "; deleting the persisted graphs under " + dir
        + " and rebuilding the vector indexes from the rows");
    graphKv.close();
    deleteDir();
    openGraphs();
    for (VectorIndex index : indexes.values()) {
      for (VectorIndex.SegmentGraph g : index.graphs()) {
        if (g != null) {
          g.persisted = 0;
        }
      }
    }
  }

  private void deleteDir() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new QuiverException(SqlState.IO_ERROR, "could not delete " + dir + ": " + e, e);
    }
  }

  SegmentGraphCodec codec() {
    return codec;
  }

  private static VectorIndex newIndex(TableDef t, IndexDef x) {
    return new VectorIndex(x, t.id(), t.columns().get(x.column()).type().modifier());
  }

  /**
   * Matches the index runtimes to a newly installed catalog (under the commit lock): creates the
   * new indexes, forgets dropped ones. Returns the ids of the new ones.
   */
  List<Long> sync(CatalogState after) {
    List<Long> created = new ArrayList<>();
    Set<Long> live = new HashSet<>();
    for (TableDef t : after.tables()) {
      for (IndexDef x : t.indexes()) {
        live.add(x.id());
        if (!indexes.containsKey(x.id())) {
          indexes.put(x.id(), newIndex(t, x));
          created.add(x.id());
        }
      }
    }
    for (Long id : indexes.keySet()) {
      if (!live.contains(id)) {
        indexes.remove(id);
        dropped.add(id);
      }
    }
    return created;
  }

  /** Deletes the persisted graphs of indexes dropped since the last call (indexer thread). */
  void deleteDropped() {
    Long id;
    while ((id = dropped.poll()) != null) {
      deleteGraphs(id);
    }
  }

  /** Deletes persisted graphs of indexes the catalog no longer has (a drop before a crash). */
  private void deleteOrphans() {
    byte[] from = new byte[8];
    byte[] end = new byte[9];
    java.util.Arrays.fill(end, (byte) 0xFF);
    while (true) {
      byte[] key;
      try (io.quiverdb.storage.rocks.KvCursor c = graphKv.cursor(Family.INDEX, null, from,
          end)) {
        if (!c.next()) {
          return;
        }
        key = c.key();
      }
      long id = KeyCodec.getLong(key, 0);
      if (!indexes.containsKey(id)) {
        deleteGraphs(id);
      }
      from = KeyCodec.tableEnd(id);
    }
  }

  private void deleteGraphs(long indexId) {
    try (io.quiverdb.storage.rocks.KvBatch b = graphKv.newBatch()) {
      b.deleteRange(Family.INDEX, KeyCodec.tablePrefix(indexId), KeyCodec.tableEnd(indexId));
      graphKv.write(b, false, "the graphs of a dropped index");
    }
  }

  /** A commit added rows: the indexer catches up soon. */
  void committed() {
    if (!indexes.isEmpty() && indexer != null) {
      indexer.wake();
    }
  }

  /**
   * The future of a commit that created {@code created}: it completes once the commit is durable
   * and the indexes cover the table and are persisted. When a build fails, its index definition
   * is dropped again (by a commit of its own) and the future fails with the build's error, so a
   * failed CREATE INDEX leaves no index behind.
   */
  CompletableFuture<Void> afterCreate(CompletableFuture<Void> durable, List<Long> created) {
    CompletableFuture<?>[] builds = created.stream().map(indexer::awaitBuilt)
        .toArray(CompletableFuture[]::new);
    return durable.thenCompose(v -> CompletableFuture.allOf(builds)
        .handle((ok, failure) -> failure)
        .thenCompose(failure -> {
          if (failure == null) {
            store.config().faults().reach("index.created");
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable cause = failure instanceof java.util.concurrent.CompletionException c
              && c.getCause() != null ? c.getCause() : failure;
          return dropAfterFailure(created).handle((x, dropFailure) -> {
            if (dropFailure != null) {
              LOG.log(Level.SEVERE, "could not drop the index a failed build left", dropFailure);
            }
            throw cause instanceof RuntimeException r ? r : new java.util.concurrent
                .CompletionException(cause);
          });
        }));
  }

  private CompletableFuture<Void> dropAfterFailure(List<Long> ids) {
    try {
      Transaction txn = store.begin();
      for (long id : ids) {
        for (TableDef t : store.catalog().state().tables()) {
          t.indexes().stream().filter(x -> x.id() == id).findFirst()
              .ifPresent(x -> txn.dropIndex(t.schema(), x.name()));
        }
      }
      return txn.commitAsync();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  Collection<VectorIndex> all() {
    return indexes.values();
  }

  boolean isEmpty() {
    return indexes.isEmpty();
  }

  VectorIndex get(long indexId) {
    return indexes.get(indexId);
  }

  /** The vector index builds running now. */
  List<Store.IndexBuild> builds() {
    List<Store.IndexBuild> out = new ArrayList<>();
    if (indexer != null) {
      for (Indexer.Progress p : indexer.progress()) {
        out.add(new Store.IndexBuild(p.tableId(), p.indexId(), p.phase(), p.total(),
            p.done().get()));
      }
    }
    return out;
  }

  WorkerHealth indexerHealth() {
    return indexer == null ? null : indexer.health();
  }

  /** Stops the indexer (which persists what it built), then closes the graph database. */
  @Override
  public void close() {
    if (indexer != null) {
      indexer.close();
    }
    graphKv.close();
  }
}
