package io.quiverdb.server;

import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.ServerErrorMessage;

/**
 * Every error reaches the client with PostgreSQL's SQLSTATE (and position where PostgreSQL gives
 * one), writes nothing, and leaves the connection usable.
 */
class ErrorsPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @BeforeAll
  static void createTable() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, embedding vector(3))");
      s.execute("INSERT INTO items VALUES (1, 'one', '[1,2,3]')");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void syntax_error_has_42601_and_position(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeQuery("SELEC 1"));
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getMessage()).isEqualTo("syntax error at or near \"SELEC\"");
      assertThat(e.getPosition()).isEqualTo(1);
      e = PgAssert.error(() -> s.executeQuery("SELECT id FROM items WHERE id = = 1"));
      assertThat(e.getSQLState()).isEqualTo("42601");
      assertThat(e.getPosition()).isEqualTo(33);
      assertStillUsable(s);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void unknown_table_is_42P01_with_position(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeQuery("SELECT * FROM missing"));
      assertThat(e.getSQLState()).isEqualTo("42P01");
      assertThat(e.getMessage()).isEqualTo("relation \"missing\" does not exist");
      assertThat(e.getPosition()).isEqualTo(15);
      assertStillUsable(s);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void unknown_column_is_42703_with_position(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeQuery("SELECT id, nope FROM items"));
      assertThat(e.getSQLState()).isEqualTo("42703");
      assertThat(e.getMessage()).isEqualTo("column \"nope\" does not exist");
      assertThat(e.getPosition()).isEqualTo(12);
      assertStillUsable(s);
    }
  }

  /** PostgreSQL 15: {@code ERROR: 42P10: argument of LIMIT must not contain variables}. */
  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void a_column_in_limit_or_offset_is_42P10(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeQuery(
          "SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT id"));
      assertThat(e.getSQLState()).isEqualTo("42P10");
      assertThat(e.getMessage()).isEqualTo("argument of LIMIT must not contain variables");
      assertThat(e.getPosition()).isEqualTo(61);
      e = PgAssert.error(() -> s.executeQuery("SELECT id FROM items OFFSET id + 1"));
      assertThat(e.getMessage()).isEqualTo("argument of OFFSET must not contain variables");
      assertStillUsable(s);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void wrong_dimension_and_nan_are_22000_and_write_nothing(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeUpdate(
          "INSERT INTO items VALUES (10, 'ten', '[1,2,3]'), (11, 'eleven', '[1,2]')"));
      assertThat(e.getSQLState()).isEqualTo("22000");
      assertThat(e.getMessage()).isEqualTo("expected 3 dimensions, not 2");
      e = PgAssert.error(() -> s.executeUpdate(
          "INSERT INTO items VALUES (12, 'twelve', '[1,NaN,3]')"));
      assertThat(e.getSQLState()).isEqualTo("22000");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, ?, ?)")) {
        ps.setLong(1, 13);
        ps.setString(2, "thirteen");
        ps.setObject(3, "[1,2,3,4]", Types.OTHER);
        assertThat(PgAssert.sqlState(ps::executeUpdate)).isEqualTo("22000");
      }
      assertThat(countIds(s, "10, 11, 12, 13")).isZero();
      assertStillUsable(s);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void malformed_vector_literal_is_22P02(ClientMode mode) throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeUpdate(
          "INSERT INTO items VALUES (20, 'twenty', '[1,2')"));
      assertThat(e.getSQLState()).isEqualTo("22P02");
      assertThat(e.getMessage()).isEqualTo("invalid input syntax for type vector: \"[1,2\"");
      assertThat(PgAssert.sqlState(() -> s.executeQuery("SELECT '1,2,3'::vector"))).isEqualTo(
          "22P02");
      assertThat(PgAssert.sqlState(() -> s.executeQuery(
          "SELECT id FROM items ORDER BY embedding <-> '[a,b,c]' LIMIT 1"))).isEqualTo("22P02");
      assertThat(countIds(s, "20")).isZero();
      assertStillUsable(s);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void duplicate_key_is_23505_and_the_whole_statement_writes_nothing(ClientMode mode)
      throws Exception {
    try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.executeUpdate(
          "INSERT INTO items VALUES (30, 'thirty', '[0,0,0]'), (1, 'dup', '[0,0,0]')"));
      assertThat(e.getSQLState()).isEqualTo("23505");
      assertThat(countIds(s, "30")).isZero();
      assertStillUsable(s);
    }
  }

  private static int countIds(Statement s, String ids) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id IN (" + ids + ")")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void assertStillUsable(Statement s) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT id, name FROM items WHERE id = 1")) {
      assertThat(rows(rs)).containsExactly("1|one");
    }
  }
}
