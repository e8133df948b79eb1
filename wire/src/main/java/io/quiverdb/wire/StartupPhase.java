package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a StartupMessage as PostgreSQL's ProcessStartupPacket does, on the event loop (it is
 * small and needs no session): the protocol version (3.x; a newer minor version or {@code _pq_.}
 * options get NegotiateProtocolVersion), then name/value pairs that must end with a terminator at
 * the packet's last byte, and a user name. Unlike PostgreSQL, which stores startup values as raw
 * bytes, it refuses a value that is not UTF-8 (22021), since it cannot keep such a value as text.
 * Every refusal is sent as FATAL.
 */
final class StartupPhase {
  private StartupPhase() {}

  /** The session to open for a StartupMessage with protocol {@code code}; throws to refuse it. */
  static Backend.Open read(int code, ByteBuf body) {
    if (code >> 16 != 3) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
          + (code >> 16) + "." + (code & 0xFFFF) + ": server supports 3.0 to 3.0");
    }
    int length = body.readableBytes();
    byte[] b = new byte[length];
    body.readBytes(b);
    Map<String, String> parameters = new LinkedHashMap<>();
    List<String> unsupported = new ArrayList<>();
    int offset = 0;
    while (offset < length) {
      if (b[offset] == 0) {
        break; // the terminator
      }
      int nameEnd = nul(b, offset);
      int valueAt = nameEnd + 1;
      if (valueAt >= length) {
        break; // a name without a value: the layout check below refuses it
      }
      int valueEnd = nul(b, valueAt);
      String name = text(b, offset, nameEnd);
      String value = text(b, valueAt, valueEnd);
      if (name.startsWith("_pq_.")) {
        unsupported.add(name);
      } else {
        parameters.put(name, value);
      }
      offset = valueEnd + 1;
    }
    if (offset != length - 1) {
      throw new QuiverException(SqlState.PROTOCOL_VIOLATION,
          "invalid startup packet layout: expected terminator as last byte");
    }
    String user = parameters.get("user");
    if (user == null || user.isEmpty()) {
      throw new QuiverException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
          "no PostgreSQL user name specified in startup packet");
    }
    return new Backend.Open(parameters, code & 0xFFFF, unsupported);
  }

  /** The index of the NUL ending the string at {@code from}, or the length when there is none. */
  private static int nul(byte[] b, int from) {
    int i = from;
    while (i < b.length && b[i] != 0) {
      i++;
    }
    return i;
  }

  private static String text(byte[] b, int from, int to) {
    Utf8.check(b, from, to, to, null);
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }
}
