package io.quiverdb.server;

import static io.quiverdb.server.CopyPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.server.RawPgClient.Body;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.ServerErrorMessage;

/**
 * statement_timeout, idle_in_transaction_session_timeout and idle_session_timeout act as in
 * PostgreSQL 15: their values take PostgreSQL's units and show as it shows them, a statement that
 * runs too long stops with 57014, and a session idle too long ends with PostgreSQL's FATAL (its
 * open transaction rolled back). Values and messages were taken from PostgreSQL 15.18.
 */
class TimeoutsPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  /** Rows enough that counting them takes far longer than a millisecond. */
  private static final int ROWS = 300_000;

  @BeforeAll
  static void load() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE big (id bigint PRIMARY KEY)");
      StringBuilder data = new StringBuilder();
      for (int i = 0; i < ROWS; i++) {
        data.append(i).append('\n');
      }
      assertThat(CopyPgTest.in(c, "COPY big FROM STDIN", data.toString())).isEqualTo(ROWS);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "200|200ms", "'200ms'|200ms", "'1s'|1s", "1000|1s", "'5min'|5min", "'1h'|1h", "'1d'|1d",
      "'1500ms'|1500ms", "60000|1min", "'90s'|90s", "'0'|0", "'10 s'|10s", "' 10s '|10s",
      "'1.5s'|1500ms", "'0.5ms'|0", "'1.5'|2ms", "'100us'|0", "'2147483647'|2147483647ms",
      "'1e3'|1s", "DEFAULT|0", "86400000|1d", "1.5|2ms"})
  void time_settings_take_postgresql_units_and_show_as_postgresql_does(String value, String shown)
      throws Exception {
    try (Connection c = SERVER.connect(ClientMode.SIMPLE); Statement s = c.createStatement()) {
      for (String name : new String[] {"statement_timeout", "idle_in_transaction_session_timeout",
          "idle_session_timeout"}) {
        s.execute("SET " + name + " = " + value);
        assertThat(rows(s, "SHOW " + name)).as(name + " = " + value).containsExactly(shown);
      }
    }
  }

  @Test
  void invalid_time_values_are_22023_with_postgresql_messages() throws Exception {
    try (Connection c = SERVER.connect(ClientMode.SIMPLE); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(() -> s.execute("SET statement_timeout = -1"));
      assertThat(e.getSQLState()).isEqualTo("22023");
      assertThat(e.getMessage()).isEqualTo("-1 ms is outside the valid range for parameter"
          + " \"statement_timeout\" (0 .. 2147483647)");
      e = PgAssert.error(() -> s.execute("SET statement_timeout = 'abc'"));
      assertThat(e.getSQLState()).isEqualTo("22023");
      assertThat(e.getMessage()).isEqualTo("invalid value for parameter \"statement_timeout\":"
          + " \"abc\"");
      assertThat(e.getHint()).isNull();
      e = PgAssert.error(() -> s.execute("SET idle_session_timeout = '1 week'"));
      assertThat(e.getMessage()).isEqualTo("invalid value for parameter \"idle_session_timeout\":"
          + " \"1 week\"");
      assertThat(e.getHint()).isEqualTo("Valid units for this parameter are \"us\", \"ms\","
          + " \"s\", \"min\", \"h\", and \"d\".");
      e = PgAssert.error(() -> s.execute("SET statement_timeout = '10S'"));
      assertThat(e.getHint()).startsWith("Valid units for this parameter");
      e = PgAssert.error(() -> s.execute("SET statement_timeout = '2147483648'"));
      assertThat(e.getHint()).isEqualTo("Value exceeds integer range.");
      e = PgAssert.error(() -> s.execute("SET max_connections = 5"));
      assertThat(e.getSQLState()).isEqualTo("55P02");
      assertThat(e.getMessage()).isEqualTo("parameter \"max_connections\" cannot be changed"
          + " without restarting the server");
      assertThat(rows(s, "SHOW max_connections")).containsExactly("100");
    }
  }

  @Test
  void a_statement_longer_than_statement_timeout_is_canceled() throws Exception {
    for (ClientMode mode : ClientMode.values()) {
      try (Connection c = SERVER.connect(mode); Statement s = c.createStatement()) {
        s.execute("SET statement_timeout = '1ms'");
        ServerErrorMessage e = PgAssert.error(() -> rows(s, "SELECT count(*) FROM big"));
        assertThat(e.getSQLState()).as(mode.name()).isEqualTo("57014");
        assertThat(e.getMessage()).isEqualTo("canceling statement due to statement timeout");
        s.execute("SET statement_timeout = '1min'");
        assertThat(rows(s, "SELECT count(*) FROM big")).containsExactly(String.valueOf(ROWS));
      }
    }
  }

  @Test
  void statement_timeout_set_earlier_in_a_query_message_applies_to_the_next_statement()
      throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("SET statement_timeout = 1; SELECT count(*) FROM big").flush();
      assertThat(c.briefsUntilReady()).containsSubsequence("C SET",
          "E ERROR 57014 canceling statement due to statement timeout", "Z I");
      c.query("SELECT 1").flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
    }
  }

  /**
   * As in PostgreSQL, the extended protocol's timer runs from the first Parse/Bind/Execute to the
   * end of the Execute, and a timer that runs out while the server waits for the client's next
   * message cancels nothing.
   */
  @Test
  void statement_timeout_does_not_count_time_waiting_for_the_client() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("SET statement_timeout = 50").flush();
      c.readUntilReady();
      c.sendRaw(new Body().cstring("").cstring("SELECT 1").int16(0).message('P'))
          .sendRaw(new Body().cstring("").cstring("").int16(0).int16(0).int16(0).message('B'))
          .sendRaw(new Body().message('H')).flush();
      assertThat(c.read().type()).isEqualTo('1');
      assertThat(c.read().type()).isEqualTo('2');
      assertNothingArrivesFor(c, 300);
      c.sendRaw(new Body().cstring("").int32(0).message('E')).sync().flush();
      assertThat(c.briefsUntilReady()).containsExactly("D", "C SELECT 1", "Z I");
      c.query("SET statement_timeout = 1").flush();
      c.readUntilReady();
      c.sendRaw(new Body().cstring("").cstring("SELECT count(*) FROM big").int16(0).message('P'))
          .sendRaw(new Body().cstring("").cstring("").int16(0).int16(0).int16(0).message('B'))
          .sendRaw(new Body().cstring("").int32(0).message('E')).sync().flush();
      assertThat(c.briefsUntilReady()).containsSubsequence("1",
          "E ERROR 57014 canceling statement due to statement timeout", "Z I");
    }
  }

  @Test
  void a_session_idle_in_a_transaction_too_long_ends_and_rolls_back() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("CREATE TABLE idle_rows (id bigint PRIMARY KEY);"
          + " SET idle_in_transaction_session_timeout = '200ms'").flush();
      c.readUntilReady();
      assertNothingArrivesFor(c, 400); // idle, but not in a transaction: nothing happens
      c.query("BEGIN; INSERT INTO idle_rows VALUES (1)").flush();
      assertThat(c.briefsUntilReady()).containsExactly("C BEGIN", "C INSERT 0 1", "Z T");
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 25P03 terminating connection due to idle-in-transaction timeout", "closed");
    }
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("SET idle_in_transaction_session_timeout = 200; BEGIN").flush();
      c.readUntilReady();
      c.query("SELECT * FROM nope").flush();
      assertThat(c.briefsUntilReady()).last().isEqualTo("Z E");
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 25P03 terminating connection due to idle-in-transaction timeout", "closed");
    }
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      assertThat(rows(s, "SELECT count(*) FROM idle_rows")).containsExactly("0");
    }
  }

  @Test
  void a_session_idle_too_long_ends_with_idle_session_timeout() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("SET idle_session_timeout = 200").flush();
      c.readUntilReady();
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 57P05 terminating connection due to idle-session timeout", "closed");
    }
  }

  /** Asserts the server sends nothing for {@code millis} (the client sits idle meanwhile). */
  static void assertNothingArrivesFor(RawPgClient c, int millis) throws Exception {
    c.setTimeout(millis);
    try {
      RawPgClient.Message m = c.readOrClosed();
      throw new AssertionError("expected silence, got " + (m == null ? "a close" : m.brief()));
    } catch (SocketTimeoutException expected) {
      // nothing arrived
    } finally {
      c.setTimeout(30_000);
    }
  }

  static List<String> briefs(List<RawPgClient.Message> messages) {
    return messages.stream().map(RawPgClient.Message::brief).toList();
  }
}
