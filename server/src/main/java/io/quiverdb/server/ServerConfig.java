package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's configuration: where it listens and where its data lives. Read once at start from
 * {@code conf/quiver.conf} ({@code key = value} lines, {@code #} comments, as postgresql.conf),
 * then overridden by command-line flags.
 */
public record ServerConfig(String host, int port, Path dataDir, int workerThreads) {
  public static final ServerConfig DEFAULT =
      new ServerConfig("127.0.0.1", 5433, Path.of("data"), 0);

  public ServerConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("listen_address must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, not " + port);
    }
    if (dataDir == null) {
      throw new IllegalArgumentException("data_directory must be set");
    }
    if (workerThreads < 0) {
      throw new IllegalArgumentException("worker_threads must be >= 0");
    }
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(newHost, port, dataDir, workerThreads);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, dataDir, workerThreads);
  }

  public ServerConfig withDataDir(Path newDataDir) {
    return new ServerConfig(host, port, newDataDir, workerThreads);
  }

  /** Applies the settings of a configuration file on top of this one. */
  public ServerConfig withFile(Path file) {
    Map<String, String> values = readFile(file);
    ServerConfig c = this;
    for (Map.Entry<String, String> e : values.entrySet()) {
      String v = e.getValue();
      c =
          switch (e.getKey()) {
            case "listen_address", "listen_addresses" -> c.withHost(v);
            case "port" -> c.withPort(parseInt(file, e.getKey(), v));
            case "data_directory" -> c.withDataDir(Path.of(v));
            case "worker_threads" ->
                new ServerConfig(c.host, c.port, c.dataDir, parseInt(file, e.getKey(), v));
            default ->
                throw new QuiverException(
                    SqlState.INVALID_PARAMETER_VALUE,
                    "unrecognized configuration parameter \"" + e.getKey() + "\" in " + file);
          };
    }
    return c;
  }

  /** Reads {@code key = value} lines; values may be single-quoted; {@code #} starts a comment. */
  static Map<String, String> readFile(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    try {
      int lineNo = 0;
      for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        lineNo++;
        String line = stripComment(raw).strip();
        if (line.isEmpty()) {
          continue;
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
          throw new QuiverException(
              SqlState.SYNTAX_ERROR, "syntax error in file \"" + file + "\" line " + lineNo);
        }
        String key = line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
        String value = line.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
          value = value.substring(1, value.length() - 1).replace("''", "'");
        }
        values.put(key, value);
      }
    } catch (IOException e) {
      throw new QuiverException(
          SqlState.IO_ERROR, "could not read configuration file \"" + file + "\": " + e);
    }
    return values;
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static int parseInt(Path file, String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new QuiverException(
          SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for parameter \"" + key + "\" in " + file + ": \"" + value + "\"");
    }
  }
}
