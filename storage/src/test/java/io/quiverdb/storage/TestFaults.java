package io.quiverdb.storage;

import io.quiverdb.common.FaultPoints;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Fault points for tests: at a named point, run an action (throw, or block until released). The
 * actions can be set and cleared while the store runs.
 */
final class TestFaults implements FaultPoints {
  /** What to do at a point; may throw. */
  @FunctionalInterface
  interface Action {
    void run();
  }

  private final Map<String, Action> actions = new ConcurrentHashMap<>();

  @Override
  public void reach(String point) {
    Action a = actions.get(point);
    if (a != null) {
      a.run();
    }
  }

  void at(String point, Action action) {
    actions.put(point, action);
  }

  void clear(String point) {
    actions.remove(point);
  }

  /** Blocks at {@code point} until the returned gate is opened; {@code reached} counts down. */
  Gate block(String point) {
    Gate g = new Gate();
    at(point, () -> {
      g.reached.countDown();
      try {
        if (!g.open.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate at " + point + " never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return g;
  }

  /** A point's gate: {@link #awaitReached} until a thread waits there, {@link #open} to let go. */
  static final class Gate {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);

    void awaitReached() throws InterruptedException {
      if (!reached.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the point was not reached within 30 s");
      }
    }

    void open() {
      open.countDown();
    }
  }
}
