package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory on a small tmpfs that fills up: writers get 53100 within seconds (a clean
 * refusal, the connection stays), reads go on, writes resume by themselves once space returns,
 * and after a restart every acknowledged row is there. Needs root to mount the tmpfs (CI runs as
 * root); elsewhere it is skipped.
 */
class DiskFullPgTest {
  private static final String PAYLOAD = "x".repeat(1000);
  @TempDir Path dir;
  private Path mount;
  private QuiverServer server;

  @BeforeEach
  void mount() throws Exception {
    mount = dir.resolve("fs");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs",
        mount.toString()).redirectErrorStream(true).start();
    boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    assumeThat(mounted).as("mounting a tmpfs (needs root): " + new String(
        p.getInputStream().readAllBytes())).isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (server != null) {
      server.close();
    }
    new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
  }

  private void start() {
    server = new QuiverServer(ServerConfig.DEFAULT.withPort(0).withDataDir(mount.resolve("data"))
        .with("disk_reserve", "8MB", "test")).start();
  }

  private Connection connect() throws SQLException {
    return java.sql.DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.port() + "/quiver", "quiver", "");
  }

  @Test
  void a_full_disk_refuses_writes_cleanly_keeps_reads_and_resumes_when_space_returns()
      throws Exception {
    start();
    Path filler = mount.resolve("filler");
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE f (id bigint PRIMARY KEY, payload text)");
      fill(filler, mount, 24L << 20); // leave 24 MB: 16 above the reserve
      long acknowledged = 0;
      String refusal = null;
      long started = System.nanoTime();
      while (refusal == null && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60)) {
        try {
          s.execute(insert(acknowledged, 100));
          acknowledged += 100;
        } catch (SQLException e) {
          refusal = e.getSQLState() + " " + e.getMessage();
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("disk full after %d rows in %.1f s: %s%n", acknowledged, seconds,
          refusal);
      assertThat(refusal).as("a write refused").isNotNull().startsWith("53100");
      assertThat(seconds).as("seconds until writers were told").isLessThan(30);
      assertThat(count(s)).as("reads go on, with every acknowledged row").isEqualTo(acknowledged);
      String next = insert(acknowledged, 100);
      assertThatThrownBy(() -> s.execute(next)).as("still full")
          .hasMessageContaining("No space left on device");
      Files.delete(filler); // space returns, and the very next write sees it
      s.execute(insert(acknowledged, 100)); // on the same connection
      acknowledged += 100;
      assertThat(count(s)).isEqualTo(acknowledged);
      server.close();
      start();
      try (Connection again = connect(); Statement s2 = again.createStatement()) {
        assertThat(count(s2)).as("after a restart").isEqualTo(acknowledged);
      }
    }
  }

  private static String insert(long from, int n) {
    StringBuilder b = new StringBuilder("INSERT INTO f VALUES ");
    for (long i = from; i < from + n; i++) {
      b.append(i == from ? "" : ", ").append('(').append(i).append(", '").append(PAYLOAD)
          .append("')");
    }
    return b.toString();
  }

  private static long count(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM f")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Writes {@code filler} until only {@code leave} bytes of the file system are free. */
  private static void fill(Path filler, Path fs, long leave) throws IOException {
    long free = Files.getFileStore(fs).getUsableSpace();
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] block = new byte[1 << 20];
      for (long written = 0; written < free - leave; written += block.length) {
        f.write(block);
      }
    }
  }
}
