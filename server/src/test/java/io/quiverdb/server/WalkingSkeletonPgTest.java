package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The acceptance path: create, insert, nearest neighbours, restart — over pgJDBC. */
class WalkingSkeletonPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @Test
  void one_simple_query_creates_inserts_and_finds_the_two_nearest() throws Exception {
    try (Connection c = SERVER.connect(ClientMode.SIMPLE); Statement s = c.createStatement()) {
      boolean hasResult = s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3));"
          + " INSERT INTO items VALUES (1,'[1,2,3]'),(2,'[4,5,6]'),(3,'[1,1,1]');"
          + " SELECT id, embedding <-> '[3,1,2]' AS d FROM items"
          + " ORDER BY embedding <-> '[3,1,2]' LIMIT 2;");
      assertThat(hasResult).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(0);
      assertThat(s.getMoreResults()).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(3);
      assertThat(s.getMoreResults()).isTrue();
      try (ResultSet rs = s.getResultSet()) {
        assertThat(rows(rs)).containsExactly("3|2.23606797749979", "1|2.449489742783178");
      }
      s.execute("DROP TABLE items");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void prepared_statement_with_vector_parameter_of_type_other(ClientMode mode) throws Exception {
    String table = "items_" + mode.name().toLowerCase();
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(3))");
      s.execute("INSERT INTO " + table + " VALUES (1,'[1,2,3]'),(2,'[4,5,6]'),(3,'[1,1,1]')");
      try (PreparedStatement ps = c.prepareStatement("SELECT id, embedding <-> ? AS d FROM "
          + table + " ORDER BY embedding <-> ? LIMIT 2")) {
        for (int round = 0; round < 6; round++) { // past pgJDBC's prepareThreshold
          ps.setObject(1, "[3,1,2]", Types.OTHER);
          ps.setObject(2, "[3,1,2]", Types.OTHER);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rows(rs)).containsExactly("3|2.23606797749979", "1|2.449489742783178");
          }
        }
      }
      s.execute("DROP TABLE " + table);
    }
  }

  @Test
  void tables_rows_and_schema_survive_a_restart() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (id bigint PRIMARY KEY, name text NOT NULL, score real,"
          + " embedding vector(3))");
      s.execute("INSERT INTO kept VALUES (1, 'one', 0.5, '[1,2,3]'), (2, 'two', NULL, '[4,5,6]')");
      s.execute("CREATE TABLE nokey (v vector(2), note varchar(10))");
      s.execute("INSERT INTO nokey VALUES ('[1,1]', 'a'), ('[2,2]', NULL)");
    }
    SERVER.restart();
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT id, name, score, embedding FROM kept ORDER BY id")) {
        assertThat(rows(rs)).containsExactly("1|one|0.5|[1,2,3]", "2|two|null|[4,5,6]");
      }
      try (ResultSet rs = s.executeQuery("SELECT v, note FROM nokey ORDER BY note")) {
        assertThat(rows(rs)).containsExactly("[1,1]|a", "[2,2]|null");
      }
      // The schema came back too: constraints still hold.
      assertThat(PgAssert.sqlState(() -> s.execute("INSERT INTO kept VALUES (1, 'x', 1, '[0,0,0]')")))
          .isEqualTo("23505");
      assertThat(PgAssert.sqlState(() -> s.execute("INSERT INTO nokey VALUES ('[1,2,3]', 'b')")))
          .isEqualTo("22000");
      s.execute("DROP TABLE kept");
      s.execute("DROP TABLE nokey");
    }
  }

  static List<String> rows(ResultSet rs) throws Exception {
    List<String> out = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        if (i > 1) {
          sb.append('|');
        }
        sb.append(rs.getString(i));
      }
      out.add(sb.toString());
    }
    return out;
  }
}
