package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.types.PgType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parameters the client leaves untyped (OID 0: pgJDBC's {@code stringtype=unspecified} or
 * {@code setObject(i, "[1,2,3]", Types.OTHER)}, psycopg's strings) take their type from where
 * they are used, as PostgreSQL infers it, and ParameterDescription reports that type: the
 * column's type in INSERT, UPDATE SET and comparisons, vector beside a pgvector operator or
 * function and under {@code ::vector}, bigint for LIMIT and OFFSET, text alone in the select
 * list. (PostgreSQL reports the vector OID its extension was given; QuiverDB's is {@link
 * PgType#VECTOR}'s.)
 */
class ParameterTypesPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static final int VECTOR = PgType.VECTOR.oid();

  @BeforeAll
  static void table() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE p (id bigint PRIMARY KEY, n int, si smallint, note text,"
          + " r real, d double precision, b boolean, v vector(3))");
    }
  }

  /** The OIDs a Parse with all-zero parameter types and a Describe of it report. */
  private static List<Integer> described(RawPgClient raw, String sql) throws Exception {
    ByteArrayOutputStream parse = new ByteArrayOutputStream();
    parse.write(0);
    parse.writeBytes(sql.getBytes(StandardCharsets.UTF_8));
    parse.writeBytes(new byte[] {0, 0, 0});
    raw.send('P', parse.toByteArray()).send('D', new byte[] {'S', 0}).sync().flush();
    List<Integer> oids = new ArrayList<>();
    for (RawPgClient.Message m : raw.readUntilReady()) {
      if (m.type() == 'E') {
        throw new AssertionError(sql + ": " + m.field('C') + " " + m.field('M'));
      }
      if (m.type() == 't') {
        ByteBuffer b = ByteBuffer.wrap(m.body());
        for (int i = b.getShort(); i > 0; i--) {
          oids.add(b.getInt());
        }
      }
    }
    return oids;
  }

  @Test
  void parameter_description_reports_the_inferred_types() throws Exception {
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      assertThat(described(raw, "INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
          .containsExactly(20, 23, 21, 25, 700, 701, 16, VECTOR);
      assertThat(described(raw, "INSERT INTO p (id, v) VALUES ($1, $2)"))
          .containsExactly(20, VECTOR);
      assertThat(described(raw, "SELECT note FROM p WHERE id = $1")).containsExactly(20);
      assertThat(described(raw, "SELECT id FROM p WHERE $1 = n AND note = $2 AND r > $3"))
          .containsExactly(23, 25, 700);
      for (String op : new String[] {"<->", "<#>", "<=>", "<+>"}) {
        assertThat(described(raw, "SELECT id FROM p ORDER BY v " + op + " $1 LIMIT $2"))
            .as(op).containsExactly(VECTOR, 20);
      }
      assertThat(described(raw, "SELECT id, v <-> $1 AS d FROM p")).containsExactly(VECTOR);
      assertThat(described(raw,
          "SELECT id, v <=> $1 AS d FROM p ORDER BY v <=> $1 LIMIT $2 OFFSET $3"))
          .containsExactly(VECTOR, 20, 20);
      assertThat(described(raw, "SELECT id FROM p WHERE l2_distance(v, $1) < $2"))
          .containsExactly(VECTOR, 701);
      assertThat(described(raw, "UPDATE p SET v = $1 WHERE id = $2"))
          .containsExactly(VECTOR, 20);
      assertThat(described(raw, "UPDATE p SET note = $1, r = $2, n = $3 WHERE id = $4"))
          .containsExactly(25, 700, 23, 20);
      assertThat(described(raw, "DELETE FROM p WHERE id IN ($1, $2)")).containsExactly(20, 20);
      assertThat(described(raw, "SELECT $1::vector(3) <-> v, $2::int FROM p"))
          .containsExactly(VECTOR, 23);
      assertThat(described(raw, "SELECT $1, $2 AS label")).containsExactly(25, 25);
      assertThat(described(raw, "INSERT INTO p (id, v) VALUES ($1, $2)"
          + " ON CONFLICT (id) DO UPDATE SET v = $3")).containsExactly(20, VECTOR, VECTOR);
    }
  }

  private static Connection unspecified(ClientMode mode) throws Exception {
    Properties p = mode.properties();
    p.setProperty("stringtype", "unspecified");
    return DriverManager.getConnection(SERVER.jdbcUrl(), p);
  }

  /**
   * Rows as text; the {@code floating} columns (1-based) as Java prints their double, so text and
   * binary results read alike. (No result metadata: pgJDBC would look the vector type up in
   * pg_catalog.)
   */
  private static List<String> rows(PreparedStatement ps, int... floating) throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          final int column = i;
          boolean isFloating = java.util.Arrays.stream(floating).anyMatch(f -> f == column);
          b.append(i > 1 ? "|" : "")
              .append(isFloating ? String.valueOf(rs.getDouble(i)) : rs.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void untyped_text_parameters_work_where_they_are_inferred(ClientMode mode) throws Exception {
    String table = "u_" + mode.name().toLowerCase(java.util.Locale.ROOT);
    try (Connection c = unspecified(mode); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, n int, note text, r real,"
          + " v vector(3))");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO " + table + " (id, n, note, r, v) VALUES (?, ?, ?, ?, ?)")) {
        String[] vectors = {"[1,0,0]", "[1,1,0]", "[0,1,0]"};
        for (int i = 1; i <= 3; i++) {
          ps.setString(1, Integer.toString(i));
          ps.setString(2, Integer.toString(10 * i));
          ps.setString(3, "note " + i);
          ps.setString(4, i + ".5");
          ps.setObject(5, vectors[i - 1], Types.OTHER);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT note, n + 1, r * 2 FROM " + table + " WHERE id = ?")) {
        ps.setString(1, "2");
        assertThat(rows(ps, 3)).containsExactly("note 2|21|5.0");
      }
      String[][] orders = {{"<->", "1", "2"}, {"<#>", "2", "1"}, {"<=>", "1", "2"},
          {"<+>", "1", "2"}};
      for (String[] o : orders) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT id FROM " + table + " ORDER BY v " + o[0] + " ? LIMIT ?")) {
          ps.setString(1, "[1,0.1,0]");
          ps.setString(2, "2");
          assertThat(rows(ps)).as(o[0]).containsExactly(o[1], o[2]);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, v <-> ? AS d FROM " + table + " ORDER BY id")) {
        ps.setObject(1, "[1,0,0]", Types.OTHER);
        assertThat(rows(ps, 2)).containsExactly("1|0.0", "2|1.0", "3|1.4142135623730951");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM " + table + " ORDER BY v <-> ?::vector LIMIT 1 OFFSET ?")) {
        ps.setString(1, "[0,1,0]");
        ps.setString(2, "1");
        assertThat(rows(ps)).containsExactly("2");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE " + table + " SET v = ?, note = ? WHERE id = ?")) {
        ps.setString(1, "[9,9,9]");
        ps.setString(2, "changed");
        ps.setString(3, "1");
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT v, note, ? FROM " + table + " WHERE id = ?")) {
        ps.setString(1, "as text");
        ps.setString(2, "1");
        assertThat(rows(ps)).containsExactly("[9,9,9]|changed|as text");
      }
    }
  }
}
