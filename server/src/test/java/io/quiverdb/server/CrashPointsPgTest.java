package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server halts (as SIGKILL would) exactly at a named point of the engine while four clients
 * insert, update and delete rows with vectors under an HNSW index: before and after the WAL sync,
 * at a segment seal, around a graph persist, in CREATE INDEX, after a compaction's purge, before
 * the change log is truncated. After each restart: every acknowledged write is there, nothing is
 * there that was neither acknowledged nor in doubt, {@code count(*)} equals what the index path
 * returns, every sampled row finds itself at distance 0 by exact search, the index finds the
 * exact top 10 with recall of at least 0.95, and {@code quiver_hnsw_check} reports no fault.
 *
 * <p>Rounds per point: {@code -Dquiver.crashpoints.rounds=N} (1 by default); seed: {@code
 * -Dquiver.crashpoints.seed}; some points only: {@code -Dquiver.crashpoints.only=A,B}.
 */
class CrashPointsPgTest {
  private static final int WRITERS = 4;
  private static final int DIM = 8;
  private static final List<String> SETTINGS = List.of("segment_rows=1500", "retention=1s",
      "compaction_interval=300ms");

  @TempDir Path dir;

  /** What the clients were told, per row id: its vector, or null once deleted. */
  private final Map<Long, float[]> acknowledged = new ConcurrentHashMap<>();
  /** Rows whose last write was in doubt: either value may be present. */
  private final Map<Long, List<float[]>> inDoubt = new ConcurrentHashMap<>();

  @ParameterizedTest
  @ValueSource(strings = {"wal.sync.before", "wal.sync.after", "segment.seal",
      "graph.persist.before", "graph.persist.after", "index.build", "index.created",
      "compaction.after-purge", "changelog.truncate"})
  void nothing_acknowledged_is_lost_and_the_index_agrees_after_a_crash_at(String point)
      throws Exception {
    String only = System.getProperty("quiver.crashpoints.only", "");
    org.junit.jupiter.api.Assumptions.assumeTrue(only.isEmpty()
        || List.of(only.split(",")).contains(point), "not among -Dquiver.crashpoints.only");
    int rounds = Integer.getInteger("quiver.crashpoints.rounds", 1);
    long seed = Long.getLong("quiver.crashpoints.seed", System.nanoTime());
    System.out.printf("crash point %s: %d rounds, seed %d%n", point, rounds, seed);
    Random random = new Random(seed);
    Path data = dir.resolve("data");
    // the schema first, on a server without the point: its commits pass wal.* points too
    try (ChildServer server = ChildServer.start(data, dir, 0, List.of(), SETTINGS)
        .awaitReady()) {
      setUp(server, !point.startsWith("index."));
    }
    for (int round = 1; round <= rounds; round++) {
      int nth = 1 + random.nextInt(maxNth(point));
      try (ChildServer server = ChildServer.start(data, dir, 0,
          List.of("-Dquiver.crash.point=" + point + "@" + nth), SETTINGS)) {
        // compaction may reach the point while the server recovers: that is the crash then
        if (!haltedWhileStarting(server, point)) {
          runUntilHalted(server, point, round, random.nextLong());
        }
      }
      try (ChildServer server = ChildServer.start(data, dir, 0, List.of(), SETTINGS)
          .awaitReady()) {
        verify(server, point, round, random.nextLong());
      }
    }
  }

  /** Waits until the server is ready; true when it halted at {@code point} before that. */
  private static boolean haltedWhileStarting(ChildServer server, String point) throws Exception {
    try {
      server.awaitReady();
      return false;
    } catch (AssertionError e) {
      if (Files.readString(server.log).contains("crash point " + point + " reached")) {
        return true;
      }
      throw e;
    }
  }

  /** How many times at most the point is passed before the halt: the rarer, the fewer. */
  private static int maxNth(String point) {
    return point.startsWith("wal.") ? 15 : point.startsWith("graph.") ? 3 : 2;
  }

  /** The table, and its index unless the round's own CREATE INDEX statements are the point. */
  private static void setUp(ChildServer server, boolean index) throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE cp (id bigint PRIMARY KEY, writer int, v vector(" + DIM + "))");
      if (index) {
        s.execute("CREATE INDEX cp_v_idx ON cp USING hnsw (v vector_l2_ops)"
            + " WITH (m = 8, ef_construction = 32)");
      }
    }
  }

  private void runUntilHalted(ChildServer server, String point, int round, long seed)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      threads.add(new Thread(() -> guard(failure, () -> write(server, writer, round,
          new Random(seed + writer), stop))));
    }
    if (point.startsWith("index.")) {
      threads.add(new Thread(() -> guard(failure, () -> reindex(server, stop))));
    }
    threads.forEach(Thread::start);
    boolean halted = server.process.waitFor(90, TimeUnit.SECONDS);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(halted).as("round %d: the server reached %s and halted (log %s)", round, point,
        server.log).isTrue();
    assertThat(Files.readString(server.log)).contains("crash point " + point + " reached");
    if (failure.get() != null) {
      throw new AssertionError("a client thread failed", failure.get());
    }
  }

  /** Runs {@code body}; an error in it (an assertion) is kept for the test thread to throw. */
  private static void guard(AtomicReference<Throwable> failure, ThrowingRunnable body) {
    try {
      body.run();
    } catch (SQLException expected) {
      // the server halted: the connection broke
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void write(ChildServer server, int writer, int round, Random random,
      AtomicBoolean stop) throws SQLException {
    long next = (writer * 1000L + round) * 1_000_000L;
    List<Long> mine = new ArrayList<>();
    for (Map.Entry<Long, float[]> e : acknowledged.entrySet()) {
      if (e.getValue() != DELETED && e.getKey() / 1_000_000_000L == writer) {
        mine.add(e.getKey());
      }
    }
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      while (!stop.get()) {
        int op = random.nextInt(10);
        Map<Long, float[]> change = new HashMap<>();
        String sql;
        if (op < 7 || mine.isEmpty()) {
          StringBuilder b = new StringBuilder("INSERT INTO cp VALUES ");
          for (int i = 0; i < 5; i++) {
            long id = next++;
            float[] v = vector(random);
            change.put(id, v);
            b.append(i == 0 ? "" : ", ").append('(').append(id).append(", ").append(writer)
                .append(", '").append(text(v)).append("')");
          }
          sql = b.toString();
        } else {
          long id = mine.get(random.nextInt(mine.size()));
          float[] v = op < 9 ? vector(random) : null;
          change.put(id, v);
          sql = v == null ? "DELETE FROM cp WHERE id = " + id
              : "UPDATE cp SET v = '" + text(v) + "' WHERE id = " + id;
        }
        change.forEach((id, v) -> inDoubt.computeIfAbsent(id, k -> new ArrayList<>())
            .add(v));
        s.execute(sql); // autocommit: acknowledged when it returns
        change.forEach((id, v) -> {
          acknowledged.put(id, v == null ? DELETED : v);
          inDoubt.remove(id);
          if (v == null) {
            mine.remove(id);
          } else if (!mine.contains(id)) {
            mine.add(id);
          }
        });
      }
    }
  }

  /** Marks a row whose deletion was acknowledged. */
  private static final float[] DELETED = new float[0];

  private static void reindex(ChildServer server, AtomicBoolean stop) throws Exception {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      while (!stop.get()) {
        Thread.sleep(500); // rows to build over
        s.execute("DROP INDEX IF EXISTS cp_v_idx");
        s.execute("CREATE INDEX cp_v_idx ON cp USING hnsw (v vector_l2_ops)"
            + " WITH (m = 8, ef_construction = 32)");
      }
    }
  }

  private void verify(ChildServer server, String point, int round, long seed) throws Exception {
    Map<Long, float[]> present = new HashMap<>();
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT id, v FROM cp")) {
        while (rs.next()) {
          present.put(rs.getLong(1), parse(rs.getString(2)));
        }
      }
      String at = point + " round " + round;
      for (Map.Entry<Long, float[]> e : acknowledged.entrySet()) {
        long id = e.getKey();
        if (inDoubt.containsKey(id)) {
          continue;
        }
        if (e.getValue() == DELETED) {
          assertThat(present).as("%s: acknowledged delete of %d", at, id).doesNotContainKey(id);
        } else {
          assertThat(present.get(id)).as("%s: acknowledged row %d", at, id)
              .isEqualTo(e.getValue());
        }
      }
      for (Map.Entry<Long, float[]> e : present.entrySet()) {
        long id = e.getKey();
        boolean known = acknowledged.containsKey(id) && acknowledged.get(id) != DELETED
            && java.util.Arrays.equals(acknowledged.get(id), e.getValue());
        boolean doubted = inDoubt.getOrDefault(id, List.of()).stream()
            .anyMatch(v -> v != null && java.util.Arrays.equals(v, e.getValue()));
        assertThat(known || doubted).as("%s: row %d is neither acknowledged nor in doubt", at,
            id).isTrue();
      }
      checkIndex(s, present, at, new Random(seed));
    }
    settle(present);
  }

  /** The index path against the table: counts, exact self-distance, recall, the graph check. */
  private static void checkIndex(Statement s, Map<Long, float[]> present, String at,
      Random random) throws SQLException {
    s.execute("SET hnsw.ef_search = 200");
    int n = present.size();
    float[] origin = new float[DIM];
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id FROM cp ORDER BY v <-> '"
        + text(origin) + "' LIMIT " + Math.max(n, 1) + ") t")) {
      rs.next();
      assertThat(rs.getLong(1)).as("%s: rows by the index path", at).isEqualTo(n);
    }
    List<Long> ids = new ArrayList<>(present.keySet());
    long hits = 0;
    long asked = 0;
    for (int i = 0; i < Math.min(30, ids.size()); i++) {
      long id = ids.get(random.nextInt(ids.size()));
      String q = text(present.get(id));
      List<Long> exact = ids(s, "SELECT id, l2_distance(v, '" + q + "') FROM cp ORDER BY"
          + " l2_distance(v, '" + q + "') LIMIT 10", at, true);
      List<Long> indexed = ids(s, "SELECT id FROM cp ORDER BY v <-> '" + q + "' LIMIT 10", at,
          false);
      assertThat(exact).as("%s: row %d finds itself exactly", at, id).isNotEmpty();
      for (long e : exact) {
        hits += indexed.contains(e) ? 1 : 0;
      }
      asked += exact.size();
    }
    if (asked > 0) {
      assertThat(hits / (double) asked).as("%s: recall of the index", at)
          .isGreaterThanOrEqualTo(0.95);
    }
    try (ResultSet rs = s.executeQuery("SELECT segment, ok, unindexed_live_rows,"
        + " duplicate_links, absent_links, out_of_segment_links, invisible_rows_returned"
        + " FROM quiver_hnsw_check('cp')")) {
      while (rs.next()) {
        assertThat(rs.getBoolean(2)).as("%s: quiver_hnsw_check of segment %d: unindexed %d,"
            + " duplicate %d, absent %d, outside %d, invisible %d", at, rs.getInt(1),
            rs.getLong(3), rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getLong(7)).isTrue();
      }
    }
  }

  /** Ids a query returns; when {@code selfFirst}, the first has distance 0 (the row itself). */
  private static List<Long> ids(Statement s, String sql, String at, boolean selfFirst)
      throws SQLException {
    List<Long> out = new ArrayList<>();
    if (!s.execute(sql)) {
      throw new AssertionError(at + ": no result set for " + sql + "; update count "
          + s.getUpdateCount());
    }
    try (ResultSet rs = s.getResultSet()) {
      while (rs.next()) {
        if (selfFirst && out.isEmpty()) {
          assertThat(rs.getDouble(2)).as("%s: distance of the row to itself", at).isZero();
        }
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /** What survived is now known: in-doubt rows take the value present. */
  private void settle(Map<Long, float[]> present) {
    for (Long id : new HashSet<>(inDoubt.keySet())) {
      float[] v = present.get(id);
      acknowledged.put(id, v == null ? DELETED : v);
    }
    inDoubt.clear();
  }

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = Math.round(r.nextGaussian() * 1000) / 100f;
    }
    return v;
  }

  private static String text(float[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ",").append(v[i]);
    }
    return b.append(']').toString();
  }

  private static float[] parse(String s) {
    String[] parts = s.substring(1, s.length() - 1).split(",");
    float[] v = new float[parts.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.parseFloat(parts[i]);
    }
    return v;
  }
}
