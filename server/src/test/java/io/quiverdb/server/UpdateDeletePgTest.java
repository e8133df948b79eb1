package io.quiverdb.server;

import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** UPDATE and DELETE with WHERE clauses, seen through later queries and nearest-neighbour search. */
class UpdateDeletePgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void updates_and_deletes_change_what_queries_return(ClientMode mode) throws Exception {
    String t = "ud_" + mode.name().toLowerCase();
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + t + " (id integer PRIMARY KEY, tag text, price bigint,"
          + " embedding vector(2))");
      s.execute("INSERT INTO " + t + " VALUES (1, 'a', 10, '[0,0]'), (2, 'b', 20, '[1,1]'),"
          + " (3, 'a', 30, '[2,2]'), (4, 'c', 40, '[3,3]'), (5, 'a', NULL, '[4,4]')");

      assertThat(s.executeUpdate("UPDATE " + t + " SET price = price * 2 WHERE tag = 'a'"))
          .isEqualTo(3);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE " + t + " SET embedding = ?, tag = ? WHERE id = ?")) {
        ps.setObject(1, "[9,9]", Types.OTHER);
        ps.setString(2, "moved");
        ps.setInt(3, 2);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (ResultSet rs = s.executeQuery("SELECT id, tag, price, embedding FROM " + t
          + " ORDER BY id")) {
        assertThat(rows(rs)).containsExactly("1|a|20|[0,0]", "2|moved|20|[9,9]",
            "3|a|60|[2,2]", "4|c|40|[3,3]", "5|a|null|[4,4]");
      }

      assertThat(s.executeUpdate("DELETE FROM " + t + " WHERE price > 30 OR price IS NULL"))
          .isEqualTo(3);
      assertThat(s.executeUpdate("DELETE FROM " + t + " WHERE id = 42")).isZero();
      try (ResultSet rs = s.executeQuery("SELECT id FROM " + t
          + " ORDER BY embedding <-> '[8,8]' LIMIT 5")) {
        assertThat(rows(rs)).containsExactly("2", "1");
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), sum(price), min(id), max(id) FROM "
          + t)) {
        assertThat(rows(rs)).containsExactly("2|40|1|2");
      }
      assertThat(s.executeUpdate("DELETE FROM " + t)).isEqualTo(2);
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
        assertThat(rows(rs)).containsExactly("0");
      }
      s.execute("DROP TABLE " + t);
    }
  }
}
