package io.quiverdb.wire.spi;

import java.util.Map;

/** Opens a {@link Session} for each connection that completes startup. */
public interface SessionFactory {
  /**
   * Called with the StartupMessage parameters (user, database, application_name, options, …).
   * Throws {@link io.quiverdb.common.QuiverException} to refuse the connection (the wire sends it
   * as a FATAL ErrorResponse and closes).
   */
  Session open(Map<String, String> startupParameters);
}
