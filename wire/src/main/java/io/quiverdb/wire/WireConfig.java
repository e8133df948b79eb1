package io.quiverdb.wire;

/** Where the frontend listens: host, port (0 for an ephemeral one) and event-loop threads. */
public record WireConfig(String host, int port, int workerThreads) {
  public WireConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (workerThreads < 0) {
      throw new IllegalArgumentException("workerThreads must be >= 0");
    }
  }
}
