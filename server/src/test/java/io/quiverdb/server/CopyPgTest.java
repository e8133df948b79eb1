package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * COPY's three data formats over pgJDBC's CopyManager: what goes in (NULLs, escapes, line
 * endings, quoted CSV fields holding delimiters, quotes and newlines, pgvector's binary vectors)
 * comes back as it went in, and COPY TO STDOUT prints it byte for byte as PostgreSQL 15 does for
 * the same rows (the expected strings were produced by PostgreSQL 15 with pgvector). Data cut
 * into tiny CopyData messages reads the same as data in one.
 */
class CopyPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension();

  static CopyManager copy(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getCopyAPI();
  }

  static long in(Connection c, String sql, String data) throws Exception {
    return in(c, sql, data.getBytes(StandardCharsets.UTF_8), 65536);
  }

  static long in(Connection c, String sql, byte[] data, int messageSize) throws Exception {
    return copy(c).copyIn(sql, new ByteArrayInputStream(data), messageSize);
  }

  static String out(Connection c, String sql) throws Exception {
    return new String(outBytes(c, sql), StandardCharsets.UTF_8);
  }

  static byte[] outBytes(Connection c, String sql) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    copy(c).copyOut(sql, b);
    return b.toByteArray();
  }

  static List<String> rows(Statement s, String sql) throws SQLException {
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
  void text_format_reads_escapes_nulls_line_endings_and_the_end_marker() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (id bigint PRIMARY KEY, note text, v vector(3))");
      assertThat(in(c, "COPY notes FROM STDIN", "1\ta\\tb\\nc\\\\d\t[1,2,3]\n"
          + "2\t\\101\\x41\\x4\\7\t\\N\n3\t\\\\N\t[0.5,0.25,1e3]\n4\t\t[1e-07,1.5e+20,-0]\n"
          + "5\tno newline at the end\t\\N")).isEqualTo(5);
      assertThat(in(c, "COPY notes FROM STDIN",
          "6\tended by the marker\t\\N\n\\.\nnot read at all\n")).isEqualTo(1);
      assertThat(in(c, "COPY notes FROM STDIN",
          "7\tcarriage\\rreturn\t\\N\r\n8\tCRLF lines\t[0,0,0]\r\n")).isEqualTo(2);
      assertThat(in(c, "COPY notes (note, id) FROM STDIN (DELIMITER '|', NULL 'nil')",
          "a\\|b|9\nnil|10\n")).isEqualTo(2);
      assertThat(rows(s, "SELECT id, note, v FROM notes WHERE id <= 4 ORDER BY id"))
          .containsExactly("1|a\tb\nc\\d|[1,2,3]", "2|AA\u0004\u0007|null",
              "3|\\N|[0.5,0.25,1000]", "4||[1e-07,1.5e+20,-0]");
      assertThat(out(c, "COPY notes TO STDOUT")).isEqualTo("1\ta\\tb\\nc\\\\d\t[1,2,3]\n"
          + "2\tAA\u0004\u0007\t\\N\n3\t\\\\N\t[0.5,0.25,1000]\n4\t\t[1e-07,1.5e+20,-0]\n"
          + "5\tno newline at the end\t\\N\n6\tended by the marker\t\\N\n"
          + "7\tcarriage\\rreturn\t\\N\n8\tCRLF lines\t[0,0,0]\n9\ta|b\t\\N\n10\t\\N\t\\N\n");
      assertThat(out(c, "COPY notes (v, id) TO STDOUT (DELIMITER '|', NULL 'nil', HEADER)"))
          .isEqualTo("v|id\n[1,2,3]|1\nnil|2\n[0.5,0.25,1000]|3\n[1e-07,1.5e+20,-0]|4\nnil|5\n"
              + "nil|6\nnil|7\n[0,0,0]|8\nnil|9\nnil|10\n");
      assertThat(out(c, "COPY notes TO STDOUT (FORMAT csv, HEADER)")).isEqualTo("id,note,v\n"
          + "1,\"a\tb\nc\\d\",\"[1,2,3]\"\n2,AA\u0004\u0007,\n3,\\N,\"[0.5,0.25,1000]\"\n"
          + "4,\"\",\"[1e-07,1.5e+20,-0]\"\n5,no newline at the end,\n6,ended by the marker,\n"
          + "7,\"carriage\rreturn\",\n8,CRLF lines,\"[0,0,0]\"\n9,a|b,\n10,,\n");
      assertThat(out(c, "COPY (SELECT note FROM notes WHERE id = 3) TO STDOUT"
          + " (FORMAT csv, NULL '\\N')")).isEqualTo("\"\\N\"\n");
    }
  }

  @Test
  void csv_format_quotes_fields_with_delimiters_quotes_and_newlines() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE people (id int PRIMARY KEY, name varchar(20), bio text,"
          + " score real)");
      assertThat(in(c, "COPY people FROM STDIN (FORMAT csv, HEADER)", "id,name,bio,score\n"
          + "1,\"Smith, John\",\"said \"\"hi\"\"\nthen left\",1.5\n2,,\"\",\n3,\"\",,-0.25\n"))
          .isEqualTo(3);
      assertThat(in(c, "COPY people FROM STDIN WITH CSV",
          "4,x,y,2\r\n5,x,\"y\r\nz\",3\r\n")).isEqualTo(2);
      assertThat(in(c, "COPY people FROM STDIN (FORMAT csv, HEADER match)",
          "id,name,bio,score\n6,a\\b,\\N,4\n")).isEqualTo(1);
      assertThat(in(c, "COPY people FROM STDIN"
          + " (FORMAT csv, QUOTE '''', ESCAPE '\\', NULL 'NULL')", "8,'it\\'s','a''b',NULL\n"))
          .isEqualTo(1);
      assertThat(rows(s, "SELECT id, name, bio, score FROM people ORDER BY id")).containsExactly(
          "1|Smith, John|said \"hi\"\nthen left|1.5", "2|null||null", "3||null|-0.25",
          "4|x|y|2", "5|x|y\r\nz|3", "6|a\\b|\\N|4", "8|it's|ab|null");
      assertThat(out(c, "COPY people TO STDOUT (FORMAT csv, HEADER)")).isEqualTo(
          "id,name,bio,score\n1,\"Smith, John\",\"said \"\"hi\"\"\nthen left\",1.5\n2,,\"\",\n"
              + "3,\"\",,-0.25\n4,x,y,2\n5,x,\"y\r\nz\",3\n6,a\\b,\\N,4\n8,it's,ab,\n");
      assertThat(out(c, "COPY people TO STDOUT"
          + " (FORMAT csv, QUOTE '''', ESCAPE '\\', NULL 'NULL', DELIMITER ';')")).isEqualTo(
          "1;Smith, John;'said \"hi\"\nthen left';1.5\n2;NULL;;NULL\n3;;NULL;-0.25\n4;x;y;2\n"
              + "5;x;'y\r\nz';3\n6;a\\b;\\N;4\n8;'it\\'s';ab;NULL\n");
      assertThat(out(c, "COPY people TO STDOUT")).isEqualTo(
          "1\tSmith, John\tsaid \"hi\"\\nthen left\t1.5\n2\t\\N\t\t\\N\n3\t\t\\N\t-0.25\n"
              + "4\tx\ty\t2\n5\tx\ty\\r\\nz\t3\n6\ta\\\\b\t\\\\N\t4\n8\tit's\tab\t\\N\n");
    }
  }

  @Test
  void binary_format_carries_pgvector_vectors_and_scalars_both_ways() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kinds (id bigint PRIMARY KEY, i int, s smallint, f real,"
          + " d double precision, b boolean, t text, vc varchar(10), v vector(3))");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(bytes);
      d.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
      d.writeInt(0);
      d.writeInt(0);
      for (int row = 1; row <= 3; row++) {
        d.writeShort(9);
        d.writeInt(8);
        d.writeLong(row * 1_000_000_000_000L);
        if (row == 2) {
          for (int k = 0; k < 8; k++) {
            d.writeInt(-1); // a row of NULLs but its key
          }
          continue;
        }
        d.writeInt(4);
        d.writeInt(-row);
        d.writeInt(2);
        d.writeShort(row * 100);
        d.writeInt(4);
        d.writeFloat(row == 1 ? -0f : 0.1f);
        d.writeInt(8);
        d.writeDouble(row * Math.PI);
        d.writeInt(1);
        d.writeByte(row == 1 ? 1 : 0);
        byte[] text = ("héllo\t" + row).getBytes(StandardCharsets.UTF_8);
        d.writeInt(text.length);
        d.write(text);
        d.writeInt(2);
        d.write(new byte[] {'v', (byte) ('0' + row)});
        d.writeInt(4 + 3 * 4);
        d.writeShort(3);
        d.writeShort(0);
        d.writeFloat(row);
        d.writeFloat(-row / 2f);
        d.writeFloat(1e-7f);
      }
      d.writeShort(-1);
      byte[] data = bytes.toByteArray();
      assertThat(in(c, "COPY kinds FROM STDIN (FORMAT binary)", data, 65536)).isEqualTo(3);
      assertThat(rows(s, "SELECT id, i, s, f, d, b, t, vc, v FROM kinds ORDER BY id"))
          .containsExactly(
              "1000000000000|-1|100|-0|3.141592653589793|t|héllo\t1|v1|[1,-0.5,1e-07]",
              "2000000000000|null|null|null|null|null|null|null|null",
              "3000000000000|-3|300|0.1|9.42477796076938|f|héllo\t3|v3|[3,-1.5,1e-07]");
      assertThat(outBytes(c, "COPY kinds TO STDOUT (FORMAT binary)")).isEqualTo(data);
      assertThat(outBytes(c, "COPY kinds TO STDOUT WITH BINARY")).isEqualTo(data);
    }
  }

  @Test
  void binary_copy_out_reads_back_in_for_dates_times_numerics_and_bytes() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      for (String t : new String[] {"moments", "moments2"}) {
        s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, d date, ts timestamp,"
            + " tz timestamptz, n numeric, b bytea)");
      }
      assertThat(in(c, "COPY moments FROM STDIN", "1\t2024-02-29\t2024-02-29 12:34:56.789\t"
          + "1999-12-31 23:59:59.5+00\t12345.678900\t\\\\x00ff10\n"
          + "2\t1970-01-01\t1969-07-20 20:17:40\t2038-01-19 03:14:08+00\t-0.5\t\n"
          + "3\t\\N\t\\N\t\\N\t\\N\t\\N\n")).isEqualTo(3);
      byte[] binary = outBytes(c, "COPY moments TO STDOUT (FORMAT binary)");
      assertThat(in(c, "COPY moments2 FROM STDIN (FORMAT binary)", binary, 5)).isEqualTo(3);
      assertThat(out(c, "COPY moments2 TO STDOUT")).isEqualTo(out(c, "COPY moments TO STDOUT"));
      assertThat(outBytes(c, "COPY moments2 TO STDOUT (FORMAT binary)")).isEqualTo(binary);
    }
  }

  @Test
  void rows_cut_across_tiny_copy_data_messages_read_the_same() throws Exception {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    StringBuilder csv = new StringBuilder("id,note,v\r\n");
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(binary);
    d.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
    d.writeInt(0);
    d.writeInt(4);
    d.writeInt(42); // a header extension, skipped
    int n = 300;
    for (int i = 1; i <= n; i++) {
      float x = random.nextFloat();
      String note = "n\u00e9 " + i + (i % 7 == 0 ? "\t\\" : "") + (i % 11 == 0 ? ",\"q\"\n" : "");
      text.append(i).append('\t').append(note.replace("\\", "\\\\").replace("\t", "\\t")
          .replace("\n", "\\n")).append('\t').append(i % 5 == 0 ? "\\N" : "[" + x + ",1]")
          .append('\n');
      csv.append(i).append(",\"").append(note.replace("\"", "\"\"")).append("\",")
          .append(i % 5 == 0 ? "" : "\"[" + x + ",1]\"").append("\r\n");
      byte[] noteBytes = note.getBytes(StandardCharsets.UTF_8);
      d.writeShort(3);
      d.writeInt(8);
      d.writeLong(i);
      d.writeInt(noteBytes.length);
      d.write(noteBytes);
      if (i % 5 == 0) {
        d.writeInt(-1);
      } else {
        d.writeInt(12);
        d.writeShort(2);
        d.writeShort(0);
        d.writeFloat(x);
        d.writeFloat(1);
      }
    }
    d.writeShort(-1);
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      List<String> expected = null;
      String[][] loads = {{"text", "COPY chunks FROM STDIN"},
          {"csv", "COPY chunks FROM STDIN (FORMAT csv, HEADER)"},
          {"binary", "COPY chunks FROM STDIN (FORMAT binary)"}};
      for (String[] load : loads) {
        byte[] data = switch (load[0]) {
          case "text" -> text.toString().getBytes(StandardCharsets.UTF_8);
          case "csv" -> csv.toString().getBytes(StandardCharsets.UTF_8);
          default -> binary.toByteArray();
        };
        for (int size : new int[] {1, 3, 7, 64, 65536}) {
          s.execute("DROP TABLE IF EXISTS chunks");
          s.execute("CREATE TABLE chunks (id bigint PRIMARY KEY, note text, v vector(2))");
          assertThat(in(c, load[1], data, size)).as("%s in %d-byte messages", load[0], size)
              .isEqualTo(n);
          List<String> got = rows(s, "SELECT id, note, v FROM chunks ORDER BY id");
          if (expected == null) {
            expected = got;
          }
          assertThat(got).as("%s in %d-byte messages", load[0], size).isEqualTo(expected);
        }
      }
      assertThat(expected.get(76)).isEqualTo("77|n\u00e9 77\t\\,\"q\"\n|" + expected.get(76)
          .substring(expected.get(76).lastIndexOf('|') + 1));
      assertThat(expected.get(4)).endsWith("|null");
    }
  }

  @Test
  void copy_of_a_query_and_of_named_columns_to_stdout() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE q (id bigint PRIMARY KEY, v vector(2), tag text)");
      in(c, "COPY q (id, v) FROM STDIN", "1\t[1,2]\n2\t[3,4]\n3\t[5,6]\n");
      assertThat(out(c, "COPY (SELECT id, v <-> '[0,0]' AS d FROM q WHERE id > 1 ORDER BY id)"
          + " TO STDOUT (FORMAT csv, HEADER)")).isEqualTo("id,d\n2,5\n3,7.810249675906654\n");
      assertThat(out(c, "COPY q (tag, id) TO STDOUT")).isEqualTo("\\N\t1\n\\N\t2\n\\N\t3\n");
      assertThat(out(c, "COPY (SELECT tag FROM q WHERE false) TO STDOUT")).isEmpty();
    }
  }

  static void write(org.postgresql.copy.CopyIn op, String data) throws SQLException {
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    op.writeToCopy(b, 0, b.length);
  }
}
