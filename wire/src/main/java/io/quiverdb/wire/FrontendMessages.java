package io.quiverdb.wire;

import static io.quiverdb.wire.MessageReader.bytes;
import static io.quiverdb.wire.MessageReader.cstring;
import static io.quiverdb.wire.MessageReader.end;
import static io.quiverdb.wire.MessageReader.int16;
import static io.quiverdb.wire.MessageReader.int32;
import static io.quiverdb.wire.MessageReader.int8;
import static io.quiverdb.wire.MessageReader.uint16;
import static io.quiverdb.wire.MessageReader.violation;

import io.netty.buffer.ByteBuf;

/**
 * The frontend messages of the query protocols, decoded from their bodies with PostgreSQL's
 * checks and errors (see {@link MessageReader}); each decoder reads the whole body or throws.
 * Layouts (after the type byte and int32 length):
 *
 * <ul>
 *   <li>Query: string query.
 *   <li>Parse: string statement name, string query, int16 n, n × int32 parameter type OID.
 *   <li>Bind: string portal, string statement, int16 n, n × int16 parameter format, int16 m, m ×
 *       (int32 length or -1 for NULL, bytes), int16 k, k × int16 result format.
 *   <li>Describe and Close: byte 'S' (statement) or 'P' (portal), string name.
 *   <li>Execute: string portal, int32 maximum rows (0 or less: all).
 * </ul>
 */
final class FrontendMessages {
  private FrontendMessages() {}

  /** Parse: a statement's name, its text and its declared parameter type OIDs (0: infer). */
  record Parse(String name, String sql, int[] parameterTypes) {}

  /** Parameter values are slices of the message body (null for NULL), valid while it is. */
  record Bind(String portal, String statement, short[] parameterFormats, ByteBuf[] values,
      short[] resultFormats) {}

  /** Describe of a statement ('S') or a portal ('P'). */
  record Describe(byte kind, String name) {}

  /** Execute of a portal, up to {@code maxRows} rows (0 or less: all). */
  record Execute(String portal, int maxRows) {}

  /** Close of a statement ('S') or a portal ('P'). */
  record Close(byte kind, String name) {}

  static String query(ByteBuf body) {
    String sql = cstring(body);
    end(body);
    return sql;
  }

  static Parse parse(ByteBuf body) {
    String name = cstring(body);
    String sql = cstring(body);
    int n = uint16(body);
    int[] types = new int[n];
    for (int i = 0; i < n; i++) {
      types[i] = int32(body);
    }
    end(body);
    return new Parse(name, sql, types);
  }

  static Bind bind(ByteBuf body) {
    String portal = cstring(body);
    String statement = cstring(body);
    short[] formats = formats(body);
    int n = uint16(body);
    if (formats.length > 1 && formats.length != n) {
      throw violation("bind message has " + formats.length + " parameter formats but " + n
          + " parameters");
    }
    ByteBuf[] values = new ByteBuf[n];
    for (int i = 0; i < n; i++) {
      int length = int32(body);
      values[i] = length == -1 ? null : bytes(body, length);
    }
    short[] resultFormats = formats(body);
    end(body);
    return new Bind(portal, statement, formats, values, resultFormats);
  }

  private static short[] formats(ByteBuf body) {
    int n = uint16(body);
    short[] formats = new short[n];
    for (int i = 0; i < n; i++) {
      formats[i] = int16(body);
    }
    return formats;
  }

  static Describe describe(ByteBuf body) {
    byte kind = int8(body);
    String name = cstring(body);
    end(body);
    if (kind != 'S' && kind != 'P') {
      throw violation("invalid DESCRIBE message subtype " + kind);
    }
    return new Describe(kind, name);
  }

  static Execute execute(ByteBuf body) {
    String portal = cstring(body);
    int maxRows = int32(body);
    end(body);
    return new Execute(portal, maxRows);
  }

  static Close close(ByteBuf body) {
    byte kind = int8(body);
    String name = cstring(body);
    end(body);
    if (kind != 'S' && kind != 'P') {
      throw violation("invalid CLOSE message subtype " + kind);
    }
    return new Close(kind, name);
  }
}
