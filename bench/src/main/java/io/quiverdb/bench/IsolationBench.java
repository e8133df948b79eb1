package io.quiverdb.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code quiver bench isolation}: whether one hostile statement (a 1 MB {@code SELECT 1+1+…+1},
 * a 100,000-level nesting of parentheses) can hurt anyone else. {@code clients} connections run
 * exact top-10 searches over a table the whole time while a probe connection runs {@code SELECT
 * 1} every 20 ms. First a baseline phase, then a phase where one more connection sends the hostile
 * statements in turn. Prints how long each hostile statement took to be answered (and with what
 * SQLSTATE) and the probe's latency percentiles in both phases.
 */
final class IsolationBench {
  static final String USAGE = """
      usage: quiver bench isolation [options]
        --url JDBC_URL     server (default jdbc:postgresql://127.0.0.1:5433/quiver)
        --clients N        background clients running exact searches (default 8)
        --rows N           rows of the background table (default 20000)
        --seconds S        length of each phase (default 10)
      """;

  private IsolationBench() {}

  static void run(Options o) throws Exception {
    String url = o.string("url", "jdbc:postgresql://127.0.0.1:5433/quiver");
    int clients = o.integer("clients", 8);
    int rows = o.integer("rows", 20_000);
    int seconds = o.integer("seconds", 10);
    Properties props = new Properties();
    props.setProperty("user", o.string("user", "quiver"));
    props.setProperty("password", "");
    load(url, props, rows);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> background = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      long seed = i;
      background.add(new Thread(() -> search(url, props, seed, stop)));
    }
    background.forEach(Thread::start);
    Thread.sleep(2000); // the searches are up to speed
    long[] baseline = probe(url, props, seconds * 1000L, null);
    long[] during = probe(url, props, seconds * 1000L, () -> hostile(url, props,
        seconds * 1000L));
    stop.set(true);
    for (Thread t : background) {
      t.join();
    }
    System.out.printf("SELECT 1 with %d clients searching:  %s%n", clients, stats(baseline));
    System.out.printf("SELECT 1 while hostile statements run: %s%n", stats(during));
  }

  private static void load(String url, Properties props, int rows) throws SQLException {
    Random r = new Random(7);
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_isolation");
      s.execute("CREATE TABLE bench_isolation (id bigint PRIMARY KEY, v vector(64))");
      for (int start = 0; start < rows; start += 500) {
        StringBuilder b = new StringBuilder("INSERT INTO bench_isolation VALUES ");
        for (int i = start; i < Math.min(rows, start + 500); i++) {
          b.append(i > start ? "," : "").append('(').append(i).append(",'").append(vector(r))
              .append("')");
        }
        s.execute(b.toString());
      }
    }
  }

  private static void search(String url, Properties props, long seed, AtomicBoolean stop) {
    Random r = new Random(seed);
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      while (!stop.get()) {
        try (ResultSet rs = s.executeQuery("SELECT id FROM bench_isolation ORDER BY v <-> '"
            + vector(r) + "' LIMIT 10")) {
          while (rs.next()) {
            rs.getLong(1);
          }
        }
      }
    } catch (SQLException e) {
      System.err.println("background client failed: " + e.getMessage());
    }
  }

  /** Runs {@code SELECT 1} every 20 ms for {@code millis} (with {@code meanwhile} running). */
  private static long[] probe(String url, Properties props, long millis, Runnable meanwhile)
      throws Exception {
    Thread other = meanwhile == null ? null : new Thread(meanwhile);
    List<Long> nanos = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      if (other != null) {
        other.start();
      }
      long end = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < end) {
        long t0 = System.nanoTime();
        try (ResultSet rs = s.executeQuery("SELECT 1")) {
          rs.next();
        }
        nanos.add(System.nanoTime() - t0);
        Thread.sleep(20);
      }
    }
    if (other != null) {
      other.join();
    }
    return nanos.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** Sends the hostile statements in turn for {@code millis}; prints each answer's time. */
  private static void hostile(String url, Properties props, long millis) {
    String plus = "SELECT 1" + "+1".repeat(500_000);
    String nested = "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000);
    String[] names = {"1 MB SELECT 1+1+...+1", "100,000 nested parentheses"};
    String[] sqls = {plus, nested};
    long end = System.currentTimeMillis() + millis;
    Properties p = new Properties();
    p.putAll(props);
    p.setProperty("socketTimeout", "30"); // a server that never answers is a result too
    try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
      for (int i = 0; System.currentTimeMillis() < end; i++) {
        long t0 = System.nanoTime();
        String outcome;
        try {
          s.execute(sqls[i % 2]);
          outcome = "answered";
        } catch (SQLException e) {
          outcome = e.getSQLState() + " " + firstLine(e.getMessage());
        }
        long t = System.nanoTime() - t0;
        System.out.printf("  %-28s %7.1f ms  %s%n", names[i % 2], t / 1e6, outcome);
      }
    } catch (SQLException e) {
      System.err.println("hostile client failed: " + e.getMessage());
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    String line = nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    return line.length() > 80 ? line.substring(0, 80) + "…" : line;
  }

  private static String stats(long[] sorted) {
    if (sorted.length == 0) {
      return "no samples";
    }
    return String.format("n=%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms", sorted.length,
        pct(sorted, 0.5), pct(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
  }

  private static String vector(Random r) {
    float[] v = new float[64];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.round(r.nextGaussian() * 100) / 100f;
    }
    return Arrays.toString(v).replace(" ", "");
  }
}
