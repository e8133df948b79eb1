package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of a frontend message body as PostgreSQL's pq_getmsg* functions do, with their
 * errors (08P01): a missing byte is "no data left in message", a short integer or byte string
 * "insufficient data left in message", a string without its terminator "invalid string in
 * message", and bytes left after the last field "invalid message format". Strings must be
 * UTF-8 (22021 otherwise, as PostgreSQL converts every string it reads from the client).
 */
final class MessageReader {
  private MessageReader() {}

  static byte int8(ByteBuf in) {
    if (!in.isReadable()) {
      throw violation("no data left in message");
    }
    return in.readByte();
  }

  /** An int16 read as PostgreSQL's pq_getmsgint(msg, 2) reads it: unsigned. */
  static int uint16(ByteBuf in) {
    if (in.readableBytes() < 2) {
      throw insufficient();
    }
    return in.readUnsignedShort();
  }

  static short int16(ByteBuf in) {
    if (in.readableBytes() < 2) {
      throw insufficient();
    }
    return in.readShort();
  }

  static int int32(ByteBuf in) {
    if (in.readableBytes() < 4) {
      throw insufficient();
    }
    return in.readInt();
  }

  /** The next {@code length} bytes as a slice of {@code in}; a negative length is too short. */
  static ByteBuf bytes(ByteBuf in, int length) {
    if (length < 0 || length > in.readableBytes()) {
      throw insufficient();
    }
    return in.readSlice(length);
  }

  /** A NUL-terminated UTF-8 string. */
  static String cstring(ByteBuf in) {
    int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
    if (end < 0) {
      throw violation("invalid string in message");
    }
    int length = end - in.readerIndex();
    String s = utf8(in, length);
    in.skipBytes(1);
    return s;
  }

  /** The next {@code length} bytes as UTF-8 text (22021 unless valid). */
  static String utf8(ByteBuf in, int length) {
    byte[] b = new byte[length];
    in.readBytes(b);
    Utf8.check(b, 0, length, length, null);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Checks the whole message was read. */
  static void end(ByteBuf in) {
    if (in.isReadable()) {
      throw violation("invalid message format");
    }
  }

  static QuiverException insufficient() {
    return violation("insufficient data left in message");
  }

  static QuiverException violation(String message) {
    return new QuiverException(SqlState.PROTOCOL_VIOLATION, message);
  }
}
