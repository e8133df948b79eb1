package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting the server: a start that cannot listen exits and lets go of the data directory. */
class StartupPgTest {
  @TempDir Path dir;

  @Test
  void a_start_that_cannot_bind_its_port_exits_and_releases_the_data_directory()
      throws Exception {
    Path data = dir.resolve("data");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ChildServer blocked = ChildServer.start(data, dir, taken.getLocalPort(), List.of(),
          List.of());
      boolean exited = blocked.process.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        blocked.kill();
      }
      assertThat(exited).as("the server exited (log %s)", blocked.log).isTrue();
      assertThat(blocked.process.exitValue()).isNotZero();
      assertThat(Files.readString(blocked.log)).contains("could not start");
    }
    try (ChildServer next = ChildServer.start(data, dir, 0, List.of(), List.of())) {
      next.awaitReady(); // the data directory is free again
    }
  }
}
