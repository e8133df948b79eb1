package io.quiverdb.wire;

import io.quiverdb.wire.spi.PreparedCommand;
import io.quiverdb.wire.spi.Session;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a read's messages may be handled on the event loop itself instead of a
 * statement thread: only when every one of them is known to take bounded time and to wait for
 * nothing. That is a query whose plan is made and bounded ({@link PreparedCommand#isBounded}: a
 * primary key lookup, constants), its Parse (of a cached text), Bind, Describe and Execute, and
 * Close, Flush, and a Sync that commits nothing ({@link Session#isQuiet}). A point query then
 * costs no hand-off to a statement thread and back, which on a busy machine is most of its time;
 * anything else still runs on a statement thread, so no statement can stall the event loop.
 *
 * <p>Reads the messages without consuming them; a message it cannot read says no (the statement
 * thread then reports the error). Called by the event loop while it owns the connection's
 * backend (no drain runs).
 */
final class BoundedBatch {
  private BoundedBatch() {}

  /** Whether every item in {@code items} may run on the event loop. */
  static boolean accepts(Backend b, Iterable<Object> items) {
    Session s = b.session;
    if (s == null || b.copy != null || b.skipUntilSync || !b.out.writable()) {
      return false;
    }
    Map<String, PreparedCommand> parsed = new HashMap<>();
    Set<String> bound = new HashSet<>();
    try {
      for (Object item : items) {
        if (!(item instanceof PgDecoder.Message m)
            || !accepts(b, s, m.type(), m.body().duplicate(), parsed, bound)) {
          return false;
        }
      }
    } catch (RuntimeException unreadable) {
      return false;
    }
    return true;
  }

  private static boolean accepts(Backend b, Session s, byte type, ByteBuf body,
      Map<String, PreparedCommand> parsed, Set<String> bound) {
    switch (type) {
      case 'Q' -> {
        return bounded(s.cached(FrontendMessages.query(body), new int[0]));
      }
      case 'P' -> {
        FrontendMessages.Parse p = FrontendMessages.parse(body);
        PreparedCommand c = s.cached(p.sql(), p.parameterTypes());
        parsed.put(p.name(), c);
        return bounded(c);
      }
      case 'B' -> {
        FrontendMessages.Bind m = FrontendMessages.bind(body);
        PreparedCommand c = parsed.containsKey(m.statement()) ? parsed.get(m.statement())
            : b.extended.statementOrNull(m.statement());
        bound.add(m.portal());
        return bounded(c);
      }
      case 'E' -> {
        String portal = FrontendMessages.execute(body).portal();
        return bound.contains(portal) || bounded(b.extended.portalCommandOrNull(portal));
      }
      case 'D' -> {
        FrontendMessages.Describe d = FrontendMessages.describe(body);
        return d.kind() == 'S'
            ? bounded(parsed.containsKey(d.name()) ? parsed.get(d.name())
                : b.extended.statementOrNull(d.name()))
            : bound.contains(d.name()) || bounded(b.extended.portalCommandOrNull(d.name()));
      }
      case 'C', 'H' -> {
        return true;
      }
      case 'S' -> {
        return s.isQuiet();
      }
      default -> {
        return false;
      }
    }
  }

  private static boolean bounded(PreparedCommand c) {
    return c != null && c.isBounded();
  }
}
