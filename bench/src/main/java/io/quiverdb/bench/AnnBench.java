package io.quiverdb.bench;

import io.quiverdb.common.vector.Metric;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;

/**
 * {@code quiver bench ann}: approximate nearest-neighbour search measured over the wire, the same
 * SQL against QuiverDB and against PostgreSQL with pgvector. Loads a dataset (binary COPY or
 * multi-row INSERTs), builds an HNSW index, optionally deletes a fraction of the rows, then for
 * each ef_search runs every query once from {@code --threads} clients (query i goes to client
 * i mod threads, each with its own connection and server-side prepared statement) after a
 * warm-up, and reports recall@k against exact ground truth, QPS (queries / wall time) and latency
 * percentiles.
 */
final class AnnBench {
  private AnnBench() {}

  static final String USAGE = """
      usage: quiver bench ann [options]
        --url JDBC_URL          server (default jdbc:postgresql://127.0.0.1:5433/quiver)
        --user U --password P   (default quiver, empty)
        --generate N            generated clustered dataset of N rows (default 100000)
        --dim D --queries Q --seed S   its dimensions (128), queries (1000) and seed (42)
        --base F --query F      texmex .fvecs files instead (--truth F: .ivecs ground truth)
        --metric l2|ip|cosine|l1   distance (default l2); --k K (default 10)
        --load copy|insert|skip copy = binary COPY (default); skip = reuse the table
        --table T               table name (default ann_items)
        --index hnsw|none|existing   build one (--m M (16) --ef-construction E (64)), drop it,
                                or use the one a --load skip run left
        --ef LIST               ef_search values (default 10,20,40,80,120,200)
        --threads T             client threads (default 1)
        --warmup N              untimed queries per client before each timed run (1000; the
                                JIT settles after a build, as a server in use would have)
        --delete-fraction F     delete that fraction of rows after the build (id %% 1000 < F*1000)
        --label L --json FILE --svg FILE --compare JSON[,JSON...]   results and plot
      """;

  static void run(Options o) throws Exception {
    String url = o.string("url", "jdbc:postgresql://127.0.0.1:5433/quiver");
    Properties props = new Properties();
    props.setProperty("user", o.string("user", "quiver"));
    props.setProperty("password", o.string("password", ""));
    props.setProperty("prepareThreshold", "1");
    Metric metric = metric(o.string("metric", "l2"));
    int k = o.integer("k", 10);
    String table = o.string("table", "ann_items");
    String index = table + "_hnsw";
    int threads = o.integer("threads", 1);

    Dataset data = dataset(o);
    int dim = data.dimensions();
    Report report = new Report(o.string("label", ""));
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      String version = single(s, "SELECT version()");
      Report labelled = report.label.isEmpty() ? new Report(version.split(",")[0]) : report;
      report = labelled;
      report.setup.put("server", version);
      report.setup.put("dataset", data.name());
      report.setup.put("rows", data.base().length);
      report.setup.put("dimensions", dim);
      report.setup.put("queries", data.queries().length);
      report.setup.put("metric", metric.operator() + " (" + metric.opclass() + ")");
      report.setup.put("k", k);
      report.setup.put("threads", threads);

      String loadMode = o.string("load", "copy");
      if (!loadMode.equals("skip")) {
        s.execute("DROP TABLE IF EXISTS " + table);
        s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(" + dim
            + "))");
        long t0 = System.nanoTime();
        if (loadMode.equals("copy")) {
          copyLoad(c, table, data.base());
        } else {
          insertLoad(s, table, data.base());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        report.setup.put("load", String.format(Locale.ROOT, "%s, %.2f s, %.0f rows/s", loadMode,
            secs, data.base().length / secs));
        report.setup.put("load_rows_per_s", Math.round(data.base().length / secs));
      }

      String indexMode = o.string("index", "hnsw");
      if (indexMode.equals("existing")) {
        report.setup.put("index", "existing " + index);
      } else if (indexMode.equals("hnsw")) {
        int m = o.integer("m", 16);
        int efc = o.integer("ef-construction", 64);
        s.execute("DROP INDEX IF EXISTS " + index);
        long t0 = System.nanoTime();
        try (BuildProgress progress = new BuildProgress(url, props, data.base().length)) {
          s.execute("CREATE INDEX " + index + " ON " + table + " USING hnsw (embedding "
              + metric.opclass() + ") WITH (m = " + m + ", ef_construction = " + efc + ")");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        report.setup.put("index", "hnsw, m = " + m + ", ef_construction = " + efc);
        report.setup.put("build_s", Math.round(secs * 100) / 100.0);
        long bytes = indexBytes(s, index);
        if (bytes > 0) {
          report.setup.put("index_bytes_per_vector", bytes / data.base().length);
        }
      } else {
        s.execute("DROP INDEX IF EXISTS " + index);
        report.setup.put("index", "none (exact search)");
      }

      double fraction = Double.parseDouble(o.string("delete-fraction", "0"));
      int cut = (int) Math.round(fraction * 1000);
      IntPredicate live = id -> id % 1000 >= cut;
      if (cut > 0) {
        long t0 = System.nanoTime();
        int deleted = s.executeUpdate("DELETE FROM " + table + " WHERE id % 1000 < " + cut);
        report.setup.put("deleted", String.format(Locale.ROOT, "%d rows (id %% 1000 < %d) in"
            + " %.2f s", deleted, cut, (System.nanoTime() - t0) / 1e9));
      }

      System.err.println("ground truth: exact top-" + k + " of " + data.queries().length
          + " queries on " + Runtime.getRuntime().availableProcessors() + " cores...");
      int[][] truth = o.values().containsKey("truth") && cut == 0
          ? Dataset.readIvecs(Path.of(o.string("truth", "")), data.queries().length)
          : GroundTruth.compute(data.base(), data.queries(), k, metric, live);

      String[] texts = new String[data.queries().length];
      for (int q = 0; q < texts.length; q++) {
        texts[q] = text(data.queries()[q]);
      }
      String sql = "SELECT id FROM " + table + " ORDER BY embedding " + metric.operator()
          + " ? LIMIT " + k;
      for (String ef : o.string("ef", "10,20,40,80,120,200").split(",")) {
        report.points.add(search(url, props, sql, Integer.parseInt(ef.trim()), texts, truth, k,
            threads, o.integer("warmup", 1000), live));
      }
    }
    report.printTable(k);
    String json = o.string("json", null);
    if (json != null) {
      Files.writeString(Path.of(json), report.json(), StandardCharsets.UTF_8);
    }
    String svg = o.string("svg", null);
    if (svg != null) {
      List<Report> series = new ArrayList<>();
      series.add(report);
      String compare = o.string("compare", null);
      if (compare != null) {
        for (String f : compare.split(",")) {
          series.add(Report.readJson(Path.of(f.trim())));
        }
      }
      Files.writeString(Path.of(svg), Report.svg(series, k), StandardCharsets.UTF_8);
    }
  }

  static Dataset dataset(Options o) throws Exception {
    if (o.values().containsKey("base")) {
      int limit = o.integer("rows", Integer.MAX_VALUE);
      float[][] base = Dataset.readFvecs(Path.of(o.string("base", "")), limit);
      float[][] queries = Dataset.readFvecs(Path.of(o.string("query", "")),
          o.integer("queries", Integer.MAX_VALUE));
      return new Dataset(o.string("base", ""), base, queries);
    }
    System.err.println("generating the dataset...");
    return Dataset.generate(o.integer("generate", 100_000), o.integer("dim", 128),
        o.integer("queries", 1000), o.integer("seed", 42));
  }

  static Metric metric(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "l2" -> Metric.L2;
      case "ip" -> Metric.NEGATIVE_INNER_PRODUCT;
      case "cosine" -> Metric.COSINE;
      case "l1" -> Metric.L1;
      default -> throw new IllegalArgumentException("unknown metric " + name);
    };
  }

  /** Binary COPY, streamed in 1 MiB CopyData chunks; vectors in pgvector's binary form. */
  static void copyLoad(Connection c, String table, float[][] rows) throws SQLException {
    CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
        .copyIn("COPY " + table + " (id, embedding) FROM STDIN (FORMAT binary)");
    try {
      ByteBuffer b = ByteBuffer.allocate(1 << 20);
      b.put(BINARY_HEADER).putInt(0).putInt(0);
      for (int i = 0; i < rows.length; i++) {
        writeRow(b, i, rows[i]);
        if (b.remaining() < 32 + 4 * rows[i].length) {
          copy.writeToCopy(b.array(), 0, b.position());
          b.clear();
        }
        if (i % 10_000 == 9_999 || i == rows.length - 1) {
          Progress.print("load", i + 1, rows.length);
        }
      }
      b.putShort((short) -1);
      copy.writeToCopy(b.array(), 0, b.position());
      copy.endCopy();
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  static final byte[] BINARY_HEADER =
      {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

  /** One binary COPY tuple: (id bigint, embedding vector). */
  static void writeRow(ByteBuffer b, long id, float[] v) {
    b.putShort((short) 2).putInt(8).putLong(id);
    b.putInt(4 + 4 * v.length).putShort((short) v.length).putShort((short) 0);
    for (float f : v) {
      b.putFloat(f);
    }
  }

  private static void insertLoad(Statement s, String table, float[][] rows) throws SQLException {
    int batch = 500;
    for (int start = 0; start < rows.length; start += batch) {
      StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
      for (int i = start; i < Math.min(rows.length, start + batch); i++) {
        sql.append(i > start ? "," : "").append('(').append(i).append(",'")
            .append(text(rows[i])).append("')");
      }
      s.executeUpdate(sql.toString());
      Progress.print("load", Math.min(rows.length, start + batch), rows.length);
    }
  }

  static String text(float[] v) {
    StringBuilder b = new StringBuilder(v.length * 12).append('[');
    for (int i = 0; i < v.length; i++) {
      b.append(i > 0 ? "," : "").append(v[i]);
    }
    return b.append(']').toString();
  }

  /** Runs every query once at {@code ef} from {@code threads} clients after a warm-up. */
  private static Report.Point search(String url, Properties props, String sql, int ef,
      String[] queries, int[][] truth, int k, int threads, int warmup, IntPredicate live)
      throws Exception {
    int n = queries.length;
    long[] latency = new long[n];
    long[] hits = new long[n];
    long[] deleted = new long[n];
    List<Connection> conns = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<PreparedStatement> statements = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Connection c = DriverManager.getConnection(url, props);
        conns.add(c);
        try (Statement s = c.createStatement()) {
          s.execute("SET hnsw.ef_search = " + ef);
        }
        PreparedStatement ps = c.prepareStatement(sql);
        ps.unwrap(PGStatement.class).setPrepareThreshold(1);
        statements.add(ps);
      }
      List<Future<?>> warm = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        PreparedStatement ps = statements.get(t);
        int offset = t;
        warm.add(pool.submit(() -> {
          for (int i = 0; i < warmup; i++) {
            run(ps, queries[(offset + i * threads) % n], null);
          }
          return null;
        }));
      }
      for (Future<?> f : warm) {
        f.get();
      }
      long start = System.nanoTime();
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        PreparedStatement ps = statements.get(t);
        int first = t;
        work.add(pool.submit(() -> {
          long[] ids = new long[k];
          for (int q = first; q < n; q += threads) {
            long t0 = System.nanoTime();
            int got = run(ps, queries[q], ids);
            latency[q] = System.nanoTime() - t0;
            for (int i = 0; i < got; i++) {
              if (!live.test((int) ids[i])) {
                deleted[q]++;
              }
              for (int id : truth[q]) {
                if (id == ids[i]) {
                  hits[q]++;
                }
              }
            }
            if (first == 0 && (q % 100 == 0 || q + threads >= n)) {
              Progress.print("ef " + ef, Math.min(n, q + threads), n);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      double wall = (System.nanoTime() - start) / 1e9;
      long[] sorted = latency.clone();
      Arrays.sort(sorted);
      long totalHits = Arrays.stream(hits).sum();
      long totalTruth = Arrays.stream(truth).mapToLong(t -> Math.min(k, t.length)).sum();
      return new Report.Point(ef, totalHits / (double) totalTruth, n / wall, pct(sorted, 50),
          pct(sorted, 95), pct(sorted, 99), Arrays.stream(deleted).sum());
    } finally {
      pool.shutdownNow();
      for (Connection c : conns) {
        c.close();
      }
    }
  }

  private static int run(PreparedStatement ps, String query, long[] ids) throws SQLException {
    ps.setObject(1, query, Types.OTHER);
    int n = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (ids != null && n < ids.length) {
          ids[n] = rs.getLong(1);
        }
        n++;
      }
    }
    return n;
  }

  private static double pct(long[] sorted, int p) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The index's size: pg_relation_size on PostgreSQL, quiver_indexes on QuiverDB. */
  private static long indexBytes(Statement s, String index) {
    for (String sql : new String[] {"SELECT pg_relation_size('" + index + "')",
        "SELECT bytes FROM quiver_indexes WHERE index_name = '" + index + "'"}) {
      try {
        String v = single(s, sql);
        if (v != null) {
          return Long.parseLong(v);
        }
      } catch (SQLException | NumberFormatException e) {
        // not this server's way; try the next
      }
    }
    return -1;
  }

  /**
   * Polls pg_stat_progress_create_index from a second connection while an index builds (both
   * PostgreSQL and QuiverDB have it) and draws a progress bar.
   */
  private static final class BuildProgress implements AutoCloseable {
    private final Thread thread;
    private volatile boolean done;

    BuildProgress(String url, Properties props, long rows) {
      long started = System.nanoTime();
      thread = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, props);
            Statement s = c.createStatement()) {
          while (!done) {
            Thread.sleep(500);
            long doneRows = -1;
            try (ResultSet rs = s.executeQuery(
                "SELECT tuples_done, tuples_total FROM pg_stat_progress_create_index")) {
              if (rs.next()) {
                doneRows = rs.getLong(1);
              }
            } catch (SQLException e) {
              // no progress view: show the elapsed time only
            }
            if (!done) {
              System.err.printf(Locale.ROOT, "\rbuild  %5.1f s%s", (System.nanoTime() - started)
                  / 1e9, doneRows >= 0 ? String.format(Locale.ROOT, "  %d/%d rows", doneRows,
                  rows) : "");
            }
          }
        } catch (Exception e) {
          // progress is a courtesy; the build's own outcome is what counts
        }
      }, "build-progress");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      done = true;
      thread.interrupt();
      thread.join(2000);
      System.err.println();
    }
  }
}
