package io.quiverdb.server;

import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Session behaviour clients rely on: settings, version, transaction-block states, portals. */
class SessionPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void version_and_settings(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT version()")) {
        rs.next();
        assertThat(rs.getString(1)).startsWith("PostgreSQL 16.4 ");
        assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("version");
      }
      assertThat(c.getMetaData().getDatabaseMajorVersion()).isEqualTo(16);
      try (ResultSet rs = s.executeQuery("SHOW server_version")) {
        assertThat(rows(rs)).containsExactly("16.4 (QuiverDB 0.1.0)");
      }
      s.execute("SET hnsw.ef_search = 100");
      try (ResultSet rs = s.executeQuery("SHOW hnsw.ef_search")) {
        assertThat(rows(rs)).containsExactly("100");
      }
      s.execute("RESET hnsw.ef_search");
      try (ResultSet rs = s.executeQuery("SHOW hnsw.ef_search")) {
        assertThat(rows(rs)).containsExactly("40");
      }
      assertThat(PgAssert.sqlState(() -> s.execute("SET no_such_setting = 1"))).isEqualTo("42704");
      assertThat(PgAssert.sqlState(() -> s.execute("SET hnsw.ef_search = 0"))).isEqualTo("22023");
      try (ResultSet rs = s.executeQuery("SELECT 1 AS one, 'x' || 'y' AS xy, 7 / 2, 2.5 * 2")) {
        assertThat(rows(rs)).containsExactly("1|xy|3|5.0");
      }
    }
  }

  @Test
  void extra_float_digits_zero_prints_fifteen_digits() throws Exception {
    try (Connection c = SERVER.connect(ClientMode.SIMPLE); Statement s = c.createStatement()) {
      s.execute("SET extra_float_digits = 0");
      try (ResultSet rs = s.executeQuery("SELECT '[0,0]'::vector <-> '[1,1]'::vector")) {
        assertThat(rows(rs)).containsExactly("1.4142135623731");
      }
      s.execute("SET extra_float_digits = 1");
      try (ResultSet rs = s.executeQuery("SELECT '[0,0]'::vector <-> '[1,1]'::vector")) {
        assertThat(rows(rs)).containsExactly("1.4142135623730951");
      }
    }
  }

  @Test
  void failed_statement_in_a_block_makes_later_ones_fail_until_rollback() throws Exception {
    try (Connection c = SERVER.connect(ClientMode.SIMPLE); Statement s = c.createStatement()) {
      s.execute("BEGIN");
      assertThat(PgAssert.sqlState(() -> s.executeQuery("SELECT * FROM missing")))
          .isEqualTo("42P01");
      assertThat(PgAssert.sqlState(() -> s.executeQuery("SELECT 1"))).isEqualTo("25P02");
      s.execute("ROLLBACK");
      try (ResultSet rs = s.executeQuery("SELECT 1")) {
        assertThat(rows(rs)).containsExactly("1");
      }
    }
  }

  @Test
  void portal_with_fetch_size_returns_every_row_in_chunks() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE many (id integer PRIMARY KEY, v vector(2))");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO many VALUES (?, ?)")) {
        for (int i = 0; i < 250; i++) {
          ps.setInt(1, i);
          ps.setObject(2, "[" + i + "," + (i * 2) + "]", Types.OTHER);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        assertThat(counts).hasSize(250).containsOnly(1);
      }
      c.setAutoCommit(false);
      try (Statement fetching = c.createStatement()) {
        fetching.setFetchSize(40);
        int n = 0;
        long sum = 0;
        try (ResultSet rs = fetching.executeQuery("SELECT id FROM many ORDER BY id")) {
          while (rs.next()) {
            assertThat(rs.getInt(1)).isEqualTo(n);
            sum += rs.getInt(1);
            n++;
          }
        }
        assertThat(n).isEqualTo(250);
        assertThat(sum).isEqualTo(249L * 250 / 2);
      }
      c.commit();
      c.setAutoCommit(true);
      s.execute("DROP TABLE many");
    }
  }
}
