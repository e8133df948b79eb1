package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Parameters sent with no type (pgJDBC's {@code stringtype=unspecified}, psycopg's default for
 * strings): the server infers each from where it is used and reads the text as that type.
 */
class UntypedParametersPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static Connection connect() throws Exception {
    return DriverManager.getConnection(SERVER.jdbcUrl() + "?stringtype=unspecified", "quiver", "");
  }

  @Test
  void text_parameters_take_the_type_of_their_context() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE u (id bigint PRIMARY KEY, v vector(3), note text, r real)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO u VALUES (?, ?, ?, ?)")) {
        for (int i = 1; i <= 3; i++) {
          ps.setString(1, Integer.toString(i));
          ps.setString(2, "[" + i + ",0,0]");
          ps.setString(3, "n" + i);
          ps.setString(4, i + ".5");
          ps.executeUpdate();
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT id + 1, v, note, r * 2 FROM u WHERE id = 3")) {
        rs.next();
        assertThat(List.of(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getFloat(4)))
            .containsExactly(4L, "[3,0,0]", "n3", 7.0f);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT note FROM u WHERE id = ?")) {
        ps.setString(1, "2");
        assertThat(rows(ps)).containsExactly("n2");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, v <-> ? FROM u ORDER BY v <-> ? LIMIT ?")) {
        ps.setString(1, "[3,0,0]");
        ps.setString(2, "[3,0,0]");
        ps.setString(3, "2");
        assertThat(rows(ps)).containsExactly("3|0", "2|1");
      }
      for (String op : new String[] {"<#>", "<=>", "<+>"}) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT id FROM u ORDER BY v " + op + " ? LIMIT 1")) {
          ps.setString(1, "[1,0,0]");
          assertThat(rows(ps)).hasSize(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE u SET v = ? WHERE id = ?")) {
        ps.setString(1, "[9,9,9]");
        ps.setString(2, "1");
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (ResultSet rs = s.executeQuery("SELECT v FROM u WHERE id = 1")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("[9,9,9]");
      }
    }
  }

  private static List<String> rows(PreparedStatement ps) throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }
}
