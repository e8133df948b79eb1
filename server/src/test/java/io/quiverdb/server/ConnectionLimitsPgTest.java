package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.server.RawPgClient.Body;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code max_connections} bounds the sessions (and so the statement threads): one more client is
 * refused as PostgreSQL 15 refuses it (after SSL negotiation, at its StartupMessage, with FATAL
 * 53300), a CancelRequest is still served at the limit, and a closed session frees its slot.
 */
class ConnectionLimitsPgTest {
  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension(
      c -> c.with("max_connections", "3", "in the test"));

  @Test
  void one_client_too_many_is_refused_with_53300_and_a_freed_slot_is_reused() throws Exception {
    List<RawPgClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(new RawPgClient(SERVER.port()));
      }
      open.get(0).query("SHOW max_connections").flush();
      assertThat(open.get(0).readUntilReady().get(1).body()).endsWith('3');
      try (RawPgClient refused = new RawPgClient(SERVER.port(), false)) {
        refused.sendRaw(new Body().int32(8).int32(80877103).build()).flush();
        assertThat(refused.input().read()).isEqualTo('N');
        refused.sendRaw(RawPgClient.startupPacket("user", "quiver")).flush();
        assertThat(refused.readUntilClosed())
            .containsExactly("E FATAL 53300 sorry, too many clients already", "closed");
      }
      RawPgClient.cancel(SERVER.port(), open.get(1).processId(), open.get(1).secretKey());
      open.get(1).query("SELECT 1").flush();
      assertThat(open.get(1).briefsUntilReady()).containsExactly("T", "D", "C SELECT 1", "Z I");

      open.remove(2).close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (RawPgClient again = new RawPgClient(SERVER.port(), false)) {
          again.sendRaw(RawPgClient.startupPacket("user", "quiver")).flush();
          List<String> got = again.briefsUntilReady();
          assertThat(got).containsExactly("Z I");
          break;
        } catch (java.io.EOFException | AssertionError refusedStill) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the closed session's slot was not freed", refusedStill);
          }
          Thread.onSpinWait();
        }
      }
    } finally {
      for (RawPgClient c : open) {
        c.close();
      }
    }
  }
}
