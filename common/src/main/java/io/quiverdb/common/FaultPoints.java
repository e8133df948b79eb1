package io.quiverdb.common;

/**
 * Named places in the engine where a test may interrupt it: halt the process there (a crash
 * point, as {@code kill -9} at exactly that moment), block, or throw. Production code calls
 * {@link #reach} at each point; the default does nothing and costs a virtual call.
 *
 * <p>The points: {@code wal.sync.before}, {@code wal.sync.after} (around the group commit's
 * fsync), {@code segment.seal} (a segment just filled), {@code graph.persist.before}, {@code
 * graph.persist.after} (around a graph file's ingestion), {@code index.build} (while a CREATE
 * INDEX builds), {@code index.created} (CREATE INDEX built and persisted, not yet acknowledged),
 * {@code compaction.after-purge} (a compaction's purge written), {@code changelog.truncate}
 * (before the change log's old entries are deleted), {@code snapshot.begin} (a transaction read
 * the visible timestamp and is about to register its snapshot).
 */
@FunctionalInterface
public interface FaultPoints {
  /** Does nothing anywhere. */
  FaultPoints NONE = point -> { };

  /** The engine reached {@code point}. */
  void reach(String point);

  /**
   * Halts the JVM (no shutdown hooks, no flushing: as SIGKILL) the {@code nth} time {@code point}
   * is reached; for crash tests, which start the server with {@code -Dquiver.crash.point=NAME}
   * or {@code NAME@N}.
   */
  static FaultPoints haltAt(String point, int nth) {
    if (nth < 1) {
      throw new IllegalArgumentException("nth must be at least 1: " + nth);
    }
    java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
    return p -> {
      if (p.equals(point) && hits.incrementAndGet() == nth) {
        System.err.println("quiver: crash point " + p + " reached (" + nth + "); halting");
        System.err.flush();
        Runtime.getRuntime().halt(137);
      }
    };
  }

  /** The crash point named by a {@code NAME} or {@code NAME@N} specification. */
  static FaultPoints parseHalt(String spec) {
    int at = spec.lastIndexOf('@');
    return at < 0 ? haltAt(spec, 1)
        : haltAt(spec.substring(0, at), Integer.parseInt(spec.substring(at + 1)));
  }
}
