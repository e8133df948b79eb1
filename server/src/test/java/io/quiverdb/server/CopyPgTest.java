package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * COPY over pgJDBC's CopyManager: text, CSV and binary in and out (PostgreSQL's exact output
 * forms), NULLs and escapes, the pgvector binary form, and failures that leave nothing behind
 * and the connection usable.
 */
class CopyPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static CopyManager copy(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getCopyAPI();
  }

  private static long in(Connection c, String sql, String data) throws Exception {
    return copy(c).copyIn(sql, new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)));
  }

  private static String out(Connection c, String sql) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    copy(c).copyOut(sql, b);
    return b.toString(StandardCharsets.UTF_8);
  }

  private static List<String> rows(Statement s, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
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

  @Test
  void text_and_csv_round_trip_with_nulls_escapes_and_quotes() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t1 (id bigint PRIMARY KEY, v vector(3), note text)");
      assertThat(in(c, "COPY t1 FROM STDIN",
          "1\t[1,2,3]\thello\n2\t\\N\twith\\ttab\\\\\n3\t[0.5,0.25,1e3]\t\\N\n")).isEqualTo(3);
      assertThat(in(c, "COPY t1 (id, v, note) FROM STDIN WITH (FORMAT csv, HEADER true)",
          "id,v,note\r\n4,\"[1,1,1]\",\"a, b\"\n5,,\"multi\nline \"\"q\"\"\"\n6,\"[2,2,2]\",\"\"\n"))
          .isEqualTo(3);
      assertThat(rows(s, "SELECT id, v, note FROM t1 ORDER BY id")).containsExactly(
          "1|[1,2,3]|hello", "2|null|with\ttab\\", "3|[0.5,0.25,1000]|null", "4|[1,1,1]|a, b",
          "5|null|multi\nline \"q\"", "6|[2,2,2]|");
      // the forms PostgreSQL 15 writes for the same rows
      assertThat(out(c, "COPY t1 TO STDOUT")).isEqualTo("1\t[1,2,3]\thello\n"
          + "2\t\\N\twith\\ttab\\\\\n3\t[0.5,0.25,1000]\t\\N\n4\t[1,1,1]\ta, b\n"
          + "5\t\\N\tmulti\\nline \"q\"\n6\t[2,2,2]\t\n");
      assertThat(out(c, "COPY t1 (id, note) TO STDOUT WITH (FORMAT csv, HEADER)"))
          .isEqualTo("id,note\n1,hello\n2,with\ttab\\\n3,\n4,\"a, b\"\n"
              + "5,\"multi\nline \"\"q\"\"\"\n6,\"\"\n");
      assertThat(out(c, "COPY (SELECT id FROM t1 WHERE id > 4) TO STDOUT")).isEqualTo("5\n6\n");
    }
  }

  @Test
  void binary_copy_carries_pgvector_wire_vectors_both_ways() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t2 (id bigint PRIMARY KEY, v vector(2), f real)");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(bytes);
      d.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
      d.writeInt(0);
      d.writeInt(0);
      for (int i = 1; i <= 3; i++) {
        d.writeShort(3);
        d.writeInt(8);
        d.writeLong(i);
        d.writeInt(4 + 8);
        d.writeShort(2);
        d.writeShort(0);
        d.writeFloat(i);
        d.writeFloat(-i / 2f);
        if (i == 2) {
          d.writeInt(-1);
        } else {
          d.writeInt(4);
          d.writeFloat(i * 1.5f);
        }
      }
      d.writeShort(-1);
      long n = copy(c).copyIn("COPY t2 FROM STDIN (FORMAT binary)",
          new ByteArrayInputStream(bytes.toByteArray()));
      assertThat(n).isEqualTo(3);
      assertThat(rows(s, "SELECT id, v, f FROM t2 ORDER BY id"))
          .containsExactly("1|[1,-0.5]|1.5", "2|[2,-1]|null", "3|[3,-1.5]|4.5");
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      copy(c).copyOut("COPY t2 TO STDOUT (FORMAT binary)", back);
      assertThat(back.toByteArray()).isEqualTo(bytes.toByteArray());
    }
  }

  @Test
  void a_bad_row_fails_the_whole_copy_and_the_connection_stays_usable() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t3 (id bigint PRIMARY KEY, v vector(2))");
      assertThatThrownBy(() -> in(c, "COPY t3 FROM STDIN", "1\t[1,2]\n2\t[1,2,3]\n3\t[0,0]\n"))
          .isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("22000");
            assertThat(e.getServerErrorMessage().getWhere()).isEqualTo("COPY t3, line 2, column 2:"
                + " \"[1,2,3]\"");
          });
      assertThatThrownBy(() -> in(c, "COPY t3 FROM STDIN", "1\tx\n"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("22P02"));
      assertThatThrownBy(() -> in(c, "COPY t3 FROM STDIN", "1\n"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("22P04"));
      assertThatThrownBy(() -> in(c, "COPY t3 FROM STDIN", "1\t[1,1]\n1\t[2,2]\n"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("23505"));
      assertThatThrownBy(() -> in(c, "COPY t3 (id, nope) FROM STDIN", "1\t2\n"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("42703"));
      assertThatThrownBy(() -> in(c, "COPY t3 FROM STDIN (FORMAT binary)", "not binary at all"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("22P04"));
      assertThat(rows(s, "SELECT count(*) FROM t3")).containsExactly("0");

      // inside a transaction block the rows belong to the block
      c.setAutoCommit(false);
      assertThat(in(c, "COPY t3 FROM STDIN", "7\t[7,7]\n")).isEqualTo(1);
      assertThat(rows(s, "SELECT id FROM t3")).containsExactly("7");
      c.rollback();
      c.setAutoCommit(true);
      assertThat(rows(s, "SELECT count(*) FROM t3")).containsExactly("0");
    }
  }

  @Test
  void copy_fail_from_the_client_rolls_the_copy_back() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t4 (id bigint PRIMARY KEY)");
      org.postgresql.copy.CopyIn op = copy(c).copyIn("COPY t4 FROM STDIN");
      byte[] row = "1\n2\n".getBytes(StandardCharsets.UTF_8);
      op.writeToCopy(row, 0, row.length);
      op.cancelCopy();
      assertThat(rows(s, "SELECT count(*) FROM t4")).containsExactly("0");
      assertThat(in(c, "COPY t4 FROM STDIN", "3\n\\.\n")).isEqualTo(1);
      assertThat(rows(s, "SELECT id FROM t4")).containsExactly("3");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
