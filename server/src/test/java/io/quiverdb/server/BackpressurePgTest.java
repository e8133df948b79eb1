package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import io.quiverdb.server.RawPgClient.Message;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A result is produced only as fast as the client reads it: a slow reader of a large SELECT costs
 * the server a bounded amount of memory, and a CancelRequest or statement_timeout stops the
 * statement at once, however much is left. Statements run off the event loop, so one connection
 * blocked on a slow client or in a long statement does not hold up another served by the same
 * event loop (the server runs a single one here).
 */
class BackpressurePgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension(
      c -> c.with("worker_threads", "1", "in the test"));

  private static final int ROWS = 1_000_000;
  private static final long MIB = 1 << 20;
  private static final String PAD = "x".repeat(100);

  private static ResourceLeakDetector.Level leakDetection;

  /**
   * Paranoid leak detection records a stack trace at every access of every buffer, which makes
   * producing rows some ten times slower; these tests measure memory and time, so they run with
   * the simple level (every other test keeps paranoid).
   */
  @BeforeAll
  static void load() throws Exception {
    leakDetection = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE wide (id bigint PRIMARY KEY, pad text)");
      int batch = 100_000;
      for (int from = 0; from < ROWS; from += batch) {
        StringBuilder data = new StringBuilder(batch * 110);
        for (int i = from; i < from + batch; i++) {
          data.append(i).append('\t').append(PAD).append('\n');
        }
        assertThat(CopyPgTest.in(c, "COPY wide FROM STDIN", data.toString())).isEqualTo(batch);
      }
    }
  }

  @AfterAll
  static void restoreLeakDetection() {
    ResourceLeakDetector.setLevel(leakDetection);
  }

  /** Heap in use after a collection, plus Netty's pooled direct memory in use. */
  private static long[] memory() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = Math.max(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(),
        PlatformDependent.usedDirectMemory());
    return new long[] {heap, direct};
  }

  /** Reads whole messages at about {@code bytesPerSecond} until {@code untilNanos}. */
  private static long readSlowly(DataInputStream in, int bytesPerSecond, long untilNanos,
      Message[] last) throws IOException {
    long start = System.nanoTime();
    long read = 0;
    long rows = 0;
    while (System.nanoTime() < untilNanos) {
      long allowed = (System.nanoTime() - start) * bytesPerSecond / 1_000_000_000L;
      if (read >= allowed) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing a slow reader
        continue;
      }
      Message m = readMessage(in);
      read += m.body().length + 5;
      if (m.type() == 'D') {
        rows++;
      } else if (m.type() == 'E' || m.type() == 'C') {
        last[0] = m;
        return rows;
      }
    }
    return rows;
  }

  private static Message readMessage(DataInputStream in) throws IOException {
    char type = (char) in.readUnsignedByte();
    byte[] body = new byte[in.readInt() - 4];
    in.readFully(body);
    return new Message(type, body);
  }

  /** Reads as fast as possible up to the statement's end; returns the rows and the end. */
  private static long readFast(DataInputStream in, Message[] last) throws IOException {
    long rows = 0;
    while (true) {
      Message m = readMessage(in);
      if (m.type() == 'D') {
        rows++;
      } else if (m.type() == 'E' || m.type() == 'C') {
        last[0] = m;
        return rows;
      }
    }
  }

  @Test
  void a_slow_reader_costs_bounded_memory_and_a_cancel_stops_the_statement_at_once()
      throws Exception {
    long[] before = memory();
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.socket().setReceiveBufferSize(16 * 1024);
      DataInputStream in = c.input();
      c.query("SELECT * FROM wide").flush();
      Message[] last = new Message[1];
      long rows = readSlowly(in, 64 * 1024, System.nanoTime() + TimeUnit.SECONDS.toNanos(2),
          last);
      long[] during = memory();
      System.out.printf("slow reader: %d rows in 2 s; heap %+d MiB, direct %+d MiB (pooled %d"
          + " MiB, all %d MiB)%n", rows, (during[0] - before[0]) / MIB,
          (during[1] - before[1]) / MIB,
          PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() / MIB,
          PlatformDependent.usedDirectMemory() / MIB);
      assertThat(last[0]).isNull();
      assertThat(during[0] - before[0]).as("heap growth").isLessThan(64 * MIB);
      assertThat(during[1] - before[1]).as("direct memory growth").isLessThan(64 * MIB);

      long cancelAt = System.nanoTime();
      RawPgClient.cancel(SERVER.port(), c.processId(), c.secretKey());
      rows += readFast(in, last);
      long millis = (System.nanoTime() - cancelAt) / 1_000_000;
      System.out.printf("cancel: error after %d ms, %d rows in all%n", millis, rows);
      assertThat(last[0].brief())
          .isEqualTo("E ERROR 57014 canceling statement due to user request");
      assertThat(millis).isLessThan(500);
      assertThat(rows).isLessThan(ROWS / 10);
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
      c.query("SELECT count(*) FROM wide").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  @Test
  void statement_timeout_stops_a_statement_waiting_for_a_slow_reader() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.socket().setReceiveBufferSize(16 * 1024);
      DataInputStream in = c.input();
      c.query("SET statement_timeout = '1s'").flush();
      c.readUntilReady();
      long start = System.nanoTime();
      c.query("SELECT * FROM wide").flush();
      Message[] last = new Message[1];
      long rows = readSlowly(in, 64 * 1024, start + TimeUnit.SECONDS.toNanos(1), last);
      rows += readFast(in, last);
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("statement_timeout 1s: error after %d ms, %d rows%n", millis, rows);
      assertThat(last[0].brief())
          .isEqualTo("E ERROR 57014 canceling statement due to statement timeout");
      assertThat(millis).as("1 s, then at most 500 ms").isBetween(1000L, 1500L);
      assertThat(rows).isLessThan(ROWS / 10);
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
    }
  }

  @Test
  void a_cancel_with_the_wrong_key_does_nothing() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("SELECT * FROM wide WHERE id < 200000").flush();
      assertThat(c.read().type()).isEqualTo('T');
      RawPgClient.cancel(SERVER.port(), c.processId(), c.secretKey() + 1);
      RawPgClient.cancel(SERVER.port(), c.processId() + 1, c.secretKey());
      Message[] last = new Message[1];
      long rows = readFast(c.input(), last);
      assertThat(rows).isEqualTo(200_000);
      assertThat(last[0].brief()).isEqualTo("C SELECT 200000");
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
    }
  }

  /**
   * While a connection's statement waits for its slow client, the server reads no more than
   * about 1 MiB of that client's further messages: the client's writes stall instead of the
   * server buffering them.
   */
  @Test
  void input_is_not_read_beyond_a_bound_while_the_connection_is_busy() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.socket().setReceiveBufferSize(16 * 1024);
      c.query("SELECT * FROM wide").flush();
      assertThat(c.read().type()).isEqualTo('T');
      long[] written = new long[1];
      byte[] copyData = new RawPgClient.Body().bytes(new byte[64 * 1024 - 5]).message('d');
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 3200; i++) { // 200 MiB of CopyData, which is ignored outside COPY
            c.sendRaw(copyData).flush();
            written[0] += copyData.length;
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "writer");
      writer.setDaemon(true);
      writer.start();
      long last = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (written[0] != last && System.nanoTime() < deadline) { // until the writer stalls
        last = written[0];
        writer.join(1000);
      }
      System.out.printf("the client could write %d MiB while its statement waited%n",
          written[0] / MIB);
      assertThat(writer.isAlive()).as("the writer stalled").isTrue();
      assertThat(written[0]).isLessThan(32 * MIB);
      RawPgClient.cancel(SERVER.port(), c.processId(), c.secretKey());
      Message[] end = new Message[1];
      readFast(c.input(), end);
      assertThat(end[0].field('C')).isEqualTo("57014");
      writer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(written[0]).isEqualTo(3200L * copyData.length);
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
      c.query("SELECT 1").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  /**
   * One event loop serves every connection here; a statement blocked on a client that reads
   * nothing, and one scanning the whole table, must not keep a new connection from its answer.
   */
  @Test
  void a_blocked_statement_does_not_hold_up_other_connections_on_its_event_loop()
      throws Exception {
    try (RawPgClient blocked = new RawPgClient(SERVER.port());
        RawPgClient scanning = new RawPgClient(SERVER.port())) {
      blocked.socket().setReceiveBufferSize(16 * 1024);
      blocked.query("SELECT * FROM wide UNION ALL SELECT * FROM wide UNION ALL"
          + " SELECT * FROM wide").flush();
      assertThat(blocked.read().type()).isEqualTo('T');
      scanning.query("SELECT count(*) FROM wide a WHERE pad LIKE '%y%'").flush();
      long start = System.nanoTime();
      try (RawPgClient other = new RawPgClient(SERVER.port())) {
        other.setTimeout(2000);
        other.query("SELECT 1").flush();
        assertThat(other.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("SELECT 1 on a new connection answered in %d ms%n", millis);
      assertThat(millis).isLessThan(2000);
      RawPgClient.cancel(SERVER.port(), blocked.processId(), blocked.secretKey());
      Message[] last = new Message[1];
      readFast(blocked.input(), last);
      assertThat(last[0].field('C')).isEqualTo("57014");
      assertThat(scanning.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }
}
