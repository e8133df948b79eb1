package io.quiverdb.wire;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.wire.spi.Field;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Backend messages written into an outgoing buffer; each fills in its own length. */
final class PgMessages {
  private PgMessages() {}

  private static int begin(ByteBuf out, char type) {
    out.writeByte(type);
    int at = out.writerIndex();
    out.writeInt(0);
    return at;
  }

  /** Fills in the length of a message begun at {@code at}. */
  static void end(ByteBuf out, int at) {
    out.setInt(at, out.writerIndex() - at);
  }

  static void cstring(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.UTF_8);
    out.writeByte(0);
  }

  static void authenticationOk(ByteBuf out) {
    out.writeByte('R').writeInt(8).writeInt(0);
  }

  static void parameterStatus(ByteBuf out, String name, String value) {
    int at = begin(out, 'S');
    cstring(out, name);
    cstring(out, value);
    end(out, at);
  }

  static void backendKeyData(ByteBuf out, int pid, int secret) {
    out.writeByte('K').writeInt(12).writeInt(pid).writeInt(secret);
  }

  static void negotiateProtocolVersion(ByteBuf out, int minor, List<String> unsupported) {
    int at = begin(out, 'v');
    out.writeInt(minor).writeInt(unsupported.size());
    unsupported.forEach(o -> cstring(out, o));
    end(out, at);
  }

  static void readyForQuery(ByteBuf out, char status) {
    out.writeByte('Z').writeInt(5).writeByte(status);
  }

  static void rowDescription(ByteBuf out, List<Field> fields, short[] formats) {
    int at = begin(out, 'T');
    out.writeShort(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      ColumnType t = f.type();
      cstring(out, f.name());
      out.writeInt(f.tableOid()).writeShort(f.columnNumber()).writeInt(t.type().oid())
          .writeShort(t.type().length()).writeInt(t.typmod()).writeShort(format(formats, i));
    }
    end(out, at);
  }

  /** The format of column i: none given = text, one = all, else one per column. */
  static short format(short[] formats, int i) {
    if (formats == null || formats.length == 0) {
      return 0;
    }
    return formats.length == 1 ? formats[0] : formats[i];
  }

  static void commandComplete(ByteBuf out, String tag) {
    int at = begin(out, 'C');
    cstring(out, tag);
    end(out, at);
  }

  /**
   * CopyInResponse ('G') or CopyOutResponse ('H'): type, int32 length, int8 overall format (0
   * text, 1 binary), int16 column count, int16 format per column (all the same as the overall).
   */
  static void copyResponse(ByteBuf out, char type, boolean binary, int columns) {
    int at = begin(out, type);
    out.writeByte(binary ? 1 : 0).writeShort(columns);
    for (int i = 0; i < columns; i++) {
      out.writeShort(binary ? 1 : 0);
    }
    end(out, at);
  }

  /** Starts a CopyData message: 'd', int32 length, payload (write it, then {@link #end}). */
  static int beginCopyData(ByteBuf out) {
    return begin(out, 'd');
  }

  /** CopyDone: 'c', int32 4. */
  static void copyDone(ByteBuf out) {
    out.writeByte('c').writeInt(4);
  }

  static void emptyQueryResponse(ByteBuf out) {
    out.writeByte('I').writeInt(4);
  }

  static void parseComplete(ByteBuf out) {
    out.writeByte('1').writeInt(4);
  }

  static void bindComplete(ByteBuf out) {
    out.writeByte('2').writeInt(4);
  }

  static void closeComplete(ByteBuf out) {
    out.writeByte('3').writeInt(4);
  }

  static void noData(ByteBuf out) {
    out.writeByte('n').writeInt(4);
  }

  static void portalSuspended(ByteBuf out) {
    out.writeByte('s').writeInt(4);
  }

  static void parameterDescription(ByteBuf out, List<ColumnType> types) {
    int at = begin(out, 't');
    out.writeShort(types.size());
    for (ColumnType t : types) {
      out.writeInt(t.type().oid());
    }
    end(out, at);
  }

  static void error(ByteBuf out, String severity, QuiverException e) {
    int at = begin(out, 'E');
    fields(out, severity, e.state().code(), e.getMessage(), e.detail(), e.hint(), e.position(),
        e.context());
    end(out, at);
  }

  static void notice(ByteBuf out, Notice n) {
    int at = begin(out, 'N');
    fields(out, n.severity(), n.state().code(), n.message(), null, null, 0, null);
    end(out, at);
  }

  private static void fields(ByteBuf out, String severity, String code, String message,
      String detail, String hint, int position, String context) {
    out.writeByte('S');
    cstring(out, severity);
    out.writeByte('V');
    cstring(out, severity);
    out.writeByte('C');
    cstring(out, code);
    out.writeByte('M');
    cstring(out, message == null ? "" : message);
    if (detail != null) {
      out.writeByte('D');
      cstring(out, detail);
    }
    if (hint != null) {
      out.writeByte('H');
      cstring(out, hint);
    }
    if (context != null) {
      out.writeByte('W');
      cstring(out, context);
    }
    if (position > 0) {
      out.writeByte('P');
      cstring(out, Integer.toString(position));
    }
    out.writeByte(0);
  }
}
