package io.quiverdb.storage;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The health of one background thread of the store (group commit, indexer, compactor, disk
 * watcher): what it is doing, how often it failed and with what. A loop reports each failed round
 * here (logged at SEVERE, counted, and shown in {@code quiver_workers}) and goes on; a thread that
 * dies anyway (an error thrown past its loop) is marked {@code dead} by its uncaught-exception
 * handler and logged, so no background work ever ends silently.
 */
final class WorkerHealth {
  private static final Logger LOG = Logger.getLogger(WorkerHealth.class.getName());

  /** What {@code quiver_workers} shows of one worker. */
  record Status(String name, String state, long rounds, long failures, String lastError,
      long lastErrorMillis) {}

  private final String name;
  private final AtomicLong rounds = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile String state = "starting";
  private volatile String lastError;
  private volatile long lastErrorMillis;
  private volatile Runnable onDeath = () -> { };

  WorkerHealth(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  /**
   * Starts {@code loop} on a daemon thread of this worker's name; {@code onDeath} runs (on that
   * thread) if it ever ends by an uncaught throwable.
   */
  Thread start(Runnable loop, Runnable onDeath) {
    this.onDeath = onDeath;
    Thread t = new Thread(() -> {
      state = "running";
      loop.run();
      if (!"dead".equals(state)) {
        state = "stopped";
      }
    }, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler((thread, e) -> died(e));
    t.start();
    return t;
  }

  void state(String s) {
    state = s;
  }

  void roundDone() {
    rounds.incrementAndGet();
  }

  /** A round failed with {@code e}: logged at SEVERE with {@code what}, counted, shown. */
  void failed(String what, Throwable e) {
    failures.incrementAndGet();
    lastError = e.toString();
    lastErrorMillis = System.currentTimeMillis();
    try {
      LOG.log(Level.SEVERE, name + ": " + what, e);
    } catch (Throwable ignored) {
      // logging itself failed (out of memory, say): the counters still tell
    }
  }

  private void died(Throwable e) {
    state = "dead";
    failed("the thread died; its work has stopped", e);
    try {
      onDeath.run();
    } catch (Throwable t) {
      failed("handling the thread's death failed", t);
    }
  }

  boolean isDead() {
    return "dead".equals(state);
  }

  Status status() {
    return new Status(name, state, rounds.get(), failures.get(), lastError, lastErrorMillis);
  }
}
