package io.quiverdb.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real QuiverDB server on an ephemeral port with a fresh data directory before a test
 * class, and removes both after it. Register it as a static {@code @RegisterExtension} field.
 */
public final class QuiverServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final java.util.function.UnaryOperator<ServerConfig> settings;
  private Path dataDir;
  private QuiverServer server;

  public QuiverServerExtension() {
    this(c -> c);
  }

  /** A server whose configuration {@code settings} adjusts (retention, segment size, …). */
  public QuiverServerExtension(java.util.function.UnaryOperator<ServerConfig> settings) {
    this.settings = settings;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dataDir = Files.createTempDirectory("quiver-test-");
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Stops the server and starts a new one on the same data directory (a restart). */
  public void restart() {
    stop();
    start();
  }

  private void start() {
    server = new QuiverServer(
        settings.apply(ServerConfig.DEFAULT.withPort(0).withDataDir(dataDir))).start();
  }

  private void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server, for tests that look inside (the store's commit counts). */
  public QuiverServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  public Path dataDir() {
    return dataDir;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/quiver";
  }

  /** A pgJDBC connection in the default (extended) mode. */
  public Connection connect() throws SQLException {
    return connect(ClientMode.EXTENDED);
  }

  public Connection connect(ClientMode mode) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), mode.properties());
  }
}
