package io.quiverdb.storage;

import io.quiverdb.common.InDoubtException;
import io.quiverdb.storage.rocks.RocksKv;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit: committing threads write their batches to RocksDB in commit order (without
 * sync, under the commit lock) and queue here; one thread syncs the write-ahead log once for all
 * the commits that queued up while the previous sync ran. Only then does it make them visible to
 * new snapshots and complete their futures, in commit order.
 *
 * <p>A failed write or sync leaves every commit of the group in doubt: the store is poisoned (it
 * refuses all further work until restarted and recovered) and the futures fail with an {@link
 * InDoubtException}.
 */
final class Committer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Committer.class.getName());

  /** One ordered commit, written but not yet synced. */
  record Job(long commitTs, CompletableFuture<Void> done) {}

  private final Store store;
  private final RocksKv kv;
  private final boolean sync;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long syncs;
  private long commits;

  Committer(Store store, RocksKv kv, boolean sync) {
    this.store = store;
    this.kv = kv;
    this.sync = sync;
    this.thread = new Thread(this::run, "quiver-group-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a commit; called under the commit lock, so queue order is commit order. */
  void submit(Job job) {
    queue.add(job);
  }

  private void run() {
    List<Job> group = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Job first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group);
        writeGroup(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        group.clear();
      }
    }
  }

  private void writeGroup(List<Job> group) {
    RuntimeException failure = store.failure();
    if (failure == null) {
      try {
        if (sync) {
          kv.syncWal();
        }
        syncs++;
        commits += group.size();
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "a commit could not be made durable; refusing all further work"
            + " until restart", e);
        failure = new InDoubtException("could not make the commit durable: " + e.getMessage()
            + "; it may or may not have been committed, and the server must be restarted", e);
        store.poison(failure);
      }
    }
    if (failure != null) {
      for (Job j : group) {
        j.done().completeExceptionally(failure);
      }
      return;
    }
    store.publish(group.get(group.size() - 1).commitTs());
    for (Job j : group) {
      j.done().complete(null);
    }
  }

  /** Syncs and commits so far, for the stats view and tests. */
  long[] counts() {
    return new long[] {syncs, commits};
  }

  /** Finishes the queued commits, then stops the thread. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
