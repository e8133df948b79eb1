package io.quiverdb.storage;

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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the vector indexes up with the rows: one background thread that, after commits, adds
 * every new version to its segment's graph and raises the segment's watermark. A large backlog (a
 * new index over existing rows, a bulk load) is inserted by all cores at once. Builds report
 * progress ({@link #progress}), and whoever waits for one (CREATE INDEX) is told when its rows are
 * in and the graphs persisted.
 *
 * <p>Nothing depends on this thread for correctness: searches cover what it has not reached yet
 * with exact distances.
 */
final class Indexer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Indexer.class.getName());
  /** Backlogs at least this large are split across the workers. */
  private static final int PARALLEL_MIN = 2048;

  /** What a build has done so far, for {@code pg_stat_progress_create_index}. */
  record Progress(long indexId, long tableId, String phase, long total, AtomicLong done,
      long startedNanos) {}

  private record Waiter(long indexId, CompletableFuture<Void> done) {}

  private final Store store;
  private final SegmentGraphCodec codec;
  private final Thread thread;
  private final ExecutorService workers;
  private final int workerCount;
  private final Object signal = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private final ConcurrentHashMap<Long, Progress> progress = new ConcurrentHashMap<>();
  private boolean pending;
  private volatile boolean closing;

  Indexer(Store store, SegmentGraphCodec codec) {
    this.store = store;
    this.codec = codec;
    this.workerCount = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(workerCount, r -> {
      Thread t = new Thread(r, "quiver-index-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "quiver-indexer");
    thread.setDaemon(true);
    thread.start();
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
   * fails if the build fails.
   */
  CompletableFuture<Void> awaitBuilt(long indexId) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (signal) {
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
          try {
            signal.wait(1000);
          } catch (InterruptedException e) {
            return;
          }
          if (!pending) {
            pending = true; // a periodic look, for persisting and for anything missed
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
      try {
        round(waiting);
      } catch (RuntimeException | Error e) {
        if (!closing) {
          LOG.log(Level.SEVERE, "vector indexing failed", e);
        }
        waiting.forEach(w -> w.done.complete(null));
      }
    }
  }

  /** Catches every index up with its table, persists what grew, then answers the waiters. */
  private void round(List<Waiter> waiting) {
    for (VectorIndex index : store.vectorIndexes()) {
      if (closing) {
        return;
      }
      boolean awaited = waiting.stream().anyMatch(w -> w.indexId == index.def.id());
      if (index.failure != null) {
        continue;
      }
      try {
        catchUp(index);
        persist(index, awaited);
      } catch (RuntimeException | Error e) {
        if (closing || store.failure() != null) {
          throw e;
        }
        index.failure = e;
        LOG.log(Level.SEVERE, "building index " + index.def.name() + " failed; searches use"
            + " exact distances for the rows it does not cover", e);
      }
    }
    // a failed build is logged and leaves searches exact; the commit that created the index is
    // durable all the same, so its client must not be told otherwise
    waiting.forEach(w -> w.done.complete(null));
  }

  private void catchUp(VectorIndex index) {
    TableData data = store.tableData(index.tableId);
    if (data == null) {
      return;
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
        LOG.info(String.format("index %s: %d rows added in %.2f s (%.0f rows/s)",
            index.def.name(), backlog, s, backlog / Math.max(s, 1e-9)));
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
        throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
      }
    }
    return !closing;
  }

  private static void add(VectorIndex index, HnswGraph graph, Segment seg, int off, long seed,
      SearchState state) {
    float[] v = index.vectorOf(seg.slots().rows[off]);
    if (v != null) {
      graph.insert(off, v, seed ^ (off * 0xBF58476D1CE4E5B9L), state);
      index.inserted.incrementAndGet();
    }
  }

  /**
   * Persists the graphs that grew by a quarter since last time (so that a growing table rewrites
   * each node a bounded number of times), or every grown one when {@code force}.
   */
  private void persist(VectorIndex index, boolean force) {
    if (store.vectorIndex(index.def.id()) != index) {
      return; // dropped meanwhile: its keys are gone and must stay gone
    }
    for (VectorIndex.SegmentGraph g : index.graphs()) {
      if (g == null || closing) {
        continue;
      }
      int grown = g.indexed - g.persisted;
      if (grown > 0 && (force || grown >= Math.max(1024, g.persisted / 4))) {
        codec.write(index, g);
      }
    }
  }

  /** Stops the thread, then persists what it built since the last persist. */
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
    if (store.failure() == null) {
      for (VectorIndex index : store.vectorIndexes()) {
        for (VectorIndex.SegmentGraph g : index.graphs()) {
          if (g != null && g.indexed > g.persisted && index.failure == null) {
            try {
              codec.write(index, g);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "could not persist index " + index.def.name(), e);
            }
          }
        }
      }
    }
  }
}
