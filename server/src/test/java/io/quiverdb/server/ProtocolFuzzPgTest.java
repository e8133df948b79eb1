package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A black-box fuzzer of the frontend protocol: real client traces (startup, simple queries,
 * Parse/Bind/Describe/Execute/Sync with text and binary parameters, COPY in and out), mutated
 * (bytes, length fields at 0, 3, 4, 2^31-1, parameter counts, truncation, dropped, repeated and
 * reordered messages, invalid UTF-8, deeply nested expressions, huge literals), and plain noise,
 * each case on a fresh connection. A case passes when the server answers or closes within a
 * deadline once the client has stopped sending, and no error text shows an internal message
 * (an exception, a Java class, "readerIndex"); the run passes when the server still answers
 * {@code SELECT 1} throughout and its heap returns near its baseline.
 *
 * <p>Seeded: the seed is printed; {@code -Dquiver.fuzz.seed=N} replays it. {@code
 * -Dquiver.fuzz.seconds=N} sets the run's length (30 s in the build; 600 for the long run).
 */
class ProtocolFuzzPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static final String SENTINEL = "quiver-fuzz-sentinel";
  /** An SSLRequest packet (length 8, code 80877103) as one long. */
  private static final long SSL_REQUEST = 8L << 32 | 80877103;
  private static final String[] LEAKS = {"Exception", "java.", "javax.", "readerIndex",
      "io.netty", "io.quiverdb", "org.antlr", "org.apache", "\tat "};
  private static final long MIB = 1 << 20;
  private static final String[] QUERIES = {
      "SELECT * FROM fz WHERE id = 1",
      "SELECT id, s FROM fz ORDER BY v <-> '[1,2,3]' LIMIT 2",
      "INSERT INTO fz VALUES (100, 'x', '[1,1,1]')",
      "UPDATE fz SET s = 'y' WHERE id = 2",
      "DELETE FROM fz WHERE id = 100",
      "BEGIN", "COMMIT", "ROLLBACK", "SHOW ALL", "SET statement_timeout = '5s'",
      "SET idle_in_transaction_session_timeout = 0", "SELECT 1; SELECT 2",
      "SELECT count(*), sum(id) FROM fz GROUP BY s", "SELECT '[1,2,3]'::vector <-> '[3,2,1]'",
      "EXPLAIN SELECT * FROM fz", "COPY fz TO STDOUT", "COPY fz TO STDOUT (FORMAT binary)",
      "SELECT $1::text", "SELECT 1/0", "SELECT * FROM missing", ""};

  private static final Map<String, AtomicLong> STATS = new ConcurrentHashMap<>();
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fuzz-writer");
    t.setDaemon(true);
    return t;
  });
  private static final List<String> FAILURES = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void createTable() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("CREATE TABLE fz (id bigint PRIMARY KEY, s text, v vector(3));"
          + " INSERT INTO fz VALUES (1, 'a', '[1,2,3]'), (2, 'b', '[3,2,1]'), (3, 'c', '[0,0,1]')")
          .flush();
      c.readUntilReady();
    }
  }

  @Test
  void mutated_client_traces_never_crash_hang_or_leak_internals() throws Exception {
    long seed = Long.getLong("quiver.fuzz.seed", System.nanoTime());
    long seconds = Long.getLong("quiver.fuzz.seconds", 30);
    System.out.println("ProtocolFuzzPgTest seed " + seed + " (-Dquiver.fuzz.seed=" + seed
        + "), " + seconds + " s");
    Random seeds = new Random(seed);
    for (int i = 0; i < 20; i++) {
      runCase(new Random(seeds.nextLong())); // warm-up, so that the baseline includes the JIT
    }
    long baseline = usedHeap();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long nextCheck = 0;
    int cases = 0;
    Thread[] workers = new Thread[2];
    long[] workerSeeds = {seeds.nextLong(), seeds.nextLong()};
    for (int w = 0; w < workers.length; w++) {
      Random random = new Random(workerSeeds[w]);
      workers[w] = new Thread(() -> {
        while (System.nanoTime() < deadline && FAILURES.isEmpty()) {
          long caseSeed = random.nextLong();
          try {
            runCase(new Random(caseSeed));
          } catch (Throwable t) {
            FAILURES.add("case seed " + caseSeed + ": " + t);
          }
          STATS.computeIfAbsent("cases", k -> new AtomicLong()).incrementAndGet();
        }
      }, "fuzz-" + w);
      workers[w].start();
    }
    while (System.nanoTime() < deadline && FAILURES.isEmpty()) {
      if (System.nanoTime() > nextCheck) {
        assertAnswersSelectOne();
        nextCheck = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      }
      workers[0].join(200);
    }
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(w.isAlive()).as("a fuzz client is stuck").isFalse();
    }
    assertAnswersSelectOne();
    long growth = usedHeap() - baseline;
    System.out.println("ProtocolFuzzPgTest: " + new TreeMap<>(STATS) + "; heap growth "
        + growth / MIB + " MiB");
    assertThat(FAILURES).isEmpty();
    assertThat(growth).as("heap growth after the run").isLessThan(64 * MIB);
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void assertAnswersSelectOne() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.setTimeout(5000);
      c.query("SELECT 1").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  // ------------------------------------------------------------ one case

  /** Sends one case on a fresh connection and checks what comes back. */
  private static void runCase(Random random) throws IOException {
    byte[] bytes = Cases.generate(random);
    try (Socket s = new Socket("127.0.0.1", SERVER.port())) {
      s.setSoTimeout(300);
      if (bytes.length > 8 && java.nio.ByteBuffer.wrap(bytes).getLong() == SSL_REQUEST) {
        s.getOutputStream().write(bytes, 0, 8); // a client waits for the answer to SSLRequest
        s.setSoTimeout(15_000);
        assertThat(s.getInputStream().read()).as("the answer to SSLRequest").isEqualTo('N');
        s.setSoTimeout(300);
        bytes = java.util.Arrays.copyOfRange(bytes, 8, bytes.length);
      }
      byte[] toSend = concat(bytes, sentinel());
      // written by another thread: a client that only writes while the server waits for it to
      // read would deadlock both, as it would with PostgreSQL
      Future<?> written = WRITERS.submit(() -> {
        try {
          s.getOutputStream().write(toSend);
          s.getOutputStream().flush();
        } catch (IOException closedWhileWriting) {
          // the server ended the connection (a bad length, a FATAL): what it said is read below
        }
        return null;
      });
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
      in.mark(1);
      try {
        if (in.read() != 'N') { // the answer to a (mutated into) SSL or GSSAPI request
          in.reset();
        }
      } catch (SocketTimeoutException | SocketException nothingYet) {
        in.reset();
      }
      boolean closed = readReplies(s, in, true, 0);
      if (!closed) {
        try {
          written.get(15, TimeUnit.SECONDS);
          s.shutdownOutput(); // the client is done: the server must close within the deadline
        } catch (SocketException alreadyClosed) {
          return;
        } catch (Exception e) {
          throw new AssertionError("the server read nothing more for 15 s", e);
        }
        s.setSoTimeout(15_000);
        readReplies(s, in, false, System.nanoTime() + TimeUnit.SECONDS.toNanos(15));
      }
      written.cancel(true);
    }
  }

  private static byte[] sentinel() {
    return concat(new RawPgClient.Body().message('S'),
        new RawPgClient.Body().cstring("SELECT '" + SENTINEL + "'").message('Q'));
  }

  /**
   * Reads replies, checking each: until the sentinel's answer or a pause ({@code untilQuiet}),
   * else until the server closes; true when it closed.
   */
  private static boolean readReplies(Socket s, DataInputStream in, boolean untilQuiet,
      long deadlineNanos) throws IOException {
    boolean sentinelSeen = false;
    while (true) {
      int type;
      try {
        type = in.read();
      } catch (SocketTimeoutException e) {
        if (untilQuiet) {
          return false;
        }
        throw new AssertionError("the server neither answered nor closed within the deadline");
      } catch (SocketException e) {
        return true; // reset: the server closed with our bytes unread
      }
      if (type < 0) {
        return true;
      }
      byte[] body;
      int timeout = s.getSoTimeout();
      try {
        s.setSoTimeout(15_000); // the rest of a message the server has begun to send
        int length = in.readInt();
        assertThat(length).as("backend message length").isBetween(4, 64 << 20);
        body = new byte[length - 4];
        in.readFully(body);
      } catch (EOFException | SocketException e) {
        return true;
      } finally {
        if (!s.isClosed()) {
          s.setSoTimeout(timeout);
        }
      }
      RawPgClient.Message m = new RawPgClient.Message((char) type, body);
      check(m);
      if (m.type() == 'D' && new String(body, StandardCharsets.UTF_8).contains(SENTINEL)) {
        sentinelSeen = true;
      }
      if (m.type() == 'Z' && sentinelSeen && untilQuiet) {
        return false;
      }
      if (!untilQuiet && System.nanoTime() > deadlineNanos) {
        throw new AssertionError("the server kept sending past the deadline");
      }
    }
  }

  private static void check(RawPgClient.Message m) {
    STATS.computeIfAbsent("message " + m.type(), k -> new AtomicLong()).incrementAndGet();
    if (m.type() != 'E' && m.type() != 'N') {
      return;
    }
    String code = m.field('C');
    STATS.computeIfAbsent("sqlstate " + code, k -> new AtomicLong()).incrementAndGet();
    for (char f : new char[] {'M', 'D', 'H', 'W'}) {
      String text = m.field(f);
      if (text == null) {
        continue;
      }
      for (String leak : LEAKS) {
        if (text.contains(leak)) {
          FAILURES.add("an internal text reached the client: " + m.brief() + " / " + text);
        }
      }
    }
    if ("XX000".equals(code) && !m.field('M').matches(
        "internal error; see the server log, id [0-9a-f]{8}")) {
      FAILURES.add("XX000 with a specific text: " + m.field('M'));
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  /** Builds cases: a trace of frontend messages, mutated, as the bytes to send. */
  static final class Cases {
    private Cases() {}

    static byte[] generate(Random r) {
      List<byte[]> messages = new ArrayList<>();
      messages.add(startup(r));
      int n = 1 + r.nextInt(8);
      for (int i = 0; i < n; i++) {
        messages.addAll(step(r));
      }
      if (r.nextInt(3) > 0) {
        structural(r, messages);
      }
      byte[] bytes = concat(messages.toArray(new byte[0][]));
      int mutations = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(4);
      for (int i = 0; i < mutations && bytes.length > 0; i++) {
        bytes = mutate(r, bytes);
      }
      return bytes;
    }

    private static byte[] startup(Random r) {
      byte[] ssl = r.nextInt(4) == 0 ? new RawPgClient.Body().int32(8).int32(80877103).build()
          : new byte[0];
      if (r.nextInt(20) == 0) {
        return concat(ssl, new RawPgClient.Body().int32(16).int32(80877102).int32(r.nextInt())
            .int32(r.nextInt()).build());
      }
      List<String> pairs = new ArrayList<>(List.of("user", "quiver", "database", "quiver"));
      if (r.nextBoolean()) {
        pairs.addAll(List.of("application_name", "fuzz", "client_encoding", "UTF8"));
      }
      if (r.nextInt(8) == 0) {
        pairs.addAll(List.of("options", "-c statement_timeout=" + r.nextInt(10_000)));
      }
      if (r.nextInt(10) == 0) {
        pairs.addAll(List.of("_pq_.fuzz", "1"));
      }
      return concat(ssl, RawPgClient.startupPacket(pairs.toArray(new String[0])));
    }

    /** One step of a client's conversation: a few messages. */
    private static List<byte[]> step(Random r) {
      RawPgClient.Body b = new RawPgClient.Body();
      String sql = r.nextInt(6) == 0 ? generatedSql(r) : QUERIES[r.nextInt(QUERIES.length)];
      switch (r.nextInt(6)) {
        case 0, 1 -> {
          return List.of(new RawPgClient.Body().cstring(sql).message('Q'));
        }
        case 2 -> {
          String name = r.nextBoolean() ? "" : "s" + r.nextInt(3);
          String portal = r.nextBoolean() ? "" : "p" + r.nextInt(3);
          List<byte[]> out = new ArrayList<>();
          out.add(b.cstring(name).cstring(sql).int16(r.nextInt(2)).int32(25).message('P'));
          boolean binary = r.nextBoolean();
          RawPgClient.Body bind = new RawPgClient.Body().cstring(portal).cstring(name).int16(1)
              .int16(binary ? 1 : 0).int16(r.nextInt(3));
          byte[] value = r.nextInt(4) == 0 ? invalidUtf8(r)
              : "hello".getBytes(StandardCharsets.UTF_8);
          bind.int32(value.length).bytes(value);
          bind.int32(r.nextBoolean() ? -1 : 1).bytes('7');
          bind.int16(r.nextInt(3)).int16(r.nextInt(2)).int16(r.nextInt(2));
          out.add(bind.message('B'));
          out.add(new RawPgClient.Body().bytes(r.nextBoolean() ? 'P' : 'S')
              .cstring(r.nextBoolean() ? portal : name).message('D'));
          out.add(new RawPgClient.Body().cstring(portal).int32(r.nextInt(3)).message('E'));
          if (r.nextInt(3) == 0) {
            out.add(new RawPgClient.Body().bytes('P').cstring(portal).message('C'));
          }
          out.add(new RawPgClient.Body().message(r.nextInt(4) == 0 ? 'H' : 'S'));
          return out;
        }
        case 3 -> {
          List<byte[]> out = new ArrayList<>();
          out.add(new RawPgClient.Body().cstring("COPY fz FROM STDIN"
              + (r.nextBoolean() ? "" : " (FORMAT csv)")).message('Q'));
          String rows = (1000 + r.nextInt(1000)) + "\tz\t[1,2,3]\n" + (3000 + r.nextInt(1000))
              + "\tw\t[3,2,1]\n";
          int cut = r.nextInt(rows.length());
          out.add(new RawPgClient.Body().bytes(rows.substring(0, cut)
              .getBytes(StandardCharsets.UTF_8)).message('d'));
          out.add(new RawPgClient.Body().bytes(rows.substring(cut)
              .getBytes(StandardCharsets.UTF_8)).message('d'));
          out.add(r.nextInt(4) == 0 ? new RawPgClient.Body().cstring("stop").message('f')
              : new RawPgClient.Body().message('c'));
          return out;
        }
        case 4 -> {
          return List.of(new RawPgClient.Body().cstring("ROLLBACK").message('Q'),
              new RawPgClient.Body().message('H'));
        }
        default -> {
          byte[] noise = new byte[r.nextInt(64)];
          r.nextBytes(noise);
          return List.of(new RawPgClient.Body().bytes(noise).message(
              "QPBDECHSXdcfFz\0".charAt(r.nextInt(15))));
        }
      }
    }

    /** Deep nesting, huge literals, long lists, token soup, invalid UTF-8. */
    private static String generatedSql(Random r) {
      switch (r.nextInt(5)) {
        case 0 -> {
          int depth = new int[] {50, 300, 1000, 3000}[r.nextInt(4)];
          return "SELECT " + "(".repeat(depth) + "1" + ")".repeat(depth);
        }
        case 1 -> {
          return "SELECT '" + "x".repeat(1 + r.nextInt(1 << 19)) + "'";
        }
        case 2 -> {
          StringBuilder in = new StringBuilder("SELECT * FROM fz WHERE id IN (0");
          for (int i = 0; i < r.nextInt(5000); i++) {
            in.append(',').append(i);
          }
          return in.append(')').toString();
        }
        case 3 -> {
          String[] tokens = {"SELECT", "FROM", "fz", "(", ")", ",", "'", "$1", "::", "vector",
              "<->", "ORDER", "BY", "LIMIT", "1", "-", "NULL", "WHERE", ";", "COPY", "E'\\x",
              "AS", "OF", "SYSTEM", "TIME", "\"", "id", "*", "+", "1e999", "[", "]"};
          StringBuilder soup = new StringBuilder();
          for (int i = 0; i < 1 + r.nextInt(30); i++) {
            soup.append(tokens[r.nextInt(tokens.length)]).append(' ');
          }
          return soup.toString();
        }
        default -> {
          return "SELECT '" + new String(invalidUtf8(r), StandardCharsets.ISO_8859_1) + "'";
        }
      }
    }

    private static byte[] invalidUtf8(Random r) {
      byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3, 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
          {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
          {(byte) 0xC0, (byte) 0xAF}, {0}};
      return concat("a".getBytes(StandardCharsets.US_ASCII), bad[r.nextInt(bad.length)]);
    }

    /** Drops, repeats, swaps or truncates messages. */
    private static void structural(Random r, List<byte[]> messages) {
      int at = 1 + r.nextInt(Math.max(1, messages.size() - 1));
      if (at >= messages.size()) {
        return;
      }
      switch (r.nextInt(4)) {
        case 0 -> messages.remove(at);
        case 1 -> messages.add(at, messages.get(at));
        case 2 -> {
          int other = 1 + r.nextInt(messages.size() - 1);
          byte[] t = messages.get(at);
          messages.set(at, messages.get(other));
          messages.set(other, t);
        }
        default -> {
          byte[] m = messages.get(at);
          messages.set(at, java.util.Arrays.copyOf(m, r.nextInt(m.length + 1)));
        }
      }
    }

    /** One byte-level mutation: a byte, a length or count field, or inserted bytes. */
    private static byte[] mutate(Random r, byte[] bytes) {
      int at = r.nextInt(bytes.length);
      switch (r.nextInt(6)) {
        case 0 -> bytes[at] = (byte) r.nextInt(256);
        case 1, 2 -> {
          if (at + 4 <= bytes.length) {
            int v = new int[] {0, 3, 4, 5, Integer.MAX_VALUE, -1, 10_001, 1 << 20}[r.nextInt(8)];
            bytes[at] = (byte) (v >> 24);
            bytes[at + 1] = (byte) (v >> 16);
            bytes[at + 2] = (byte) (v >> 8);
            bytes[at + 3] = (byte) v;
          }
        }
        case 3 -> {
          if (at + 2 <= bytes.length) {
            int v = new int[] {0, 1, 2, 0xFFFF, 0x7FFF}[r.nextInt(5)];
            bytes[at] = (byte) (v >> 8);
            bytes[at + 1] = (byte) v;
          }
        }
        case 4 -> {
          byte[] insert = invalidUtf8(r);
          return concat(java.util.Arrays.copyOf(bytes, at), insert,
              java.util.Arrays.copyOfRange(bytes, at, bytes.length));
        }
        default -> {
          return java.util.Arrays.copyOf(bytes, at);
        }
      }
      return bytes;
    }
  }
}
