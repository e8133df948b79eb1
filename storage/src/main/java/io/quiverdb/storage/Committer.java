package io.quiverdb.storage;

import io.quiverdb.common.FaultPoints;
import io.quiverdb.common.InDoubtException;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.RocksKv;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: committing threads write their batches to RocksDB in commit order (without
 * sync, under the commit lock) and queue here; one thread syncs the write-ahead log once for all
 * the commits that queued up while the previous sync ran. Only then does it make them visible to
 * new snapshots and complete their futures, in commit order.
 *
 * <p>Invariant: every queued future completes. A failed write or sync, or any throwable on this
 * thread (an OutOfMemoryError, a JNI failure), leaves every commit of the group in doubt: the
 * store is poisoned (it takes no further commit until restarted and recovered) and the futures of
 * the group, of every commit queued behind it and of every commit queued later fail with an
 * {@link InDoubtException}. If the thread dies anyway, its death handler does the same, and
 * {@link #close} fails whatever is still queued.
 */
final class Committer implements AutoCloseable {
  /** One ordered commit, written but not yet synced. */
  record Job(long commitTs, CompletableFuture<Void> done) {}

  private final Store store;
  private final RocksKv kv;
  private final boolean sync;
  private final FaultPoints faults;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final WorkerHealth health = new WorkerHealth("quiver-group-commit");
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean stopped;
  private long syncs;
  private long commits;

  Committer(Store store, RocksKv kv, boolean sync, FaultPoints faults) {
    this.store = store;
    this.kv = kv;
    this.sync = sync;
    this.faults = faults;
    this.thread = health.start(this::run, this::stopAndFailQueued);
  }

  WorkerHealth health() {
    return health;
  }

  /** Queues a commit; called under the commit lock, so queue order is commit order. */
  void submit(Job job) {
    queue.add(job);
    if (stopped) {
      failQueued();
    }
  }

  private void run() {
    List<Job> group = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Job first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          health.state("idle");
          continue;
        }
        health.state("running");
        group.add(first);
        queue.drainTo(group);
        writeGroup(group);
        health.roundDone();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Throwable t) {
        QuiverException f = inDoubt(t);
        store.poison(f);
        health.failed("a group commit failed; no further commit is taken until restart", t);
        fail(group, f);
      } finally {
        group.clear();
      }
    }
    stopAndFailQueued();
  }

  private void writeGroup(List<Job> group) {
    RuntimeException failure = store.failure();
    if (failure != null) {
      fail(group, failure);
      return;
    }
    faults.reach("wal.sync.before");
    if (sync) {
      kv.syncWal();
    }
    faults.reach("wal.sync.after");
    syncs++;
    commits += group.size();
    store.publish(group.get(group.size() - 1).commitTs());
    for (Job j : group) {
      j.done().complete(null);
    }
  }

  /** The in-doubt error for a commit group that failed with {@code t}. */
  static InDoubtException inDoubt(Throwable t) {
    if (t instanceof InDoubtException d) {
      return d;
    }
    SqlState state = t instanceof QuiverException q && q.state() == SqlState.DISK_FULL
        ? SqlState.DISK_FULL : SqlState.IO_ERROR;
    String cause = t instanceof QuiverException ? t.getMessage()
        : t instanceof OutOfMemoryError ? "out of memory"
        : "an internal error; see the server log";
    return new InDoubtException(state, "could not make the commit durable (" + cause
        + "); it may or may not have been committed, and the server must be restarted", t);
  }

  private static void fail(List<Job> group, RuntimeException failure) {
    for (Job j : group) {
      j.done().completeExceptionally(failure);
    }
  }

  /** The thread is gone (ended or died): fails every queued and later commit. */
  private void stopAndFailQueued() {
    stopped = true;
    if (store.failure() == null && (running || health.isDead())) {
      store.poison(new InDoubtException("the group commit thread stopped; commits after it may or"
          + " may not have been made durable, and the server must be restarted", null));
    }
    failQueued();
  }

  private void failQueued() {
    RuntimeException f = store.failure();
    QuiverException failure = f != null ? (f instanceof QuiverException q ? q : inDoubt(f))
        : new InDoubtException("the server shut down before the commit was made durable; it may"
            + " or may not have been committed", null);
    Job j;
    while ((j = queue.poll()) != null) {
      j.done().completeExceptionally(failure);
    }
  }

  /** Syncs and commits so far, for the stats view and tests. */
  long[] counts() {
    return new long[] {syncs, commits};
  }

  /**
   * Finishes the queued commits, then stops the thread; commits it could not finish (the thread
   * hung or died) fail as in doubt, so no caller waits forever.
   */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopped = true;
    failQueued();
  }
}
