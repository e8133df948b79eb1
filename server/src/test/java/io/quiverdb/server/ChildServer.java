package io.quiverdb.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QuiverDB server in a child JVM, for tests that kill it (SIGKILL) or let it halt at a crash
 * point: started on a free port over a data directory, with its output in a log file.
 */
final class ChildServer implements AutoCloseable {
  final int port;
  final Process process;
  final Path log;

  private ChildServer(int port, Process process, Path log) {
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a server on {@code port} (0: a free one) over {@code data}; {@code jvmArgs} come
   * before the main class (e.g. {@code -Dquiver.crash.point=...}), {@code sets} are {@code
   * --set KEY=VALUE} settings.
   */
  static ChildServer start(Path data, Path logDir, int port, List<String> jvmArgs,
      List<String> sets) throws IOException {
    int p = port == 0 ? freePort() : port;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--add-modules",
        "jdk.incubator.vector"));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", classpath, Main.class.getName(), "--port", Integer.toString(p),
        "--data", data.toString()));
    for (String s : sets) {
      cmd.add("--set");
      cmd.add(s);
    }
    Path log = logDir.resolve("server-" + p + "-" + System.nanoTime() + ".log");
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new ChildServer(p, process, log);
  }

  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/quiver";
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), "quiver", "");
  }

  /** Waits until the server accepts connections (it recovers first), up to 60 s. */
  ChildServer awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = connect()) {
        return this;
      } catch (SQLException e) {
        if (!process.isAlive()) {
          throw new AssertionError("the server exited with " + process.exitValue()
              + " before it was ready; see " + log, e);
        }
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
