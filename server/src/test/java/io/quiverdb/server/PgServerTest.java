package io.quiverdb.server;

import static io.quiverdb.server.TimeoutsPgTest.assertNothingArrivesFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.InDoubtException;
import io.quiverdb.common.Notice;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.wire.PgServer;
import io.quiverdb.wire.WireConfig;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.quiverdb.wire.spi.PreparedCommand;
import io.quiverdb.wire.spi.Session;
import io.quiverdb.wire.spi.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire frontend's own guarantees, over a scripted session (the engine cannot be made to hold
 * or fail a commit's sync on demand): no CommandComplete or ReadyForQuery of a commit before it
 * is durable, FATAL without the held output when it is in doubt, commits of two connections
 * waiting at the same time (so group commit can share their sync), internal errors that never
 * show their text, and statements on named statement threads with a large stack.
 */
class PgServerTest {
  /** Futures the test completes, one per commit a connection asks for, by commit name. */
  private static final Map<String, CompletableFuture<Void>> COMMITS = new ConcurrentHashMap<>();
  private static final Map<String, CountDownLatch> COMMITTING = new ConcurrentHashMap<>();
  private static PgServer server;

  @BeforeAll
  static void start() {
    server = new PgServer(WireConfig.DEFAULT.withPort(0), startup -> new ScriptedSession())
        .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RawPgClient client() throws Exception {
    return new RawPgClient(server.port());
  }

  private static CompletableFuture<Void> commit(String name) {
    COMMITTING.put(name, new CountDownLatch(1));
    return COMMITS.computeIfAbsent(name, n -> new CompletableFuture<>());
  }

  @Test
  void nothing_of_a_commit_reaches_the_client_before_it_is_durable() throws Exception {
    CompletableFuture<Void> durable = commit("c1");
    try (RawPgClient c = client()) {
      c.query("commit c1").flush();
      assertNothingArrivesFor(c, 300);
      durable.complete(null);
      assertThat(c.briefsUntilReady()).containsExactly("C COMMIT", "Z I");
    }
  }

  @Test
  void a_commit_in_doubt_ends_the_connection_with_fatal_and_nothing_it_held() throws Exception {
    CompletableFuture<Void> durable = commit("c2");
    try (RawPgClient c = client()) {
      c.query("commit c2").flush();
      assertNothingArrivesFor(c, 200);
      durable.completeExceptionally(
          new InDoubtException("could not make the commit durable: disk on fire", null));
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 58030 could not make the commit durable: disk on fire", "closed");
    }
  }

  @Test
  void two_connections_wait_for_their_commits_at_the_same_time() throws Exception {
    CompletableFuture<Void> first = commit("a");
    CompletableFuture<Void> second = commit("b");
    try (RawPgClient a = client(); RawPgClient b = client()) {
      a.query("commit a").flush();
      b.query("commit b").flush();
      assertThat(COMMITTING.get("a").await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(COMMITTING.get("b").await(10, TimeUnit.SECONDS)).as("b committed while a waits")
          .isTrue();
      second.complete(null);
      assertThat(b.briefsUntilReady()).containsExactly("C COMMIT", "Z I");
      first.complete(null);
      assertThat(a.briefsUntilReady()).containsExactly("C COMMIT", "Z I");
    }
  }

  @Test
  void an_internal_error_shows_a_generic_message_with_an_id_and_the_connection_goes_on()
      throws Exception {
    try (RawPgClient c = client()) {
      c.query("boom").flush();
      List<RawPgClient.Message> got = c.readUntilReady();
      RawPgClient.Message error = got.get(0);
      assertThat(error.type()).isEqualTo('E');
      assertThat(error.field('C')).isEqualTo("XX000");
      assertThat(error.field('M')).matches("internal error; see the server log, id [0-9a-f]{8}");
      assertThat(new String(error.body(), java.nio.charset.StandardCharsets.UTF_8))
          .doesNotContain("secret", "java.", "Exception", "readerIndex");
      c.query("thread").flush();
      assertThat(c.readUntilReady()).hasSize(4);
    }
  }

  @Test
  void statements_run_on_named_statement_threads_with_a_large_stack() throws Exception {
    int depth = depthIn4MiB();
    try (RawPgClient c = client()) {
      c.query("thread").flush();
      List<RawPgClient.Message> got = c.readUntilReady();
      String name = new String(got.get(1).body(), 6, got.get(1).body().length - 6,
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(name).startsWith("quiver-statement-");
      c.query("recurse " + 3 * depth).flush();
      assertThat(c.briefsUntilReady()).as("3 x the depth a 4 MiB stack holds")
          .containsExactly("T", "D", "C SELECT 1", "Z I");
      c.query("recurse 2000000000").flush();
      assertThat(c.briefsUntilReady()).containsExactly(
          "E ERROR 54001 stack depth limit exceeded", "Z I");
    }
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

  /** A session whose statements are scripts: commit NAME, boom, thread, recurse N. */
  private static final class ScriptedSession implements Session {
    private final CancelToken token = new CancelToken();
    private CompletableFuture<Void> durable;

    @Override
    public Map<String, String> parameterStatus() {
      return Map.of("server_version", "16.4", "client_encoding", "UTF8");
    }

    @Override
    public List<PreparedCommand> parseSimple(String sql) {
      return List.of(new Script(sql));
    }

    @Override
    public PreparedCommand prepare(String sql, int[] paramOids) {
      return new Script(sql);
    }

    @Override
    public Cursor execute(PreparedCommand command, Object[] parameters) {
      String[] words = ((Script) command).sql.split(" ");
      switch (words[0]) {
        case "commit" -> {
          durable = COMMITS.get(words[1]);
          COMMITTING.get(words[1]).countDown();
          return new Rows(null, List.of(), "COMMIT");
        }
        case "boom" -> throw new IllegalStateException("secret java internals: readerIndex(25)");
        case "thread" -> {
          return new Rows(List.of(Field.of("thread", ColumnType.TEXT)),
              List.<Object[]>of(new Object[] {Thread.currentThread().getName()}), "SELECT 1");
        }
        case "recurse" -> {
          recurse(Integer.parseInt(words[1]));
          return new Rows(List.of(Field.of("ok", ColumnType.TEXT)),
              List.<Object[]>of(new Object[] {"ok"}), "SELECT 1");
        }
        default -> {
          return new Rows(null, List.of(), "SELECT 0");
        }
      }
    }

    @Override
    public char transactionStatus() {
      return 'I';
    }

    @Override
    public void statementFailed() {}

    @Override
    public void sync() {}

    @Override
    public CompletableFuture<?> pendingDurability() {
      CompletableFuture<Void> d = durable;
      if (d != null && d.isDone() && !d.isCompletedExceptionally()) {
        durable = null;
        return null;
      }
      return d;
    }

    @Override
    public List<Notice> drainNotices() {
      return List.of();
    }

    @Override
    public Map<String, String> drainParameterChanges() {
      return Map.of();
    }

    @Override
    public FormatSettings formatSettings() {
      return FormatSettings.DEFAULT;
    }

    @Override
    public CancelToken cancelToken() {
      return token;
    }

    @Override
    public Timeouts timeouts() {
      return Timeouts.NONE;
    }

    @Override
    public void close() {}
  }

  /** A statement of the scripted session: its text. */
  private record Script(String sql) implements PreparedCommand {
    @Override
    public boolean isEmpty() {
      return sql.isBlank();
    }

    @Override
    public List<ColumnType> parameterTypes() {
      return List.of();
    }

    @Override
    public List<Field> fields() {
      return null;
    }
  }

  /** A cursor over rows given up front. */
  private static final class Rows implements Cursor {
    private final List<Field> fields;
    private final List<Object[]> rows;
    private final String tag;
    private int next;

    Rows(List<Field> fields, List<Object[]> rows, String tag) {
      this.fields = fields;
      this.rows = new ArrayList<>(rows);
      this.tag = tag;
    }

    @Override
    public List<Field> fields() {
      return fields;
    }

    @Override
    public Object[] next() {
      return next < rows.size() ? rows.get(next++) : null;
    }

    @Override
    public String commandTag() {
      return tag;
    }

    @Override
    public void close() {}
  }
}
