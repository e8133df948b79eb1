package io.quiverdb.server;

import static io.quiverdb.server.TimeoutsPgTest.assertNothingArrivesFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.FaultPoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frontend against the real engine, held or failed at its fault points: no CommandComplete or
 * ReadyForQuery of a commit reaches the client before the commit is durable, a commit in doubt
 * ends the connection with FATAL and nothing it held, commits of several connections wait at once
 * and share one sync, an internal error shows only a generic message with an id, and statements
 * run on named statement threads with a large stack.
 */
class CommitPathPgTest {
  @TempDir Path dir;
  private final Map<String, Runnable> actions = new ConcurrentHashMap<>();
  private QuiverServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start() throws Exception {
    FaultPoints faults = point -> actions.getOrDefault(point, () -> { }).run();
    server = new QuiverServer(ServerConfig.DEFAULT.withPort(0).withDataDir(dir.resolve("data"))
        .withStorage(ServerConfig.DEFAULT.storage().withFaults(faults))).start();
    try (RawPgClient c = client()) {
      c.query("CREATE TABLE t (id bigint PRIMARY KEY)").flush();
      assertThat(c.briefsUntilReady()).containsExactly("C CREATE TABLE", "Z I");
    }
  }

  private RawPgClient client() throws Exception {
    return new RawPgClient(server.port());
  }

  /** Makes the next syncs wait at the point until {@code open} counts down. */
  private CountDownLatch holdSyncs(CountDownLatch reached) {
    CountDownLatch open = new CountDownLatch(1);
    actions.put("wal.sync.before", () -> {
      reached.countDown();
      await(open);
    });
    return open;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void nothing_of_a_commit_reaches_the_client_before_it_is_durable() throws Exception {
    start();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch open = holdSyncs(reached);
    try (RawPgClient c = client()) {
      c.query("INSERT INTO t VALUES (1)").flush();
      assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
      assertNothingArrivesFor(c, 300);
      open.countDown();
      assertThat(c.briefsUntilReady()).containsExactly("C INSERT 0 1", "Z I");
    }
  }

  @Test
  void a_commit_in_doubt_ends_the_connection_with_fatal_and_nothing_it_held() throws Exception {
    start();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    actions.put("wal.sync.before", () -> {
      reached.countDown();
      await(open);
      throw new IllegalStateException("injected: the disk is on fire");
    });
    try (RawPgClient c = client()) {
      c.query("INSERT INTO t VALUES (1)").flush();
      assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
      open.countDown();
      List<String> got = c.readUntilClosed();
      assertThat(got).hasSize(2);
      assertThat(got.get(0)).startsWith("E FATAL 58030 could not make the commit durable")
          .contains("may or may not have been committed");
      assertThat(got.get(1)).isEqualTo("closed");
    }
    try (RawPgClient c = client()) {
      c.query("SELECT count(*) FROM t").flush();
      assertThat(c.briefsUntilReady()).as("reads go on; the in-doubt row never became visible")
          .containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  @Test
  void commits_of_several_connections_wait_at_once_and_share_a_sync() throws Exception {
    start();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch open = holdSyncs(reached);
    try (RawPgClient a = client(); RawPgClient b = client(); RawPgClient c = client()) {
      long[] before = server.store().commitCounts();
      a.query("INSERT INTO t VALUES (1)").flush();
      assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue(); // a's sync is held
      b.query("INSERT INTO t VALUES (2)").flush();
      c.query("INSERT INTO t VALUES (3)").flush();
      assertNothingArrivesFor(b, 300);
      actions.remove("wal.sync.before");
      open.countDown();
      for (RawPgClient x : List.of(a, b, c)) {
        assertThat(x.briefsUntilReady()).containsExactly("C INSERT 0 1", "Z I");
      }
      long[] after = server.store().commitCounts();
      assertThat(after[1] - before[1]).as("commits").isEqualTo(3);
      assertThat(after[0] - before[0]).as("syncs: b and c shared the one after a's").isEqualTo(2);
    }
  }

  @Test
  void an_internal_error_shows_a_generic_message_with_an_id_and_the_connection_goes_on()
      throws Exception {
    start();
    actions.put("snapshot.begin", () -> {
      throw new IllegalStateException("secret java internals: readerIndex(25)");
    });
    try (RawPgClient c = client()) {
      c.query("SELECT * FROM t").flush();
      List<RawPgClient.Message> got = c.readUntilReady();
      RawPgClient.Message error = got.get(0);
      assertThat(error.type()).isEqualTo('E');
      assertThat(error.field('C')).isEqualTo("XX000");
      assertThat(error.field('M')).matches("internal error; see the server log, id [0-9a-f]{8}");
      assertThat(new String(error.body(), StandardCharsets.UTF_8))
          .doesNotContain("secret", "java.", "Exception", "readerIndex");
      actions.remove("snapshot.begin");
      c.query("SELECT 1").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  @Test
  void statements_run_on_named_statement_threads_with_a_large_stack() throws Exception {
    start();
    int depth = depthIn4MiB();
    String[] thread = new String[1];
    boolean[] deep = new boolean[1];
    actions.put("snapshot.begin", () -> {
      thread[0] = Thread.currentThread().getName();
      recurse(3 * depth);
      deep[0] = true;
    });
    try (RawPgClient c = client()) {
      c.query("SELECT * FROM t").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "C SELECT 0", "Z I");
    }
    assertThat(thread[0]).startsWith("quiver-statement-");
    assertThat(deep[0]).as("3 x the depth a 4 MiB stack holds").isTrue();
  }

  @Test
  void a_planned_primary_key_lookup_runs_on_the_event_loop_and_a_scan_does_not()
      throws Exception {
    start();
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    actions.put("snapshot.begin", () -> threads.add(Thread.currentThread().getName()));
    try (RawPgClient c = client()) {
      // the first one plans, on a statement thread (and plans again if the catalog moved on
      // since CREATE TABLE); once planned, it runs on the event loop
      for (int i = 0; i < 5; i++) {
        c.query("SELECT id FROM t WHERE id = 1").flush();
        assertThat(c.briefsUntilReady()).containsExactly("T", "C SELECT 0", "Z I");
      }
      c.query("SELECT id FROM t").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "C SELECT 0", "Z I");
    }
    assertThat(threads).hasSize(6);
    assertThat(threads.get(0)).startsWith("quiver-statement-");
    assertThat(threads.subList(1, 5)).as("a bounded statement, planned")
        .anyMatch(t -> t.startsWith("quiver-io-"));
    assertThat(threads.get(5)).as("a scan").startsWith("quiver-statement-");
  }

  /** How deep {@link #recurse} goes on a thread with a 4 MiB stack (warmed up first). */
  private static int depthIn4MiB() throws Exception {
    for (int i = 0; i < 20_000; i++) {
      recurse(200);
    }
    int[] depth = new int[1];
    Thread t = new Thread(null, () -> {
      int n = 1000;
      while (true) {
        try {
          recurse(n);
          depth[0] = n;
          n += n / 4;
        } catch (StackOverflowError e) {
          return;
        }
      }
    }, "probe", 4L << 20);
    t.start();
    t.join();
    return depth[0];
  }

  private static long recurse(int n) {
    return n == 0 ? 0 : 1 + recurse(n - 1);
  }
}
