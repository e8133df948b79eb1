package io.quiverdb.planner;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.Notice;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.sql.parser.SqlParser;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.StorageConfig;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Prints what parsing and planning cost: warm planning of simple statements (the per-statement
 * price the plan cache saves; keep it near 0.25 ms), and parsing, planning and running deep
 * statements on a 16 MiB statement thread. A tool, not a test (timings depend on the machine;
 * nothing is asserted): run it by hand, before and after a change.
 *
 * <pre>
 *   java -cp ... io.quiverdb.planner.PlanningCost [--rounds 7] [--iterations 3000] [--warm-only]
 * </pre>
 *
 * <p>Each figure is the median of the rounds' averages, after one warm-up round; the store is a
 * fresh one in a temporary directory with a 100-row table.
 */
public final class PlanningCost {
  private PlanningCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = 7;
    int iterations = 3000;
    boolean warmOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--warm-only" -> warmOnly = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("quiver-planning-cost-");
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      Planner planner = new Planner(store);
      Session session = new Session(store);
      session.run(planner, "CREATE TABLE docs (id bigint PRIMARY KEY, lang text, price float8,"
          + " embedding vector(4))");
      StringBuilder insert = new StringBuilder("INSERT INTO docs VALUES ");
      for (int i = 0; i < 100; i++) {
        insert.append(i == 0 ? "" : ", ").append('(').append(i).append(", '")
            .append(i % 3 == 0 ? "en" : "de").append("', ").append(i).append(", '[")
            .append(i).append(",1,2,3]')");
      }
      session.run(planner, insert.toString());
      for (String sql : List.of("SELECT 1",
          "SELECT id, lang FROM docs WHERE id = 42",
          "SELECT id, embedding <-> '[1,2,3,4]' AS d FROM docs WHERE lang = 'en' AND price < 10"
              + " ORDER BY d LIMIT 10")) {
        ParsedStatement parsed = SqlParser.parse(sql).get(0);
        double parse = median(rounds, iterations, () -> SqlParser.parse(sql));
        double plan = median(rounds, iterations,
            () -> planner.prepare(parsed, List.of(), session));
        System.out.printf(Locale.ROOT, "warm: parse %7.1f us, plan %7.1f us  %s%n", parse, plan,
            sql);
      }
      if (!warmOnly) {
        deep(planner, session);
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static double median(int rounds, int iterations, Supplier<?> work) {
    double[] averages = new double[rounds];
    for (int r = -1; r < rounds; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        work.get();
      }
      if (r >= 0) {
        averages[r] = (System.nanoTime() - start) / 1e3 / iterations;
      }
    }
    Arrays.sort(averages);
    return averages[rounds / 2];
  }

  /** Parses, plans and runs deep statements on a 16 MiB thread, three times each, best printed. */
  private static void deep(Planner planner, Session session) throws Exception {
    int n = 1000;
    List<String> statements = List.of(
        "SELECT " + "(".repeat(n) + "1" + ")".repeat(n),
        "SELECT 1" + "+1".repeat(n),
        "SELECT " + "- ".repeat(n) + "1",
        "SELECT " + "abs(".repeat(n) + "1" + ")".repeat(n),
        "SELECT " + "CASE WHEN true THEN ".repeat(n) + "1" + " END".repeat(n),
        "SELECT * FROM (".repeat(n) + "SELECT 1 AS x" + ") q".repeat(n),
        "SELECT 1" + " UNION ALL SELECT 1".repeat(n),
        "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000),
        "SELECT 1" + "+1".repeat(500_000));
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        for (String sql : statements) {
          deepOne(planner, session, sql);
        }
      } catch (Exception e) {
        failure.set(e);
      }
    }, "quiver-statement-cost", 16L << 20);
    t.start();
    t.join();
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private static void deepOne(Planner planner, Session session, String sql) {
    long parse = Long.MAX_VALUE;
    long plan = Long.MAX_VALUE;
    long execute = Long.MAX_VALUE;
    String outcome = "";
    for (int run = 0; run < 3; run++) {
      long t0 = System.nanoTime();
      try {
        ParsedStatement parsed = SqlParser.parse(sql).get(0);
        long t1 = System.nanoTime();
        PreparedQuery q = planner.prepare(parsed, List.of(), session);
        long t2 = System.nanoTime();
        int rows = session.drain(q);
        long t3 = System.nanoTime();
        parse = Math.min(parse, t1 - t0);
        plan = Math.min(plan, t2 - t1);
        execute = Math.min(execute, t3 - t2);
        outcome = rows + " rows";
      } catch (io.quiverdb.common.QuiverException e) {
        parse = Math.min(parse, System.nanoTime() - t0);
        outcome = e.state().code() + " " + e.getMessage();
      }
    }
    System.out.printf(Locale.ROOT, "deep: %,9d chars: parse %8.1f ms, plan %8.1f ms, run %6.1f ms"
        + "  %s  (%s…)%n", sql.length(), parse / 1e6, plan == Long.MAX_VALUE ? 0 : plan / 1e6,
        execute == Long.MAX_VALUE ? 0 : execute / 1e6, outcome, sql.substring(0, 24));
  }

  /** A session of one autocommit statement at a time, without cancellation. */
  private static final class Session implements SessionContext {
    private final Store store;
    private Transaction txn;

    Session(Store store) {
      this.store = store;
    }

    void run(Planner planner, String sql) {
      drain(planner.prepare(SqlParser.parse(sql).get(0), List.of(), this));
    }

    int drain(PreparedQuery q) {
      int rows = 0;
      try (QueryResult r = q.execute(new Object[0], this)) {
        while (r.next() != null) {
          rows++;
        }
      }
      if (txn != null) {
        txn.commit();
        txn = null;
      }
      return rows;
    }

    @Override
    public String user() {
      return "quiver";
    }

    @Override
    public String database() {
      return "quiver";
    }

    @Override
    public ZoneId timeZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public String setting(String name) {
      return null;
    }

    @Override
    public void notice(Notice notice) {}

    @Override
    public CancelToken cancelToken() {
      return CancelToken.NONE;
    }

    @Override
    public Transaction transaction() {
      if (txn == null) {
        txn = store.begin();
      }
      return txn;
    }

    @Override
    public CatalogView catalog() {
      return txn != null ? txn.catalog() : store.catalog();
    }
  }
}
