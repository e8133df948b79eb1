package io.quiverdb.wire;

/**
 * The frontend's settings: where it listens, its event-loop threads, and its limits: sessions
 * (PostgreSQL's {@code max_connections}, which also bounds the statement threads), the stack of
 * each statement thread, and the largest message a client may send.
 *
 * <p>The message limit applies to the messages PostgreSQL allows up to 1 GB (Query, Parse, Bind,
 * CopyData); the others are capped at 10,000 bytes, as in PostgreSQL. A message is held whole in
 * memory while it arrives and then decoded (a Query into a string, a Bind into values), so the
 * default is PostgreSQL's 1 GB only on a heap of 8 GB or more: {@code min(1 GiB - 1, max heap /
 * 8)}, which leaves room for the decoded copy and for other sessions doing the same.
 */
public record WireConfig(String host, int port, int workerThreads, int maxConnections,
    long statementStackBytes, int maxMessageBytes) {
  /** PostgreSQL's default. */
  public static final int DEFAULT_MAX_CONNECTIONS = 100;
  /** Room for deeply nested expressions in the parser and planner (about 1000 levels). */
  public static final long DEFAULT_STATEMENT_STACK_BYTES = 16L << 20;
  /** PostgreSQL's PQ_LARGE_MESSAGE_LIMIT. */
  public static final int POSTGRES_MAX_MESSAGE_BYTES = (1 << 30) - 1;

  public static final WireConfig DEFAULT = new WireConfig("127.0.0.1", 5433, 0,
      DEFAULT_MAX_CONNECTIONS, DEFAULT_STATEMENT_STACK_BYTES, defaultMaxMessageBytes());

  public WireConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("listen_address must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, not " + port);
    }
    if (workerThreads < 0) {
      throw new IllegalArgumentException("worker_threads must be >= 0");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max_connections must be >= 1");
    }
    if (statementStackBytes < 256 * 1024) {
      throw new IllegalArgumentException("statement_stack_size must be at least 256kB");
    }
    if (maxMessageBytes < 10_000 || maxMessageBytes > POSTGRES_MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("max_message_size must be in 10000 .. "
          + POSTGRES_MAX_MESSAGE_BYTES + " bytes");
    }
  }

  /** {@code min(1 GiB - 1, max heap / 8)}: see the type's description. */
  public static int defaultMaxMessageBytes() {
    return (int) Math.max(10_000, Math.min(POSTGRES_MAX_MESSAGE_BYTES,
        Runtime.getRuntime().maxMemory() / 8));
  }

  public WireConfig withHost(String newHost) {
    return new WireConfig(newHost, port, workerThreads, maxConnections, statementStackBytes,
        maxMessageBytes);
  }

  public WireConfig withPort(int newPort) {
    return new WireConfig(host, newPort, workerThreads, maxConnections, statementStackBytes,
        maxMessageBytes);
  }

  public WireConfig withWorkerThreads(int threads) {
    return new WireConfig(host, port, threads, maxConnections, statementStackBytes,
        maxMessageBytes);
  }

  public WireConfig withMaxConnections(int connections) {
    return new WireConfig(host, port, workerThreads, connections, statementStackBytes,
        maxMessageBytes);
  }

  public WireConfig withStatementStackBytes(long bytes) {
    return new WireConfig(host, port, workerThreads, maxConnections, bytes, maxMessageBytes);
  }

  public WireConfig withMaxMessageBytes(int bytes) {
    return new WireConfig(host, port, workerThreads, maxConnections, statementStackBytes, bytes);
  }
}
