package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twelve clients at once for a bounded time on one table with an HNSW index: inserts, vector
 * updates and deletes (six writers), nearest-neighbour searches (five), and table scans (one),
 * while segments seal (every 500 versions) and compaction drops what left a one-second retention.
 * No search ever returns a row whose delete was acknowledged before it began; afterwards {@code
 * quiver_hnsw_check} finds no duplicate, absent or out-of-segment neighbour, every live row below
 * the watermark indexed and no deleted row returned, and the index path returns exactly the rows
 * of a table scan. Duration: {@code -Dquiver.stress.seconds=N} (10 by default).
 */
class StressPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension(c -> c
      .with("segment_rows", "500", "test").with("retention", "1s", "test")
      .with("compaction_interval", "200ms", "test"));

  private static final int DIM = 8;
  private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong searches = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();

  @Test
  void twelve_clients_leave_an_index_that_agrees_with_the_table() throws Exception {
    long seconds = Long.getLong("quiver.stress.seconds", 10);
    long seed = Long.getLong("quiver.stress.seed", System.nanoTime());
    System.out.printf("stress: %d s, seed %d%n", seconds, seed);
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE st (id bigint PRIMARY KEY, v vector(" + DIM + "))");
      s.execute("CREATE INDEX ON st USING hnsw (v vector_l2_ops) WITH (m = 8,"
          + " ef_construction = 32)");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int n = i;
      Random r = new Random(seed + i);
      threads.add(new Thread(() -> guarded(() -> {
        if (n < 6) {
          write(n, r, deadline);
        } else if (n < 11) {
          search(r, deadline);
        } else {
          scan(deadline);
        }
      }), "stress-" + n));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(seconds + 60));
    }
    if (failure.get() != null) {
      throw new AssertionError("a client failed", failure.get());
    }
    System.out.printf("stress: %d writes, %d searches%n", writes.get(), searches.get());
    assertThat(writes.get()).isGreaterThan(100);
    assertThat(searches.get()).isGreaterThan(100);
    verify();
  }

  private void guarded(ThrowingRunnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void write(int writer, Random r, long deadline) throws SQLException {
    List<Long> live = new ArrayList<>();
    long next = writer * 1_000_000_000L;
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline && failure.get() == null) {
        int op = r.nextInt(10);
        if (op < 6 || live.size() < 10) {
          StringBuilder b = new StringBuilder("INSERT INTO st VALUES ");
          for (int i = 0; i < 10; i++) {
            long id = next++;
            b.append(i == 0 ? "" : ", ").append('(').append(id).append(", '")
                .append(vector(r)).append("')");
            live.add(id);
          }
          s.execute(b.toString());
        } else if (op < 8) {
          long id = live.get(r.nextInt(live.size()));
          s.execute("UPDATE st SET v = '" + vector(r) + "' WHERE id = " + id);
        } else {
          long id = live.remove(r.nextInt(live.size()));
          s.execute("DELETE FROM st WHERE id = " + id);
          deleted.add(id); // acknowledged: no search that starts now may return it
        }
        writes.incrementAndGet();
      }
    }
  }

  private void search(Random r, long deadline) throws SQLException {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline && failure.get() == null) {
        Set<Long> before = Set.copyOf(deleted);
        try (ResultSet rs = s.executeQuery("SELECT id FROM st ORDER BY v <-> '" + vector(r)
            + "' LIMIT 10")) {
          while (rs.next()) {
            assertThat(before).as("a row whose delete was acknowledged")
                .doesNotContain(rs.getLong(1));
          }
        }
        searches.incrementAndGet();
      }
    }
  }

  private void scan(long deadline) throws SQLException {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline && failure.get() == null) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM st")) {
          rs.next();
        }
      }
    }
  }

  private void verify() throws SQLException {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      long rows;
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM st")) {
        rs.next();
        rows = rs.getLong(1);
      }
      s.execute("SET hnsw.ef_search = 100");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id FROM st ORDER BY v"
          + " <-> '" + vector(new Random(1)) + "' LIMIT " + rows + ") t")) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows by the index path").isEqualTo(rows);
      }
      int segments = 0;
      try (ResultSet rs = s.executeQuery("SELECT segment, ok, unindexed_live_rows,"
          + " duplicate_links, absent_links, out_of_segment_links, self_links, level_errors,"
          + " invisible_rows_returned, searches, searches_finding_self"
          + " FROM quiver_hnsw_check('st')")) {
        while (rs.next()) {
          segments++;
          assertThat(rs.getBoolean(2)).as("segment %d: unindexed %d, duplicate %d, absent %d,"
              + " outside %d, self %d, level %d, invisible %d", rs.getInt(1), rs.getLong(3),
              rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8),
              rs.getLong(9)).isTrue();
          assertThat(rs.getInt(11)).as("segment %d: searches finding their own row",
              rs.getInt(1)).isGreaterThanOrEqualTo((int) (0.9 * rs.getInt(10)));
        }
      }
      assertThat(segments).as("segments sealed and checked").isGreaterThan(2);
    }
  }

  private static String vector(Random r) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < DIM; i++) {
      b.append(i == 0 ? "" : ",").append(Math.round(r.nextGaussian() * 1000) / 100f);
    }
    return b.append(']').toString();
  }
}
