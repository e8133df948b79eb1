package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.server.RawPgClient.Body;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed frontend messages get what PostgreSQL 15 answers (each expectation here was taken
 * from a raw-socket session with PostgreSQL 15.18): 08P01 errors for truncated fields and
 * leftover bytes (the connection stays), a silent close for impossible lengths, FATAL for an
 * unknown message type, 22021 for invalid UTF-8, and never an internal message.
 */
class ProtocolErrorsPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension(
      c -> c.with("max_message_size", "1MB", "in the test"));

  private static final String ERROR = "E ERROR 08P01 ";

  @BeforeAll
  static void createTable() throws Exception {
    try (RawPgClient c = client()) {
      c.query("CREATE TABLE words (id bigint PRIMARY KEY, w text)").flush();
      assertThat(c.briefsUntilReady()).containsExactly("C CREATE TABLE", "Z I");
    }
  }

  private static RawPgClient client() throws Exception {
    return new RawPgClient(SERVER.port());
  }

  private static byte[] parse(String sql) {
    return new Body().cstring("").cstring(sql).int16(0).message('P');
  }

  private static byte[] bindNoParameters() {
    return new Body().cstring("").cstring("").int16(0).int16(0).int16(0).message('B');
  }

  private static byte[] execute() {
    return new Body().cstring("").int32(0).message('E');
  }

  private static final byte[] SYNC = new Body().message('S');

  /** Sends the bytes, then a Sync; returns the briefs up to ReadyForQuery. */
  private static List<String> sendThenSync(RawPgClient c, byte[]... messages) throws Exception {
    for (byte[] m : messages) {
      c.sendRaw(m);
    }
    c.sendRaw(SYNC).flush();
    return c.briefsUntilReady();
  }

  private static void assertUsable(RawPgClient c) throws Exception {
    c.query("SELECT 1").flush();
    assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
  }

  @Test
  void parse_declaring_more_parameter_types_than_it_holds_is_insufficient_data() throws Exception {
    try (RawPgClient c = client()) {
      byte[] parse = new Body().cstring("").cstring("SELECT $1").int16(3).int32(23).message('P');
      assertThat(sendThenSync(c, parse))
          .containsExactly(ERROR + "insufficient data left in message", "Z I");
      assertUsable(c);
    }
  }

  @Test
  void truncated_fields_are_insufficient_data_and_missing_terminators_invalid_string()
      throws Exception {
    try (RawPgClient c = client()) {
      byte[] bind = new Body().cstring("").cstring("").bytes(0).message('B');
      assertThat(sendThenSync(c, parse("SELECT 1"), bind))
          .containsExactly("1", ERROR + "insufficient data left in message", "Z I");
      c.sendRaw(new Body().bytes("SELECT 1".getBytes(StandardCharsets.US_ASCII)).message('Q'))
          .flush();
      assertThat(c.briefsUntilReady())
          .containsExactly(ERROR + "invalid string in message", "Z I");
      c.sendRaw(new Body().message('Q')).flush();
      assertThat(c.briefsUntilReady())
          .containsExactly(ERROR + "invalid string in message", "Z I");
      assertThat(sendThenSync(c, new Body().message('D')))
          .containsExactly(ERROR + "no data left in message", "Z I");
      assertThat(sendThenSync(c, new Body().message('E')))
          .containsExactly(ERROR + "invalid string in message", "Z I");
      byte[] negativeLength = new Body().cstring("").cstring("").int16(0).int16(1).int32(-2)
          .int16(0).message('B');
      assertThat(sendThenSync(c, parse("SELECT $1::text"), negativeLength))
          .containsExactly("1", ERROR + "insufficient data left in message", "Z I");
      byte[] pastTheEnd = new Body().cstring("").cstring("").int16(0).int16(1).int32(100)
          .bytes('a', 'b').message('B');
      assertThat(sendThenSync(c, parse("SELECT $1::text"), pastTheEnd))
          .containsExactly("1", ERROR + "insufficient data left in message", "Z I");
      assertUsable(c);
    }
  }

  @Test
  void leftover_bytes_are_invalid_message_format() throws Exception {
    try (RawPgClient c = client()) {
      c.sendRaw(new Body().cstring("SELECT 1").bytes('x', 'x').message('Q')).flush();
      assertThat(c.briefsUntilReady()).containsExactly(ERROR + "invalid message format", "Z I");
      byte[] parse = new Body().cstring("").cstring("SELECT 1").int16(0).bytes('x').message('P');
      assertThat(sendThenSync(c, parse)).containsExactly(ERROR + "invalid message format", "Z I");
      byte[] exec = new Body().cstring("").int32(0).bytes('z').message('E');
      assertThat(sendThenSync(c, parse("SELECT 1"), bindNoParameters(), exec))
          .containsExactly("1", "2", ERROR + "invalid message format", "Z I");
      c.sendRaw(new Body().bytes('a', 'b', 'c').message('S')).flush();
      assertThat(c.briefsUntilReady()).containsExactly(ERROR + "invalid message format", "Z I");
      assertThat(sendThenSync(c, new Body().bytes('a', 'b', 'c').message('H')))
          .containsExactly(ERROR + "invalid message format", "Z I");
      assertUsable(c);
    }
  }

  @Test
  void bad_describe_and_close_subtypes_and_bind_format_counts_are_protocol_violations()
      throws Exception {
    try (RawPgClient c = client()) {
      assertThat(sendThenSync(c, new Body().bytes('Z').cstring("").message('D')))
          .containsExactly(ERROR + "invalid DESCRIBE message subtype 90", "Z I");
      assertThat(sendThenSync(c, new Body().bytes('Z').cstring("").message('C')))
          .containsExactly(ERROR + "invalid CLOSE message subtype 90", "Z I");
      byte[] twoFormats = new Body().cstring("").cstring("").int16(2).int16(0).int16(0).int16(1)
          .int32(1).bytes('a').int16(0).message('B');
      assertThat(sendThenSync(c, parse("SELECT $1::text"), twoFormats)).containsExactly("1",
          ERROR + "bind message has 2 parameter formats but 1 parameters", "Z I");
      byte[] twoResultFormats = new Body().cstring("").cstring("").int16(0).int16(0).int16(2)
          .int16(0).int16(0).message('B');
      assertThat(sendThenSync(c, parse("SELECT 1, 2, 3"), twoResultFormats)).containsExactly("1",
          ERROR + "bind message has 2 result formats but query has 3 columns", "Z I");
      byte[] badCode = new Body().cstring("").cstring("").int16(0).int16(0).int16(1).int16(7)
          .message('B');
      assertThat(sendThenSync(c, parse("SELECT 1"), badCode, execute()))
          .containsExactly("1", "2", "E ERROR 22023 unsupported format code: 7", "Z I");
      assertUsable(c);
    }
  }

  /** PostgreSQL logs "invalid message length" and closes without a word to the client. */
  @ParameterizedTest
  @ValueSource(ints = {0, 3, Integer.MAX_VALUE, -1})
  void an_impossible_message_length_closes_the_connection_silently(int length) throws Exception {
    for (char type : new char[] {'Q', 'P', 'B', 'E', 'S', 'd'}) {
      try (RawPgClient c = client()) {
        c.sendRaw(new Body().bytes(type).int32(length).bytes(new byte[8]).build()).flush();
        assertThat(c.readUntilClosed()).as("type %s length %d", type, length)
            .containsExactly("closed");
      }
    }
  }

  @Test
  void short_messages_over_ten_thousand_bytes_and_others_over_the_maximum_close_silently()
      throws Exception {
    try (RawPgClient c = client()) {
      sendUnlessClosed(c, new Body().bytes('E').int32(20_000).bytes(new byte[19_996]).build());
      assertThat(c.readUntilClosed()).containsExactly("closed");
    }
    try (RawPgClient c = client()) {
      c.query("SELECT 1" + " ".repeat(19_990)).flush();
      assertThat(c.briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");
      sendUnlessClosed(c, new Body().bytes('Q').int32(4 + (1 << 20) + 9)
          .bytes(("SELECT 1" + " ".repeat(1 << 20)).getBytes(StandardCharsets.UTF_8)).bytes(0)
          .build());
      assertThat(c.readUntilClosed()).containsExactly("closed");
    }
  }

  /** Sends {@code bytes}; the server may close on reading the length, before the rest is sent. */
  private static void sendUnlessClosed(RawPgClient c, byte[] bytes) throws IOException {
    try {
      c.sendRaw(bytes).flush();
    } catch (SocketException closedWhileSending) {
      // what follows reads the close
    }
  }

  @Test
  void an_unknown_message_type_is_fatal_with_its_decimal_code() throws Exception {
    try (RawPgClient c = client()) {
      c.sendRaw(new Body().bytes('z').int32(4).build()).flush();
      assertThat(c.readUntilClosed())
          .containsExactly("E FATAL 08P01 invalid frontend message type 122", "closed");
    }
    try (RawPgClient c = client()) {
      c.query("SELECT 1").sendRaw(new Body().bytes(0).int32(4).build()).flush();
      assertThat(c.readUntilClosed()).containsExactly("T", "D", "C SELECT 1", "Z I",
          "E FATAL 08P01 invalid frontend message type 0", "closed");
    }
  }

  @Test
  void a_message_with_a_bare_length_where_a_body_is_needed_fails_as_postgresql_does()
      throws Exception {
    try (RawPgClient c = client()) {
      c.sendRaw(new Body().bytes('Q').int32(4).build()).flush();
      assertThat(c.briefsUntilReady()).containsExactly(ERROR + "invalid string in message", "Z I");
      c.sendRaw(new Body().bytes('C').int32(4).build()).sendRaw(SYNC).flush();
      assertThat(c.briefsUntilReady()).containsExactly(ERROR + "no data left in message", "Z I");
      c.sendRaw(new Body().bytes('d').int32(4).build()).sendRaw(SYNC).flush();
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
      c.sendRaw(new Body().bytes('S').int32(4).build()).flush();
      assertThat(c.briefsUntilReady()).containsExactly("Z I");
    }
  }

  @Test
  void startup_packets_with_bad_lengths_or_layouts_are_refused_as_postgresql_refuses_them()
      throws Exception {
    for (int length : new int[] {3, 7, 20_000, -5}) {
      try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
        c.sendRaw(new Body().int32(length).int32(3 << 16).build()).flush();
        assertThat(c.readUntilClosed()).as("length %d", length).containsExactly("closed");
      }
    }
    try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
      c.sendRaw(RawPgClient.startupPacket("user\0quiver\0x\0".getBytes(StandardCharsets.UTF_8)))
          .flush();
      assertThat(c.readUntilClosed()).containsExactly("E FATAL 08P01 invalid startup packet"
          + " layout: expected terminator as last byte", "closed");
    }
    try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
      c.sendRaw(RawPgClient.startupPacket("user\0".getBytes(StandardCharsets.UTF_8))).flush();
      assertThat(c.readUntilClosed()).containsExactly("E FATAL 08P01 invalid startup packet"
          + " layout: expected terminator as last byte", "closed");
    }
    try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
      c.sendRaw(new Body().cstring("SELECT 1").message('Q')).flush();
      assertThat(c.readUntilClosed()).containsExactly("closed");
    }
  }

  @Test
  void data_pipelined_after_an_ssl_request_is_refused() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
      c.sendRaw(RawPgClient.concat(new Body().int32(8).int32(80877103).build(),
          RawPgClient.startupPacket("user", "quiver"))).flush(); // one write: one read
      assertThat(c.input().read()).isEqualTo('N');
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 08P01 received unencrypted data after SSL request", "closed");
    }
  }

  @Test
  void invalid_utf8_is_22021_and_nothing_is_stored() throws Exception {
    String expected = "E ERROR 22021 invalid byte sequence for encoding \"UTF8\": ";
    try (RawPgClient c = client()) {
      c.sendRaw(new Body().bytes("INSERT INTO words VALUES (1, 'a".getBytes(StandardCharsets.UTF_8))
          .bytes(0xFF, 0xFE).bytes("b')".getBytes(StandardCharsets.UTF_8)).bytes(0).message('Q'))
          .flush();
      assertThat(c.briefsUntilReady()).containsExactly(expected + "0xff", "Z I");
      c.sendRaw(new Body().bytes("SELECT 'a".getBytes(StandardCharsets.UTF_8))
          .bytes(0xE2, 0x82, '\'', 0).message('Q')).flush();
      assertThat(c.briefsUntilReady()).containsExactly(expected + "0xe2 0x82 0x27", "Z I");
      c.sendRaw(new Body().bytes("SELECT 'a".getBytes(StandardCharsets.UTF_8))
          .bytes(0xED, 0xA0, 0x80, '\'', 0).message('Q')).flush();
      assertThat(c.briefsUntilReady()).containsExactly(expected + "0xed 0xa0 0x80", "Z I");
      byte[] parse = new Body().cstring("").bytes("SELECT 'a".getBytes(StandardCharsets.UTF_8))
          .bytes(0xC3, 0x28, '\'', 0).int16(0).message('P');
      assertThat(sendThenSync(c, parse)).containsExactly(expected + "0xc3 0x28", "Z I");
      byte[] textParameter = new Body().cstring("").cstring("").int16(0).int16(2).int32(1)
          .bytes('2').int32(3).bytes('a', 0xFF, 'b').int16(0).message('B');
      assertThat(sendThenSync(c, parse("INSERT INTO words VALUES ($1, $2)"), textParameter,
          execute())).containsExactly("1", expected + "0xff", "Z I");
      byte[] binaryText = new Body().cstring("").cstring("").int16(2).int16(0).int16(1).int16(2)
          .int32(1).bytes('3').int32(2).bytes('a', 0xC3).int16(0).message('B');
      assertThat(sendThenSync(c, parse("INSERT INTO words VALUES ($1, $2)"), binaryText,
          execute())).containsExactly("1", expected + "0xc3", "Z I");
      c.query("SELECT count(*) FROM words").flush();
      List<RawPgClient.Message> count = c.readUntilReady();
      assertThat(count.get(1).body()).as("one column, 1 byte: 0 rows stored")
          .containsExactly(0, 1, 0, 0, 0, 1, '0');
    }
    try (RawPgClient c = new RawPgClient(SERVER.port(), false)) {
      c.sendRaw(RawPgClient.startupPacket(new Body().cstring("user").cstring("quiver")
          .cstring("application_name").bytes('a', 0xFF, 'b', 0).bytes(0).build())).flush();
      assertThat(c.readUntilClosed()).containsExactly(
          "E FATAL 22021 invalid byte sequence for encoding \"UTF8\": 0xff", "closed");
    }
  }

  @Test
  void a_finished_portal_answers_as_postgresql_and_never_with_an_empty_tag() throws Exception {
    try (RawPgClient c = client()) {
      assertThat(sendThenSync(c, parse("SELECT 1"), bindNoParameters(), execute(), execute()))
          .containsExactly("1", "2", "D", "C SELECT 1", "C SELECT 0", "Z I");
      assertThat(sendThenSync(c, parse("INSERT INTO words VALUES (7, 'seven')"),
          bindNoParameters(), execute(), execute())).containsExactly("1", "2", "C INSERT 0 1",
              "E ERROR 55000 portal \"\" cannot be run", "Z I");
      assertThat(sendThenSync(c, parse("SET extra_float_digits = 1"), bindNoParameters(),
          execute(), execute())).containsExactly("1", "2", "C SET",
              "E ERROR 55000 portal \"\" cannot be run", "Z I");
      assertThat(sendThenSync(c, parse("SHOW extra_float_digits"), bindNoParameters(),
          execute(), execute())).containsExactly("1", "2", "D", "C SHOW", "C SHOW", "Z I");
      assertThat(sendThenSync(c, parse(""), bindNoParameters(), execute(), execute()))
          .containsExactly("1", "2", "I", "I", "Z I");
      c.query("DELETE FROM words").flush();
      c.readUntilReady();
    }
  }

  @Test
  void a_portal_that_failed_answers_25P02_in_the_failed_block() throws Exception {
    try (RawPgClient c = client()) {
      c.query("CREATE TABLE nums (id integer PRIMARY KEY); INSERT INTO nums VALUES (1), (2), (3);"
          + " BEGIN").flush();
      assertThat(c.briefsUntilReady()).last().isEqualTo("Z T");
      byte[] bindNamed = new Body().cstring("p1").cstring("").int16(0).int16(0).int16(0)
          .message('B');
      byte[] executeNamed = new Body().cstring("p1").int32(0).message('E');
      List<String> failed = sendThenSync(c, parse("SELECT 10 / (3 - id) FROM nums"), bindNamed,
          executeNamed);
      assertThat(failed).contains("E ERROR 22012 division by zero").last().isEqualTo("Z E");
      assertThat(sendThenSync(c, executeNamed)).containsExactly("E ERROR 25P02 current"
          + " transaction is aborted, commands ignored until end of transaction block", "Z E");
      c.query("ROLLBACK").flush();
      assertThat(c.briefsUntilReady()).containsExactly("C ROLLBACK", "Z I");
    }
  }
}
