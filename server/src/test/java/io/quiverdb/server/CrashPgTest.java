package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while 8 clients write (INSERTs, transaction blocks and COPYs): the server runs as a
 * child process; each writer records every commit the server acknowledged (and the one it was
 * attempting when the connection broke, which is in doubt). After SIGKILL and a restart, every
 * acknowledged transaction is present in full, no transaction is partly present, and nothing is
 * present that was neither acknowledged nor in doubt, and the HNSW index on the rows' vectors
 * returns exactly the rows a table scan does. A writer thread's own failure (a wrong COPY count,
 * say) fails the test. Rounds: {@code -Dquiver.crash.rounds=N} (3 by default); seed: {@code
 * -Dquiver.crash.seed}.
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
    long seed = Long.getLong("quiver.crash.seed", System.nanoTime());
    System.out.printf("crash test: %d rounds, seed %d%n", rounds, seed);
    Random random = new Random(seed);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    for (int round = 1; round <= rounds; round++) {
      ChildServer server = ChildServer.start(dir.resolve("data"), dir, 0, List.of(), List.of());
      try {
        String url = server.awaitReady().url();
        if (round == 1) {
          try (Connection c = DriverManager.getConnection(url, "quiver", "");
              Statement s = c.createStatement()) {
            s.execute("CREATE TABLE crash (id bigint PRIMARY KEY, writer int, txn bigint,"
                + " part int, embedding vector(4))");
            s.execute("CREATE INDEX ON crash USING hnsw (embedding vector_l2_ops)");
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
          Thread t = new Thread(() -> {
            try {
              write(url, writer, firstTxn, stop, acknowledged, inDoubt);
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          });
          t.start();
          writers.add(t);
        }
        Thread.sleep(300 + random.nextInt(1200));
        server.kill(); // SIGKILL
        assertThat(server.process.isAlive()).isFalse();
        stop.set(true);
        for (Thread t : writers) {
          t.join(30_000);
        }
        if (failure.get() != null) {
          throw new AssertionError("round " + round + ": a writer failed", failure.get());
        }
      } finally {
        server.kill();
      }
      try (ChildServer again = ChildServer.start(dir.resolve("data"), dir, server.port,
          List.of(), List.of())) {
        verify(again.awaitReady().url(), acknowledged, inDoubt, round);
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
      long rows;
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM crash")) {
        rs.next();
        rows = rs.getLong(1);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id FROM crash ORDER BY"
          + " embedding <-> '[0,0,0,0]' LIMIT " + Math.max(rows, 1) + ") t")) {
        rs.next();
        assertThat(rs.getLong(1)).as("round %d: rows by the index path", round).isEqualTo(rows);
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
}
