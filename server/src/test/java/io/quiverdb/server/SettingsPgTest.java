package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.ServerErrorMessage;

/** Settings a session accepts act, or are refused with 0A000 when they could not. */
class SettingsPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  /** Messages up to ReadyForQuery, notices included. */
  private static List<String> withNotices(RawPgClient c) throws Exception {
    List<String> got = new ArrayList<>();
    while (true) {
      RawPgClient.Message m = c.read();
      if (m.type() != 'S') {
        got.add(m.brief());
      }
      if (m.type() == 'Z') {
        return got;
      }
    }
  }

  @Test
  void client_min_messages_decides_which_notices_are_sent() throws Exception {
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      c.query("COMMIT").flush();
      assertThat(withNotices(c)).containsExactly(
          "N WARNING 25P01 there is no transaction in progress", "C COMMIT", "Z I");
      c.query("SET client_min_messages = error; COMMIT").flush();
      assertThat(withNotices(c)).containsExactly("C SET", "C COMMIT", "Z I");
      c.query("SET client_min_messages = warning; COMMIT").flush();
      assertThat(withNotices(c)).containsExactly("C SET",
          "N WARNING 25P01 there is no transaction in progress", "C COMMIT", "Z I");
    }
  }

  @Test
  void a_serializable_default_isolation_is_refused_as_begin_serializable_is() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      ServerErrorMessage e = PgAssert.error(
          () -> s.execute("SET default_transaction_isolation = 'serializable'"));
      assertThat(e.getSQLState()).isEqualTo("0A000");
      s.execute("SET default_transaction_isolation = 'repeatable read'");
    }
  }
}
