package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.vector.Metric;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HNSW indexes over pgJDBC: CREATE INDEX over existing rows, queries that use it (EXPLAIN says
 * so) with the recall of exact search, rows written later, deletes that are never returned, a
 * transaction's own writes, a restart that loads the graph instead of rebuilding it, small
 * segments (one graph each), and pgvector's errors. The tests share one table and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VectorIndexPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER =
      new QuiverServerExtension(c -> c.with("segment_rows", "1500", "test"));

  private static final int DIM = 16;
  private static final int ROWS = 4000;
  private static final float[][] DATA = clustered(ROWS, 1);
  private static final float[][] QUERIES = clustered(40, 2);

  /** Clusters along their own low-dimensional subspaces, as embeddings are. */
  static float[][] clustered(int n, long draw) {
    Random r = new Random(99);
    float[][] centres = new float[12][DIM];
    float[][][] bases = new float[12][4][DIM];
    for (int c = 0; c < centres.length; c++) {
      for (int i = 0; i < DIM; i++) {
        centres[c][i] = (float) (3 * r.nextGaussian());
        for (int l = 0; l < 4; l++) {
          bases[c][l][i] = (float) (r.nextGaussian() / 2);
        }
      }
    }
    Random d = new Random(draw);
    float[][] out = new float[n][DIM];
    for (int j = 0; j < n; j++) {
      int c = d.nextInt(centres.length);
      for (int i = 0; i < DIM; i++) {
        out[j][i] = centres[c][i] + (float) (0.05 * d.nextGaussian());
      }
      for (int l = 0; l < 4; l++) {
        float z = (float) d.nextGaussian();
        for (int i = 0; i < DIM; i++) {
          out[j][i] += z * bases[c][l][i];
        }
      }
    }
    return out;
  }

  static String text(float[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ",").append(v[i]);
    }
    return b.append(']').toString();
  }

  /** The ids of the k nearest live rows by brute force. */
  static List<Long> exact(float[] q, int k, Metric metric, Set<Long> deleted) {
    return IntStream.range(0, ROWS).filter(i -> !deleted.contains((long) i)).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> metric.distance(q, DATA[i]))
            .thenComparing(i -> i))
        .limit(k).map(i -> (long) i).toList();
  }

  static List<Long> ids(PreparedStatement ps) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  static List<String> lines(Statement s, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** recall@10 of the index query over all QUERIES, checking no deleted id comes back. */
  static double recall(Connection c, String op, Metric metric, Set<Long> deleted)
      throws SQLException {
    long hits = 0;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id FROM items ORDER BY embedding " + op + " ? LIMIT 10")) {
      for (float[] q : QUERIES) {
        ps.setObject(1, text(q), Types.OTHER);
        List<Long> got = ids(ps);
        assertThat(got).hasSize(10).noneMatch(deleted::contains);
        List<Long> truth = exact(q, 10, metric, deleted);
        hits += got.stream().filter(truth::contains).count();
      }
    }
    return hits / (10.0 * QUERIES.length);
  }

  @Test
  @Order(1)
  void create_index_over_existing_rows_is_used_and_finds_the_true_neighbours() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(" + DIM + "))");
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO items VALUES (?, ?)")) {
        for (int i = 0; i < ROWS; i++) {
          ins.setLong(1, i);
          ins.setObject(2, text(DATA[i]), Types.OTHER);
          ins.addBatch();
          if (i % 500 == 499) {
            ins.executeBatch();
          }
        }
      }
      assertThat(lines(s, "EXPLAIN SELECT id FROM items ORDER BY embedding <-> '"
          + text(QUERIES[0]) + "' LIMIT 5")).noneMatch(l -> l.contains("Index Scan"));
      s.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)"
          + " WITH (m = 16, ef_construction = 64)");
      // CREATE INDEX returns once the graphs cover every row: the segments' 4000 rows are nodes
      assertThat(lines(s, "SELECT nodes FROM quiver_indexes WHERE index_name ="
          + " 'items_embedding_idx'")).containsExactly(Integer.toString(ROWS));
      List<String> plan = lines(s, "EXPLAIN SELECT id FROM items ORDER BY embedding <-> '"
          + text(QUERIES[0]) + "' LIMIT 5");
      assertThat(plan).anyMatch(l -> l.contains("Index Scan using items_embedding_idx on items"));
      // an operator the index does not serve still answers exactly, by a scan
      assertThat(lines(s, "EXPLAIN SELECT id FROM items ORDER BY embedding <=> '"
          + text(QUERIES[0]) + "' LIMIT 5")).noneMatch(l -> l.contains("Index Scan"))
          .anyMatch(l -> l.contains("Seq Scan on items"));
      assertThat(recall(c, "<=>", Metric.COSINE, Set.of())).isEqualTo(1.0);
      s.execute("SET hnsw.ef_search = 100");
      assertThat(recall(c, "<->", Metric.L2, Set.of())).isGreaterThanOrEqualTo(0.95);
      List<String> analyzed = lines(s, "EXPLAIN ANALYZE SELECT id FROM items ORDER BY"
          + " embedding <-> '" + text(QUERIES[1]) + "' LIMIT 10");
      assertThat(analyzed).anyMatch(l -> l.matches(".*Nodes Visited: [1-9]\\d*  Distances:"
          + " [1-9]\\d*  Exact Rows: 0  Graphs: 3  ef_search: 100.*"));
    }
  }

  @Test
  @Order(2)
  void rows_written_after_the_index_are_found_and_deleted_rows_never_returned() throws Exception {
    Set<Long> deleted = new HashSet<>();
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("SET hnsw.ef_search = 100");
      assertThat(s.executeUpdate("DELETE FROM items WHERE id % 2 = 0")).isEqualTo(ROWS / 2);
      for (long i = 0; i < ROWS; i += 2) {
        deleted.add(i);
      }
      assertThat(recall(c, "<->", Metric.L2, deleted)).isGreaterThanOrEqualTo(0.95);

      // a new row equal to a query is its nearest neighbour at once
      s.execute("INSERT INTO items VALUES (100000, '" + text(QUERIES[3]) + "')");
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, embedding <-> ? FROM items ORDER BY embedding <-> ? LIMIT 3")) {
        ps.setObject(1, text(QUERIES[3]), Types.OTHER);
        ps.setObject(2, text(QUERIES[3]), Types.OTHER);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).isEqualTo(100000);
          assertThat(rs.getDouble(2)).isZero();
        }
      }

      // a transaction sees its own insert and delete through the index; others do not
      c.setAutoCommit(false);
      s.execute("DELETE FROM items WHERE id = 100000");
      s.execute("INSERT INTO items VALUES (100001, '" + text(QUERIES[4]) + "')");
      try (Connection other = SERVER.connect();
          PreparedStatement mine = c.prepareStatement(
              "SELECT id FROM items ORDER BY embedding <-> ? LIMIT 1");
          PreparedStatement theirs = other.prepareStatement(
              "SELECT id FROM items ORDER BY embedding <-> ? LIMIT 1")) {
        mine.setObject(1, text(QUERIES[4]), Types.OTHER);
        assertThat(ids(mine)).containsExactly(100001L);
        mine.setObject(1, text(QUERIES[3]), Types.OTHER);
        assertThat(ids(mine)).doesNotContain(100000L);
        theirs.setObject(1, text(QUERIES[3]), Types.OTHER);
        assertThat(ids(theirs)).containsExactly(100000L);
        theirs.setObject(1, text(QUERIES[4]), Types.OTHER);
        assertThat(ids(theirs)).doesNotContain(100001L);
      }
      c.rollback();
      c.setAutoCommit(true);
      s.execute("DELETE FROM items WHERE id = 100000");
    }
  }

  @Test
  @Order(3)
  void a_restart_loads_the_graph_instead_of_rebuilding_it() throws Exception {
    SERVER.restart();
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      Set<Long> deleted = new HashSet<>();
      for (long i = 0; i < ROWS; i += 2) {
        deleted.add(i);
      }
      s.execute("SET hnsw.ef_search = 100");
      assertThat(recall(c, "<->", Metric.L2, deleted)).isGreaterThanOrEqualTo(0.95);
      // every committed version is a node (the 4000 and row 100000), and this process built
      // none of them
      assertThat(lines(s, "SELECT nodes || '/' || nodes_built FROM quiver_indexes"))
          .containsExactly((ROWS + 1) + "/0");
    }
  }

  @Test
  @Order(4)
  void pgvector_options_and_errors() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      assertThat(lines(s, "SHOW hnsw.ef_search")).containsExactly("40");
      assertState(s, "SET hnsw.ef_search = 1001", "22023");
      assertState(s, "CREATE INDEX ON items USING hnsw (embedding vector_foo_ops)", "42704");
      assertState(s, "CREATE INDEX ON items USING hnsw (id)", "42704");
      assertState(s, "CREATE INDEX ON items (id)", "0A000");
      assertState(s, "CREATE INDEX ON items USING hnsw (embedding) WITH (m = 1)", "22023");
      assertState(s, "CREATE INDEX ON items USING hnsw (embedding) WITH (m = 40,"
          + " ef_construction = 64)", "22023");
      assertState(s, "CREATE INDEX items USING hnsw (embedding)", "42601");
      assertState(s, "CREATE INDEX items_embedding_idx ON items USING hnsw (embedding)",
          "42P07");
      assertState(s, "DROP INDEX nope", "42704");
      s.execute("DROP INDEX IF EXISTS nope");

      s.execute("CREATE INDEX ip ON items USING hnsw (embedding vector_ip_ops)");
      assertThat(lines(s, "EXPLAIN SELECT id FROM items ORDER BY embedding <#> '"
          + text(QUERIES[0]) + "' LIMIT 5")).anyMatch(l -> l.contains("Index Scan using ip"));
      Set<Long> deleted = new HashSet<>();
      for (long i = 0; i < ROWS; i += 2) {
        deleted.add(i);
      }
      s.execute("SET hnsw.ef_search = 100");
      assertThat(recall(c, "<#>", Metric.NEGATIVE_INNER_PRODUCT, deleted)).isGreaterThan(0.9);
      s.execute("DROP INDEX ip, items_embedding_idx");
      assertThat(lines(s, "SELECT count(*) FROM quiver_indexes")).containsExactly("0");
      assertThat(lines(s, "EXPLAIN SELECT id FROM items ORDER BY embedding <-> '"
          + text(QUERIES[0]) + "' LIMIT 5")).noneMatch(l -> l.contains("Index Scan"));
      assertThat(recall(c, "<->", Metric.L2, deleted)).isEqualTo(1.0);
    }
  }

  private static void assertState(Statement s, String sql, String state) {
    assertThatThrownBy(() -> s.execute(sql)).isInstanceOfSatisfying(SQLException.class,
        e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(state));
  }

  static {
    assertThat(Arrays.stream(DATA).allMatch(v -> v.length == DIM)).isTrue();
  }
}
