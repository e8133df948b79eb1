package io.quiverdb.server;

import static io.quiverdb.server.CopyPgTest.in;
import static io.quiverdb.server.CopyPgTest.rows;
import static io.quiverdb.server.RawPgClient.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.server.RawPgClient.Message;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;

/**
 * COPY's failures and sub-protocol, as PostgreSQL behaves: a bad row fails the whole COPY with
 * the row's SQLSTATE and a CONTEXT naming its line (and column), nothing of it stays, and the
 * connection goes on; the error is sent as soon as it is found, not when the client finishes;
 * CopyFail gives 57014; in copy-in mode Flush and Sync are ignored and any other message fails
 * the COPY; after a failure the rest of a Query message is skipped, and the extended protocol
 * skips to Sync. Messages pgJDBC cannot send are sent with {@link RawPgClient}.
 */
class CopyProtocolPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static void fails(Connection c, String sql, String data, String state, String message,
      String where) {
    assertThatThrownBy(() -> in(c, sql, data)).as(sql + " with " + data)
        .isInstanceOfSatisfying(PSQLException.class, e -> {
          assertThat(e.getSQLState()).isEqualTo(state);
          assertThat(e.getServerErrorMessage().getMessage()).isEqualTo(message);
          assertThat(e.getServerErrorMessage().getWhere()).isEqualTo(where);
        });
  }

  @Test
  void a_bad_row_fails_the_whole_copy_with_its_line_and_the_connection_stays_usable()
      throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bad (id bigint PRIMARY KEY, v vector(2), note text NOT NULL)");
      fails(c, "COPY bad FROM STDIN", "1\t[1,2]\ta\n2\t[1,2,3]\tb\n3\t[0,0]\tc\n", "22000",
          "expected 2 dimensions, not 3", "COPY bad, line 2, column v: \"[1,2,3]\"");
      fails(c, "COPY bad FROM STDIN", "1\tx\ta\n", "22P02",
          "invalid input syntax for type vector: \"x\"", "COPY bad, line 1, column v: \"x\"");
      fails(c, "COPY bad FROM STDIN", "x1\t[1,1]\ta\n", "22P02",
          "invalid input syntax for type bigint: \"x1\"", "COPY bad, line 1, column id: \"x1\"");
      fails(c, "COPY bad FROM STDIN", "1\t[1,2]\n", "22P04", "missing data for column \"note\"",
          "COPY bad, line 1: \"1\t[1,2]\"");
      fails(c, "COPY bad FROM STDIN", "1\t[1,2]\ta\tb\n", "22P04",
          "extra data after last expected column", "COPY bad, line 1: \"1\t[1,2]\ta\tb\"");
      fails(c, "COPY bad FROM STDIN", "1\t[1,1]\ta\n2\t[2,2]\tb\n1\t[3,3]\tc\n", "23505",
          "duplicate key value violates unique constraint \"bad_pkey\"", "COPY bad, line 3");
      fails(c, "COPY bad FROM STDIN", "1\t[1,1]\t\\N\n", "23502", "null value in column"
          + " \"note\" of relation \"bad\" violates not-null constraint",
          "COPY bad, line 1: \"1\t[1,1]\t\\N\"");
      fails(c, "COPY bad FROM STDIN (FORMAT csv)", "1,\"[1,1]\",\"unterminated\n", "22P04",
          "unterminated CSV quoted field", "COPY bad, line 1: \"1,\"[1,1]\",\"unterminated\n\"");
      fails(c, "COPY bad FROM STDIN", "1\t[1,1]\t\u00e9\n2\t[1,1]\tb\r\n", "22P04",
          "literal carriage return found in data", "COPY bad, line 2");
      fails(c, "COPY bad FROM STDIN (FORMAT binary)", "not binary at all", "22P04",
          "COPY file signature not recognized", null);
      fails(c, "COPY bad (id, nope) FROM STDIN", "", "42703",
          "column \"nope\" of relation \"bad\" does not exist", null);
      fails(c, "COPY nope FROM STDIN", "", "42P01", "relation \"nope\" does not exist", null);
      fails(c, "COPY bad FROM STDIN (FORMAT csv, DELIMITER '\"')", "", "22023",
          "COPY delimiter and quote must be different", null);
      assertThat(rows(s, "SELECT count(*) FROM bad")).containsExactly("0");

      StringBuilder many = new StringBuilder();
      for (int i = 1; i <= 5000; i++) {
        many.append(i).append("\t[").append(i).append(",0]\tok\n");
      }
      fails(c, "COPY bad FROM STDIN", many + "5001\t[1,1]\n", "22P04",
          "missing data for column \"note\"", "COPY bad, line 5001: \"5001\t[1,1]\"");
      assertThat(rows(s, "SELECT count(*) FROM bad")).containsExactly("0");
      assertThat(in(c, "COPY bad FROM STDIN", many.toString())).isEqualTo(5000);
      assertThat(rows(s, "SELECT count(*) FROM bad")).containsExactly("5000");
    }
  }

  /**
   * pgJDBC reads nothing while it sends COPY data, so it meets the error (sent at once, see the
   * raw-protocol tests below) when it ends the COPY; what it sent after the bad row is dropped.
   */
  @Test
  void pgjdbc_sees_the_error_at_end_copy_and_carries_on() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE early (id bigint PRIMARY KEY, v vector(2))");
      CopyIn op = CopyPgTest.copy(c).copyIn("COPY early FROM STDIN");
      CopyPgTest.write(op, "1\t[1,1]\nnot a number\t[2,2]\n");
      op.flushCopy();
      for (int i = 3; i < 1000; i++) {
        CopyPgTest.write(op, i + "\t[0,0]\n");
      }
      assertThatThrownBy(op::endCopy).isInstanceOfSatisfying(PSQLException.class, e -> {
        assertThat(e.getSQLState()).isEqualTo("22P02");
        assertThat(e.getServerErrorMessage().getWhere())
            .isEqualTo("COPY early, line 2, column id: \"not a number\"");
      });
      assertThat(op.isActive()).isFalse();
      assertThat(rows(s, "SELECT count(*) FROM early")).containsExactly("0");
      assertThat(in(c, "COPY early FROM STDIN", "1\t[1,1]\n")).isEqualTo(1);
    }
  }

  @Test
  void copy_fail_from_the_client_is_57014_and_leaves_nothing() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE failed (id bigint PRIMARY KEY)");
      CopyIn op = CopyPgTest.copy(c).copyIn("COPY failed FROM STDIN");
      CopyPgTest.write(op, "1\n2\n");
      op.cancelCopy();
      assertThat(rows(s, "SELECT count(*) FROM failed")).containsExactly("0");
      assertThat(in(c, "COPY failed FROM STDIN", "3\n\\.\n")).isEqualTo(1);
    }
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      raw.query("COPY failed FROM STDIN").flush();
      assertThat(raw.read().type()).isEqualTo('G');
      raw.copyData("4\n").copyFail("the file went away").flush();
      List<Message> got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("EZ");
      assertThat(got.get(0).field('C')).isEqualTo("57014");
      assertThat(got.get(0).field('M')).isEqualTo("COPY from stdin failed: the file went away");
      raw.query("SELECT count(*) FROM failed").flush();
      assertThat(raw.readUntilReady().get(1).body()).contains((byte) '1');
    }
  }

  @Test
  void copy_inside_a_transaction_block_belongs_to_the_block() throws Exception {
    try (Connection c = SERVER.connect(); Connection other = SERVER.connect();
        Statement s = c.createStatement(); Statement o = other.createStatement()) {
      s.execute("CREATE TABLE block (id bigint PRIMARY KEY, v vector(2))");
      c.setAutoCommit(false);
      assertThat(in(c, "COPY block FROM STDIN", "1\t[1,1]\n2\t[2,2]\n")).isEqualTo(2);
      assertThat(rows(s, "SELECT count(*) FROM block")).containsExactly("2");
      assertThat(rows(o, "SELECT count(*) FROM block")).containsExactly("0");
      c.rollback();
      assertThat(rows(s, "SELECT count(*) FROM block")).containsExactly("0");

      assertThat(in(c, "COPY block FROM STDIN", "3\t[3,3]\n")).isEqualTo(1);
      s.execute("INSERT INTO block VALUES (4, '[4,4]')");
      c.commit();
      assertThat(rows(o, "SELECT id FROM block ORDER BY id")).containsExactly("3", "4");

      s.execute("INSERT INTO block VALUES (5, '[5,5]')");
      assertThatThrownBy(() -> in(c, "COPY block FROM STDIN", "6\t[6,6]\n3\t[3,3]\n"))
          .isInstanceOfSatisfying(PSQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("23505"));
      assertThatThrownBy(() -> rows(s, "SELECT 1")).isInstanceOfSatisfying(PSQLException.class,
          e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
      c.rollback();
      c.setAutoCommit(true);
      assertThat(rows(s, "SELECT id FROM block ORDER BY id")).containsExactly("3", "4");
    }
  }

  @Test
  void a_query_message_goes_on_after_its_copy_and_stops_at_a_failed_one() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE multi (id bigint PRIMARY KEY)");
    }
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      raw.query("SELECT 1; COPY multi FROM STDIN; SELECT count(*) FROM multi").flush();
      assertThat(types(List.of(raw.read(), raw.read(), raw.read(), raw.read()))).isEqualTo("TDCG");
      raw.copyData("1\n2").copyData("\n3\n").copyDone().flush();
      List<Message> got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("CTDCZ");
      assertThat(got.get(0).text()).isEqualTo("COPY 3");
      assertThat(new String(got.get(2).body(), StandardCharsets.UTF_8)).endsWith("3");

      raw.query("COPY multi FROM STDIN; SELECT 1").flush();
      assertThat(raw.read().type()).isEqualTo('G');
      raw.copyData("4\n4\n").flush();
      got = raw.readUntilReady(); // at once: the client has not finished sending
      assertThat(types(got)).isEqualTo("EZ");
      assertThat(got.get(0).field('C')).isEqualTo("23505");
      assertThat(got.get(0).field('W')).isEqualTo("COPY multi, line 2");
      raw.copyData("5\n").copyDone().query("SELECT count(*) FROM multi").flush();
      got = raw.readUntilReady(); // the late CopyData and CopyDone were dropped
      assertThat(types(got)).isEqualTo("TDCZ");
      assertThat(new String(got.get(1).body(), StandardCharsets.UTF_8)).endsWith("3");
    }
  }

  @Test
  void extended_protocol_copy_ignores_flush_and_sync_until_copy_done() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE ext (id bigint PRIMARY KEY, v vector(2))");
    }
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      raw.parseBindExecute("COPY ext FROM STDIN (FORMAT csv)").sync().flush();
      assertThat(types(List.of(raw.read(), raw.read(), raw.read(), raw.read()))).isEqualTo("12nG");
      raw.copyData("1,\"[1,1]\"\n").send('H', new byte[0]).sync().copyData("2,\"[2,2]\"\n")
          .copyDone().sync().flush();
      List<Message> got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("CZ");
      assertThat(got.get(0).text()).isEqualTo("COPY 2");
      raw.query("SELECT count(*) FROM ext").flush();
      got = raw.readUntilReady(); // no ReadyForQuery left over from the ignored Sync
      assertThat(types(got)).isEqualTo("TDCZ");
      assertThat(new String(got.get(1).body(), StandardCharsets.UTF_8)).endsWith("2");

      raw.parseBindExecute("COPY ext TO STDOUT").sync().flush();
      got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("12nHddcCZ");
      assertThat(new String(got.get(4).body(), StandardCharsets.UTF_8)).isEqualTo("1\t[1,1]\n");
      assertThat(got.get(7).text()).isEqualTo("COPY 2");
    }
  }

  @Test
  void extended_protocol_copy_error_skips_to_sync() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE extbad (id bigint PRIMARY KEY)");
    }
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      raw.parseBindExecute("COPY extbad FROM STDIN").sync().flush();
      assertThat(types(List.of(raw.read(), raw.read(), raw.read(), raw.read()))).isEqualTo("12nG");
      raw.copyData("1\nx\n").flush();
      Message error = raw.read(); // before the client sends CopyDone
      assertThat(error.type()).isEqualTo('E');
      assertThat(error.field('C')).isEqualTo("22P02");
      assertThat(error.field('W')).isEqualTo("COPY extbad, line 2, column id: \"x\"");
      raw.copyData("2\n").copyDone().parseBindExecute("SELECT 1").sync().flush();
      List<Message> got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("Z");
      assertThat(got.get(0).text()).isEqualTo("I");
      raw.query("SELECT count(*) FROM extbad").flush();
      got = raw.readUntilReady();
      assertThat(new String(got.get(1).body(), StandardCharsets.UTF_8)).endsWith("0");
    }
  }

  @Test
  void any_other_message_in_copy_in_mode_fails_the_copy() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE stray (id bigint PRIMARY KEY)");
    }
    try (RawPgClient raw = new RawPgClient(SERVER.port())) {
      raw.query("COPY stray FROM STDIN").flush();
      assertThat(raw.read().type()).isEqualTo('G');
      raw.copyData("1\n").query("SELECT 1").flush();
      List<Message> got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("EZ");
      assertThat(got.get(0).field('C')).isEqualTo("08P01");
      assertThat(got.get(0).field('M'))
          .isEqualTo("unexpected message type 0x51 during COPY from stdin");
      raw.copyDone().query("SELECT count(*) FROM stray").flush();
      got = raw.readUntilReady();
      assertThat(types(got)).isEqualTo("TDCZ");
      assertThat(new String(got.get(1).body(), StandardCharsets.UTF_8)).endsWith("0");
    }
  }
}
