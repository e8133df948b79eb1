package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while 8 clients write (INSERTs, transaction blocks and COPYs): the server runs as a
 * child process; each writer records every commit the server acknowledged (and the one it was
 * attempting when the connection broke, which is in doubt). After SIGKILL and a restart, every
 * acknowledged transaction is present in full, no transaction is partly present, and nothing is
 * present that was neither acknowledged nor in doubt. Rounds: {@code -Dquiver.crash.rounds=N} (3
 * by default).
 */
class CrashPgTest {
  private static final int WRITERS = 8;

  @TempDir Path dir;

  /** A transaction a writer attempted: its id and how many rows it inserts. */
  private record Txn(int writer, long id, int parts) {}

  @Test
  void acknowledged_commits_survive_sigkill_and_no_transaction_is_partial() throws Exception {
    int rounds = Integer.getInteger("quiver.crash.rounds", 3);
    Set<Txn> acknowledged = ConcurrentHashMap.newKeySet();
    Set<Txn> inDoubt = ConcurrentHashMap.newKeySet();
    Random random = new Random(Long.getLong("quiver.crash.seed", System.nanoTime()));
    for (int round = 1; round <= rounds; round++) {
      int port = freePort();
      Process server = startServer(port, round);
      try {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/quiver";
        awaitReady(url);
        if (round == 1) {
          try (Connection c = DriverManager.getConnection(url, "quiver", "");
              Statement s = c.createStatement()) {
            s.execute("CREATE TABLE crash (id bigint PRIMARY KEY, writer int, txn bigint,"
                + " part int, embedding vector(4))");
            s.execute("CREATE TABLE counters (writer int PRIMARY KEY, n bigint)");
            for (int w = 0; w < WRITERS; w++) {
              s.execute("INSERT INTO counters VALUES (" + w + ", 0)");
            }
          }
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          long firstTxn = (long) round * 1_000_000;
          Thread t = new Thread(() -> write(url, writer, firstTxn, stop, acknowledged, inDoubt));
          t.start();
          writers.add(t);
        }
        Thread.sleep(300 + random.nextInt(1200));
        server.destroyForcibly(); // SIGKILL
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : writers) {
          t.join(30_000);
        }
      } finally {
        server.destroyForcibly();
      }
      Process again = startServer(port, round);
      try {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/quiver";
        awaitReady(url);
        verify(url, acknowledged, inDoubt, round);
      } finally {
        again.destroyForcibly();
        again.waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledged.size()).as("commits acknowledged over all rounds")
        .isGreaterThan(rounds * 20);
    System.out.printf("crash test: %d rounds, %d acknowledged transactions all present%n",
        rounds, acknowledged.size());
  }

  /** How many rows transaction {@code id} writes: a COPY 3, a block 2, an INSERT 1. */
  private static int parts(long id) {
    return id % 5 == 0 ? 3 : id % 3 != 0 ? 2 : 1;
  }

  /**
   * One client: autocommit inserts, 3-statement transactions and COPYs of 3 rows (acknowledged
   * when the client gets {@code COPY 3}) until it breaks.
   */
  private static void write(String url, int writer, long firstTxn, AtomicBoolean stop,
      Set<Txn> acknowledged, Set<Txn> inDoubt) {
    try (Connection c = DriverManager.getConnection(url, "quiver", "");
        Statement s = c.createStatement()) {
      for (long id = firstTxn; !stop.get(); id++) {
        Txn txn = new Txn(writer, id, parts(id));
        boolean block = txn.parts() == 2;
        inDoubt.add(txn);
        if (txn.parts() == 3) {
          StringBuilder rows = new StringBuilder();
          for (int part = 0; part < 3; part++) {
            rows.append(key(txn, part)).append('\t').append(writer).append('\t').append(id)
                .append('\t').append(part).append("\t[").append(writer).append(',').append(part)
                .append(",0.5,").append(id % 100).append("]\n");
          }
          long n = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(
              "COPY crash FROM STDIN", new java.io.ByteArrayInputStream(
                  rows.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
          if (n != 3) {
            throw new AssertionError("COPY " + n);
          }
        } else if (block) {
          s.execute("BEGIN");
          s.execute(insert(txn, 0));
          s.execute("UPDATE counters SET n = n + 1 WHERE writer = " + writer);
          s.execute(insert(txn, 1));
          s.execute("COMMIT");
        } else {
          s.execute(insert(txn, 0));
        }
        acknowledged.add(txn);
        inDoubt.remove(txn);
      }
    } catch (SQLException | java.io.IOException expected) {
      // the server was killed: the attempted transaction stays in doubt
    }
  }

  private static long key(Txn t, int part) {
    return (t.writer() * 100_000_000L + t.id()) * 3 + part;
  }

  private static String insert(Txn t, int part) {
    long key = key(t, part);
    return "INSERT INTO crash VALUES (" + key + ", " + t.writer() + ", " + t.id() + ", " + part
        + ", '[" + t.writer() + "," + part + ",0.5," + (t.id() % 100) + "]')";
  }

  private static void verify(String url, Set<Txn> acknowledged, Set<Txn> inDoubt, int round)
      throws Exception {
    Map<Txn, Integer> present = new HashMap<>();
    Map<Integer, Long> blocks = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url, "quiver", "");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(
          "SELECT writer, txn, count(*) FROM crash GROUP BY writer, txn")) {
        while (rs.next()) {
          long id = rs.getLong(2);
          int n = rs.getInt(3);
          int parts = parts(id);
          present.put(new Txn(rs.getInt(1), id, parts), n);
          if (parts == 2) {
            blocks.merge(rs.getInt(1), 1L, Long::sum);
          }
        }
      }
      for (Txn t : acknowledged) {
        assertThat(present.get(t)).as("round %d: acknowledged %s", round, t)
            .isEqualTo(t.parts());
      }
      for (Map.Entry<Txn, Integer> e : present.entrySet()) {
        Txn t = e.getKey();
        assertThat(acknowledged.contains(t) || inDoubt.contains(t))
            .as("round %d: %s was never acknowledged nor attempted", round, t).isTrue();
        assertThat(e.getValue()).as("round %d: %s is partly present", round, t)
            .isEqualTo(t.parts());
      }
      try (ResultSet rs = s.executeQuery("SELECT writer, n FROM counters")) {
        while (rs.next()) {
          assertThat(rs.getLong(2)).as("round %d: counter of writer %d", round, rs.getInt(1))
              .isEqualTo(blocks.getOrDefault(rs.getInt(1), 0L));
        }
      }
    }
    // what survived is now known: in-doubt transactions are settled either way
    for (Map.Entry<Txn, Integer> e : present.entrySet()) {
      if (inDoubt.remove(e.getKey())) {
        acknowledged.add(e.getKey());
      }
    }
    inDoubt.clear();
  }

  private Process startServer(int port, int round) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path log = dir.resolve("server-" + round + "-" + System.nanoTime() + ".log");
    return new ProcessBuilder(java, "-Xmx512m", "--add-modules", "jdk.incubator.vector", "-cp", classpath, Main.class.getName(),
        "--port", Integer.toString(port), "--data", dir.resolve("data").toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void awaitReady(String url) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = DriverManager.getConnection(url, "quiver", "")) {
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
