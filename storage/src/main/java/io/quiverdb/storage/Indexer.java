package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.vector.HnswGraph;
import io.quiverdb.storage.vector.SearchState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the vector indexes up with the rows: one background thread that, after commits, adds
 * every new version to its segment's graph and raises the segment's watermark. A large backlog (a
 * new index over existing rows, a bulk load) is inserted by all cores at once. Builds report
 * progress ({@link #progress}), and whoever waits for one (CREATE INDEX) is told when its rows are
 * in and the graphs persisted, or why the build failed.
 *
 * <p>Nothing depends on this thread for correctness: searches cover what it has not reached yet
 * with exact distances. A failed round is logged and shown ({@link WorkerHealth}); an index whose
 * build failed is searched exactly and retried after a growing pause.
 *
 * <p>Persisting writes a graph only up to its durable prefix: the offsets whose commits are
 * published (their WAL sync done). A graph file bypasses the WAL, so a graph that covered rows a
 * crash then loses would hand their offsets, reused by new rows, the old rows' positions.
 */
final class Indexer implements AutoCloseable {
  /** Backlogs at least this large are split across the workers. */
  private static final int PARALLEL_MIN = 2048;
  private static final long FIRST_RETRY_NANOS = 1_000_000_000L;
  private static final long MAX_RETRY_NANOS = 300_000_000_000L;

  /** What a build has done so far, for {@code pg_stat_progress_create_index}. */
  record Progress(long indexId, long tableId, String phase, long total, AtomicLong done,
      long startedNanos) {}

  private record Waiter(long indexId, CompletableFuture<Void> done) {}

  private final Store store;
  private final IndexRegistry registry;
  private final WorkerHealth health = new WorkerHealth("quiver-indexer");
  private final Thread thread;
  private final ExecutorService workers;
  private final int workerCount;
  private final Object signal = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private final ConcurrentHashMap<Long, Progress> progress = new ConcurrentHashMap<>();
  private boolean pending;
  private volatile boolean closing;

  Indexer(Store store, IndexRegistry registry) {
    this.store = store;
    this.registry = registry;
    this.workerCount = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(workerCount, r -> {
      Thread t = new Thread(r, "quiver-index-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.thread = health.start(this::run, this::failWaiters);
  }

  WorkerHealth health() {
    return health;
  }

  /** New rows or indexes are there: catch up soon. */
  void wake() {
    synchronized (signal) {
      pending = true;
      signal.notifyAll();
    }
  }

  /**
   * Completes when index {@code indexId} covers every row committed so far and is persisted;
   * fails with the cause if the build fails.
   */
  CompletableFuture<Void> awaitBuilt(long indexId) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (signal) {
      if (health.isDead()) {
        f.completeExceptionally(new QuiverException(SqlState.INTERNAL_ERROR,
            "could not build the index: the indexer has stopped; see the server log"));
        return f;
      }
      waiters.add(new Waiter(indexId, f));
      pending = true;
      signal.notifyAll();
    }
    return f;
  }

  List<Progress> progress() {
    return List.copyOf(progress.values());
  }

  private void run() {
    while (!closing) {
      List<Waiter> waiting;
      synchronized (signal) {
        while (!pending && !closing) {
          health.state("idle");
          try {
            signal.wait(1000);
          } catch (InterruptedException e) {
            return;
          }
          if (!pending) {
            pending = true; // a periodic look, for persisting, retries and anything missed
          }
        }
        pending = false;
        waiting = new ArrayList<>(waiters);
        waiters.clear();
      }
      if (closing) {
        waiting.forEach(w -> w.done.cancel(false));
        return;
      }
      health.state("running");
      try {
        round(waiting);
        health.roundDone();
      } catch (Throwable e) {
        if (closing) {
          waiting.forEach(w -> w.done.cancel(false));
          return;
        }
        health.failed("vector indexing failed; it goes on at the next round", e);
        QuiverException f = buildFailed("", e);
        waiting.forEach(w -> w.done.completeExceptionally(f));
      }
    }
  }

  private void failWaiters() {
    synchronized (signal) {
      for (Waiter w : waiters) {
        w.done.completeExceptionally(new QuiverException(SqlState.INTERNAL_ERROR,
            "could not build the index: the indexer has stopped; see the server log"));
      }
      waiters.clear();
    }
  }

  /** Catches every index up with its table, persists what grew, then answers the waiters. */
  private void round(List<Waiter> waiting) {
    registry.deleteDropped();
    for (VectorIndex index : registry.all()) {
      if (closing) {
        return;
      }
      boolean awaited = waiting.stream().anyMatch(w -> w.indexId == index.def.id());
      if (!awaited && index.failure != null && System.nanoTime() < index.retryAtNanos) {
        continue;
      }
      try {
        catchUp(index, awaited);
        index.recovered();
      } catch (RuntimeException | Error e) {
        if (closing) {
          throw e;
        }
        index.failed(e, FIRST_RETRY_NANOS, MAX_RETRY_NANOS);
        health.failed("building index " + index.def.name() + " failed; searches use exact"
            + " distances for the rows it does not cover, and the build is retried", e);
        continue;
      }
      persist(index, awaited);
    }
    for (Waiter w : waiting) {
      VectorIndex index = registry.get(w.indexId);
      if (index != null && index.failure != null) {
        w.done.completeExceptionally(buildFailed(index.def.name(), index.failure));
      } else {
        w.done.complete(null);
      }
    }
  }

  /** The error a CREATE INDEX whose build failed with {@code e} reports. */
  private static QuiverException buildFailed(String name, Throwable e) {
    String index = name.isEmpty() ? "the index" : "index \"" + name + "\"";
    if (e instanceof QuiverException q) {
      return new QuiverException(q.state(), "could not build " + index + ": " + q.getMessage(), e);
    }
    if (e instanceof OutOfMemoryError) {
      return new QuiverException(SqlState.OUT_OF_MEMORY, "out of memory",
          "Building " + index + " needed more memory than the server has.", null, 0);
    }
    return new QuiverException(SqlState.INTERNAL_ERROR,
        "could not build " + index + "; see the server log", e);
  }

  private void catchUp(VectorIndex index, boolean awaited) {
    TableData data = store.tableDataOrNull(index.tableId);
    if (data == null || data.isCorrupted()) {
      return;
    }
    if (awaited) {
      store.config().faults().reach("index.build");
    }
    Segment[] segments = data.segments();
    long backlog = 0;
    for (Segment seg : segments) {
      VectorIndex.SegmentGraph g = index.graph(seg.id);
      backlog += seg.size() - (g == null ? 0 : g.indexed);
    }
    if (backlog == 0) {
      return;
    }
    long started = System.nanoTime();
    Progress p = backlog >= PARALLEL_MIN ? new Progress(index.def.id(), index.tableId,
        "building index", backlog, new AtomicLong(), started) : null;
    if (p != null) {
      progress.put(index.def.id(), p);
    }
    try {
      for (Segment seg : segments) {
        VectorIndex.SegmentGraph g = index.graphFor(seg.id);
        int from = g.indexed;
        int to = seg.size();
        if (from < to && insert(index, g, seg, from, to, p)) {
          g.indexed = to;
        }
      }
    } finally {
      if (p != null) {
        progress.remove(index.def.id());
        double s = (System.nanoTime() - started) / 1e9;
        java.util.logging.Logger.getLogger(Indexer.class.getName()).info(String.format(
            "index %s: %d rows added in %.2f s (%.0f rows/s)", index.def.name(), backlog, s,
            backlog / Math.max(s, 1e-9)));
      }
    }
  }

  /**
   * Inserts offsets {@code [from, to)} of {@code seg}, in parallel when there are many; false when
   * closing stopped it part way.
   */
  private boolean insert(VectorIndex index, VectorIndex.SegmentGraph g, Segment seg, int from,
      int to, Progress p) {
    HnswGraph graph = g.graph;
    long seed = index.def.id() * 0x9E3779B97F4A7C15L + seg.id;
    if (to - from < PARALLEL_MIN || workerCount == 1) {
      SearchState state = SearchState.get();
      for (int off = from; off < to && !closing; off++) {
        add(index, graph, seg, off, seed, state);
        if (p != null) {
          p.done.incrementAndGet();
        }
      }
      return !closing;
    }
    AtomicInteger next = new AtomicInteger(from);
    List<Future<?>> tasks = new ArrayList<>();
    for (int w = 0; w < workerCount; w++) {
      tasks.add(workers.submit(() -> {
        SearchState state = SearchState.get();
        int off;
        while (!closing && (off = next.getAndIncrement()) < to) {
          add(index, graph, seg, off, seed, state);
          p.done.incrementAndGet();
        }
      }));
    }
    for (Future<?> t : tasks) {
      try {
        t.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while building " + index.def.name(), e);
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Error err) {
          throw err;
        }
        throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
      }
    }
    return !closing;
  }

  /** Adds one offset; a node an earlier, failed attempt already added is left as it is. */
  private static void add(VectorIndex index, HnswGraph graph, Segment seg, int off, long seed,
      SearchState state) {
    float[] v = index.vectorOf(seg.slots().rows[off]);
    if (v != null && !graph.contains(off)) {
      graph.insert(off, v, seed ^ (off * 0xBF58476D1CE4E5B9L), state);
      index.inserted.incrementAndGet();
    }
  }

  /**
   * Persists the graphs whose durable prefix grew by a quarter since last time (so that a growing
   * table rewrites each node a bounded number of times), or every grown one when {@code force}. A
   * failure is logged and retried later: the graph in memory is whole, and a restart without the
   * file only rebuilds it.
   */
  private void persist(VectorIndex index, boolean force) {
    if (store.vectorIndex(index.def.id()) != index || store.failure() != null) {
      return; // dropped meanwhile (its keys are gone and must stay gone), or nothing is durable
    }
    TableData data = store.tableDataOrNull(index.tableId);
    long visible = store.visibleTs();
    for (VectorIndex.SegmentGraph g : index.graphs()) {
      Segment seg = data == null ? null : data.segment(g == null ? -1 : g.segment);
      if (seg == null || closing) {
        continue;
      }
      int durable = Math.min(g.indexed, seg.durablePrefix(visible));
      int grown = durable - g.persisted;
      if (grown > 0 && (force || grown >= Math.max(1024, g.persisted / 4))) {
        write(index, g, durable);
      }
    }
  }

  private void write(VectorIndex index, VectorIndex.SegmentGraph g, int watermark) {
    if (!roomToPersist(index, watermark)) {
      return; // the graph stays in memory; the disk's reserve is for the rows
    }
    try {
      registry.codec().write(index, g, watermark);
    } catch (QuiverException e) {
      health.failed("could not persist index " + index.def.name() + " segment " + g.segment
          + "; it stays in memory and is persisted later", e);
      if (e.state() == SqlState.DATA_CORRUPTED) {
        registry.wipe("the persisted graphs are damaged (" + e.getMessage() + ")");
      }
    }
  }

  /** Whether the disk has room for a graph file of {@code watermark} nodes beyond its reserve. */
  private boolean roomToPersist(VectorIndex index, int watermark) {
    long bytes = (long) watermark * (1 + 4L * (2 * index.def.m() + 1) + 4L * index.dimensions);
    try {
      long free = java.nio.file.Files.getFileStore(store.dataDir()).getUsableSpace();
      return free - bytes > 2 * store.diskReserveBytes();
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /** Stops the thread, then persists the durable part of what it built since the last persist. */
  @Override
  public void close() {
    closing = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    failWaiters();
    if (store.failure() != null) {
      return;
    }
    closing = false; // persist() skips graphs while closing
    try {
      for (VectorIndex index : registry.all()) {
        if (index.failure == null) {
          persist(index, true);
        }
      }
    } finally {
      closing = true;
    }
  }
}
