package io.quiverdb.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code quiver start [--config FILE] [--port N] [--host ADDR] [--data DIR] [--set KEY=VALUE]…}:
 * runs the server in the foreground until it is interrupted (Ctrl-C, SIGTERM), then shuts down
 * cleanly. {@code --set} applies any configuration file setting, after the file.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    long startNanos = System.nanoTime();
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    Logger log = Logger.getLogger("io.quiverdb");
    ServerConfig config;
    try {
      config = parseArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("quiver: " + e.getMessage());
      System.err.println(
          "usage: quiver start [--config FILE] [--port N] [--host ADDR] [--data DIR]"
              + " [--set KEY=VALUE]...");
      System.exit(2);
      return;
    }
    String crashPoint = System.getProperty("quiver.crash.point");
    if (crashPoint != null && !crashPoint.isBlank()) {
      // crash tests: halt the process (as SIGKILL) when the engine reaches this point
      config = config.withStorage(config.storage().withFaults(
          io.quiverdb.common.FaultPoints.parseHalt(crashPoint.strip())));
      log.warning("crash point armed: " + crashPoint);
    }
    QuiverServer server;
    try {
      server = new QuiverServer(config).start();
    } catch (Throwable e) {
      log.log(java.util.logging.Level.SEVERE, "could not start", e);
      System.err.println("quiver: could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    log.info("QuiverDB 0.1.0 ready to accept connections on " + config.host() + ":"
        + server.port() + " (started in " + millis + " ms)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      server.close();
      stopped.countDown();
    }, "quiver-shutdown"));
    stopped.await();
  }

  static ServerConfig parseArgs(String[] args) {
    ServerConfig config = ServerConfig.DEFAULT;
    Path configFile = null;
    Integer port = null;
    String host = null;
    Path data = null;
    java.util.List<String> sets = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--config" -> configFile = Path.of(require(a, value));
        case "--port" -> port = parsePort(require(a, value));
        case "--host" -> host = require(a, value);
        case "--data" -> data = Path.of(require(a, value));
        case "--set" -> sets.add(require(a, value));
        default -> throw new IllegalArgumentException("unknown argument: " + a);
      }
      i++;
    }
    if (configFile != null) {
      if (!Files.isRegularFile(configFile)) {
        throw new IllegalArgumentException("configuration file not found: " + configFile);
      }
      config = config.withFile(configFile);
    }
    if (port != null) {
      config = config.withPort(port);
    }
    if (host != null) {
      config = config.withHost(host);
    }
    if (data != null) {
      config = config.withDataDir(data);
    }
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set needs KEY=VALUE, not " + s);
      }
      try {
        config = config.with(s.substring(0, eq).strip(), s.substring(eq + 1), "on the command line");
      } catch (io.quiverdb.common.QuiverException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }
    return config;
  }

  private static String require(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private static int parsePort(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number, not " + value);
    }
  }
}
