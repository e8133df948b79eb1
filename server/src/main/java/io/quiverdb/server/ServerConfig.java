package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.quiverdb.storage.StorageConfig;
import io.quiverdb.wire.WireConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's configuration: where its data lives, its wire frontend (address, event loops,
 * connection and message limits) and its storage settings. Read once at start from {@code
 * conf/quiver.conf} ({@code key = value} lines, {@code #} comments, as postgresql.conf), then
 * overridden by command-line flags.
 */
public record ServerConfig(Path dataDir, WireConfig wire, StorageConfig storage) {
  public static final ServerConfig DEFAULT =
      new ServerConfig(Path.of("data"), WireConfig.DEFAULT, StorageConfig.DEFAULT);

  public ServerConfig {
    if (dataDir == null) {
      throw new IllegalArgumentException("data_directory must be set");
    }
    if (wire == null) {
      throw new IllegalArgumentException("wire settings must be set");
    }
    if (storage == null) {
      throw new IllegalArgumentException("storage settings must be set");
    }
  }

  public String host() {
    return wire.host();
  }

  public int port() {
    return wire.port();
  }

  public int workerThreads() {
    return wire.workerThreads();
  }

  public ServerConfig withHost(String newHost) {
    return withWire(wire.withHost(newHost));
  }

  public ServerConfig withPort(int newPort) {
    return withWire(wire.withPort(newPort));
  }

  public ServerConfig withDataDir(Path newDataDir) {
    return new ServerConfig(newDataDir, wire, storage);
  }

  public ServerConfig withWire(WireConfig newWire) {
    return new ServerConfig(dataDir, newWire, storage);
  }

  public ServerConfig withStorage(StorageConfig newStorage) {
    return new ServerConfig(dataDir, wire, newStorage);
  }

  /** Applies the settings of a configuration file on top of this one. */
  public ServerConfig withFile(Path file) {
    ServerConfig c = this;
    for (Map.Entry<String, String> e : readFile(file).entrySet()) {
      c = c.with(e.getKey(), e.getValue(), "in " + file);
    }
    return c;
  }

  /**
   * Applies one {@code key = value} setting; {@code where} names its source for error messages.
   * Keys: listen_address, port, data_directory, worker_threads, max_connections,
   * statement_stack_size, max_message_size, retention (quiver.retention), segment_rows,
   * compaction_interval, disk_reserve. Durations take a unit: ms, s, min, h, d; sizes B, kB, MB,
   * GB.
   */
  public ServerConfig with(String key, String v, String where) {
    StorageConfig s = storage;
    try {
      return switch (key.startsWith("quiver.") ? key.substring(7) : key) {
        case "listen_address", "listen_addresses" -> withHost(v);
        case "port" -> withPort(parseInt(where, key, v));
        case "data_directory" -> withDataDir(Path.of(v));
        case "worker_threads" -> withWire(wire.withWorkerThreads(parseInt(where, key, v)));
        case "max_connections" -> withWire(wire.withMaxConnections(parseInt(where, key, v)));
        case "statement_stack_size" ->
            withWire(wire.withStatementStackBytes(parseBytes(where, key, v)));
        case "max_message_size" -> {
          long bytes = parseBytes(where, key, v);
          yield withWire(wire.withMaxMessageBytes(
              (int) Math.min(bytes, WireConfig.POSTGRES_MAX_MESSAGE_BYTES + 1L)));
        }
        case "retention" -> {
          long micros = parseMillis(where, key, v) * 1000;
          yield withStorage(s.withRetention(micros, StorageConfig.compactionIntervalFor(micros)));
        }
        case "compaction_interval" ->
            withStorage(s.withRetention(s.retentionMicros(), parseMillis(where, key, v)));
        case "segment_rows" -> withStorage(s.withSegmentRows(parseInt(where, key, v)));
        case "disk_reserve" -> withStorage(s.withDiskReserve(parseBytes(where, key, v)));
        default ->
            throw new QuiverException(
                SqlState.INVALID_PARAMETER_VALUE,
                "unrecognized configuration parameter \"" + key + "\" " + where);
      };
    } catch (IllegalArgumentException e) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for parameter \"" + key + "\" " + where + ": " + e.getMessage());
    }
  }

  /** A size such as {@code 16MB}, {@code 512kB}, {@code 1GB}; a bare number means bytes. */
  static long parseBytes(String where, String key, String value) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\s*(\\d+)\\s*(B|kB|MB|GB|TB)?\\s*").matcher(value);
    if (!m.matches()) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \""
          + key + "\" " + where + ": \"" + value + "\" (a size such as 16MB, 512kB, 1GB)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift = switch (unit) {
      case "kB" -> 10;
      case "MB" -> 20;
      case "GB" -> 30;
      case "TB" -> 40;
      default -> 0;
    };
    if (n > Long.MAX_VALUE >> shift) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "value of parameter \"" + key + "\" " + where + " is too large: \"" + value + "\"");
    }
    return n << shift;
  }

  /** A duration such as {@code 24h}, {@code 5s}, {@code 250ms}; a bare number means seconds. */
  static long parseMillis(String where, String key, String value) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\s*(\\d+)\\s*(ms|s|min|h|d)?\\s*").matcher(value);
    if (!m.matches()) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \""
          + key + "\" " + where + ": \"" + value + "\" (a duration such as 30s, 5min, 24h)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> n;
      case "s" -> n * 1000;
      case "min" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> n * 86_400_000;
    };
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

  private static int parseInt(String where, String key, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new QuiverException(
          SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for parameter \"" + key + "\" " + where + ": \"" + value + "\"");
    }
  }
}
