package io.quiverdb.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;

/**
 * Exact nearest-neighbour latency: loads {@code rows} random vectors into a fresh table over the
 * wire, then runs {@code queries} prepared top-k queries (after a warm-up) and prints latency
 * percentiles. Works against QuiverDB and against PostgreSQL + pgvector alike.
 */
final class ExactKnnBench {
  private ExactKnnBench() {}

  static void run(Options o) throws Exception {
    String url = o.string("url", "jdbc:postgresql://127.0.0.1:5433/quiver");
    int rows = o.integer("rows", 10_000);
    int dim = o.integer("dim", 128);
    int k = o.integer("k", 10);
    int queries = o.integer("queries", 200);
    long seed = o.integer("seed", 42);
    String table = o.string("table", "bench_exact_knn");
    Properties props = new Properties();
    props.setProperty("user", o.string("user", "quiver"));
    props.setProperty("password", o.string("password", ""));
    Random random = new Random(seed);
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      System.out.printf("exact-knn: %s, %d rows x vector(%d), k=%d, seed %d%n", url, rows, dim, k,
          seed);
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(" + dim
          + "))");
      long loadStart = System.nanoTime();
      int batch = 500;
      for (int start = 0; start < rows; start += batch) {
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
        for (int i = start; i < Math.min(rows, start + batch); i++) {
          sql.append(i > start ? "," : "").append('(').append(i).append(",'")
              .append(vectorText(random, dim)).append("')");
        }
        s.executeUpdate(sql.toString());
        Progress.print("load", Math.min(rows, start + batch), rows);
      }
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      System.out.printf("%nload: %.1f s, %.0f rows/s (multi-row INSERT, %d rows each)%n",
          loadSeconds, rows / loadSeconds, batch);

      String sql = "SELECT id, embedding <-> ? AS d FROM " + table
          + " ORDER BY embedding <-> ? LIMIT " + k;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int warmup = Math.max(10, queries / 5);
        long[] nanos = new long[queries];
        for (int q = -warmup; q < queries; q++) {
          String v = vectorText(random, dim);
          ps.setObject(1, v, Types.OTHER);
          ps.setObject(2, v, Types.OTHER);
          long t0 = System.nanoTime();
          int n = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              n++;
            }
          }
          long t = System.nanoTime() - t0;
          if (n != Math.min(k, rows)) {
            throw new IllegalStateException("expected " + k + " rows, got " + n);
          }
          if (q >= 0) {
            nanos[q] = t;
            Progress.print("query", q + 1, queries);
          }
        }
        Arrays.sort(nanos);
        double total = Arrays.stream(nanos).sum() / 1e9;
        System.out.printf("%nlatency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f   (%d queries,"
            + " %.0f QPS, one client)%n", pct(nanos, 50), pct(nanos, 95), pct(nanos, 99),
            nanos[nanos.length - 1] / 1e6, queries, queries / total);
      }
      s.execute("DROP TABLE " + table);
    }
  }

  private static double pct(long[] sorted, int p) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static String vectorText(Random random, int dim) {
    StringBuilder sb = new StringBuilder(dim * 10).append('[');
    for (int d = 0; d < dim; d++) {
      sb.append(d > 0 ? "," : "").append((float) random.nextGaussian());
    }
    return sb.append(']').toString();
  }
}
