package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.planner.Planner;
import io.quiverdb.storage.Store;
import io.quiverdb.wire.PgServer;
import java.util.logging.Logger;

/**
 * A running QuiverDB: the store, the planner and the wire frontend, composed. Used by {@link Main}
 * and by the end-to-end tests, which start it on an ephemeral port with a temporary data directory.
 *
 * <p>Close order (reverse of start): the wire frontend first, so that no session runs a statement
 * any more, then the store.
 */
public final class QuiverServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(QuiverServer.class.getName());

  private final ServerConfig config;
  private final PlanCache planCache = new PlanCache(2048);
  private Store store;
  private Planner planner;
  private PgServer wire;

  public QuiverServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Opens the data directory while another thread warms the planner up, then starts listening.
   */
  public QuiverServer start() {
    Thread warmUp = new Thread(Planner::warmUp, "quiver-planner-warm-up");
    warmUp.start();
    try {
      store = Store.open(config.dataDir(), config.storage());
    } finally {
      joinQuietly(warmUp);
    }
    try {
      planner = new Planner(store);
      wire = new PgServer(config.wire(), startup -> new ServerSession(this, startup));
      wire.start();
    } catch (Throwable e) {
      // Netty throws a checked BindException unchecked: whatever it is, release the data
      // directory and the threads before reporting it
      close();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
      throw new QuiverException(io.quiverdb.common.SqlState.IO_ERROR, "could not listen on "
          + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    LOG.info(() -> "listening on " + config.host() + ":" + wire.port() + ", data in "
        + config.dataDir().toAbsolutePath().normalize());
    return this;
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The port clients connect to (the real one when the configuration asked for port 0). */
  public int port() {
    if (wire == null) {
      throw new QuiverException(io.quiverdb.common.SqlState.INTERNAL_ERROR, "server not started");
    }
    return wire.port();
  }

  public ServerConfig config() {
    return config;
  }

  Store store() {
    return store;
  }

  Planner planner() {
    return planner;
  }

  PlanCache planCache() {
    return planCache;
  }

  /** Stops listening, ends every session and closes the store. Idempotent. */
  @Override
  public void close() {
    if (wire != null) {
      wire.close();
      wire = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
  }
}
