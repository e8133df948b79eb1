package io.quiverdb.server;

import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.ServerErrorMessage;

/**
 * Statements that are too deep, too long or too wide, over pgJDBC: deep ones within the limit
 * answer as PostgreSQL 15 does, the others fail quickly with PostgreSQL's SQLSTATE and message
 * (never XX000), and the session goes on. The 1,000-level statements need the 16 MiB stack of
 * the statement threads, and of the event loops, which run a statement again once it is planned
 * and bounded: the three client modes run each text three times.
 */
class LimitsPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  /** PostgreSQL 15: {@code SELECT 1+1+…} with 5,000 terms; {@code ((…))} is 42601 from 10,000. */
  static final String PG_STACK_DEPTH = "stack depth limit exceeded";
  /** PostgreSQL 15: {@code SELECT 1,1,…} with 1,665 items. */
  static final String PG_TARGET_LIST = "target lists can have at most 1664 entries";

  @BeforeAll
  static void createTable() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3))");
      s.execute("INSERT INTO items VALUES (1, '[1,2,3]')");
    }
  }

  private static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      return String.join(",", rows(rs));
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void nesting_1000_levels_deep_answers_as_postgres(ClientMode mode) throws Exception {
    int n = 1000;
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      assertThat(one(s, "SELECT " + "(".repeat(n) + "1" + ")".repeat(n))).isEqualTo("1");
      assertThat(one(s, "SELECT 1" + "+1".repeat(n))).isEqualTo("1001");
      assertThat(one(s, "SELECT " + "- ".repeat(n) + "1")).isEqualTo("1");
      assertThat(one(s, "SELECT " + "abs(".repeat(n) + "-1" + ")".repeat(n))).isEqualTo("1");
      assertThat(one(s, "SELECT " + "CASE WHEN true THEN ".repeat(n) + "1" + " END".repeat(n)))
          .isEqualTo("1");
      assertThat(one(s, "SELECT * FROM (".repeat(n) + "SELECT 1 AS x" + ") q".repeat(n)))
          .isEqualTo("1");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void nesting_100000_levels_deep_is_54001_within_a_second(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      for (String sql : new String[] {
          "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000),
          "SELECT 1" + "+1".repeat(500_000)}) {
        long start = System.nanoTime();
        ServerErrorMessage e = PgAssert.error(() -> s.executeQuery(sql));
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%s: %,d characters refused in %d ms%n", mode, sql.length(), ms);
        assertThat(e.getSQLState()).isEqualTo("54001");
        assertThat(e.getMessage()).isEqualTo(PG_STACK_DEPTH);
        assertThat(e.getHint()).contains("max_parse_depth");
      }
      assertThat(one(s, "SELECT id FROM items WHERE id = 1")).isEqualTo("1");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void more_than_1664_select_items_is_54011(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeQuery("SELECT 1" + ",1".repeat(1664)));
      assertThat(e.getSQLState()).isEqualTo("54011");
      assertThat(e.getMessage()).isEqualTo(PG_TARGET_LIST);
      try (ResultSet rs = s.executeQuery("SELECT 1" + ",1".repeat(1663))) {
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1664);
      }
    }
  }

  @Test
  void flat_large_statements_answer() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      assertThat(one(s, "SELECT 2 IN (" + "1,".repeat(100_000) + "2)")).isEqualTo("t");
      assertThat(one(s, "SELECT " + "false OR ".repeat(50_000) + "true")).isEqualTo("t");
      assertThat(one(s, "SELECT " + "true AND ".repeat(50_000) + "false")).isEqualTo("f");
    }
  }

  @Test
  void a_10000_row_insert_with_vectors_still_runs() throws Exception {
    StringBuilder sql = new StringBuilder("INSERT INTO items VALUES ");
    for (int i = 0; i < 10_000; i++) {
      sql.append(i == 0 ? "" : ", ").append('(').append(1000 + i).append(", '[")
          .append(i).append(",0.5,-1.25]')");
    }
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      assertThat(s.executeUpdate(sql.toString())).isEqualTo(10_000);
      assertThat(one(s, "SELECT count(*) FROM items WHERE id >= 1000")).isEqualTo("10000");
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM items WHERE id = ?")) {
        ps.setObject(1, 10_999L, Types.BIGINT);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rows(rs)).containsExactly("10999");
        }
      }
      s.executeUpdate("DELETE FROM items WHERE id >= 1000");
    }
  }
}
