package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into protocol messages. Before startup, packets have no type byte
 * (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage); afterwards every message is a type
 * byte and an int32 length that counts itself. Emits {@link StartupPacket}s, then {@link
 * Message}s, and a {@link Violation} when the stream cannot be read on, after which it drops all
 * input. It checks what PostgreSQL's SocketBackend and pq_getmessage check, in their order: the
 * type byte first (an unknown one is FATAL), then the length (at least 4 and at most the type's
 * limit, else the connection ends without a word, as PostgreSQL logs "invalid message length"
 * and exits).
 *
 * <p>Bodies under 64 KiB are copied out of the read buffer so that a queued message does not pin
 * a whole read buffer; larger ones are slices of it. The receiver releases every body.
 */
final class PgDecoder extends ByteToMessageDecoder {
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;
  /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
  static final int MAX_STARTUP = 10_000;
  /** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, for the messages that never carry data. */
  static final int SMALL_MESSAGE = 10_000;
  private static final int COPY_BELOW = 64 * 1024;

  /** A packet before startup: its code (protocol version or request code) and the rest. */
  record StartupPacket(int code, ByteBuf body) {}

  /** A typed message: its type byte and its payload (without the length). */
  record Message(byte type, ByteBuf body) {}

  /**
   * The input broke the protocol: the connection ends after what was decoded before it, with
   * {@code fatal} sent to the client, or, when it is null, silently with {@code log} in the log.
   */
  record Violation(String log, QuiverException fatal) {}

  private final int maxMessage;
  private boolean startup = true;
  private boolean broken;

  PgDecoder(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** The largest length (counting itself) a message of this type may have; 0 when unknown. */
  int limit(byte type) {
    return switch (type) {
      case 'Q', 'P', 'B', 'F', 'd' -> maxMessage;
      case 'C', 'D', 'E', 'H', 'S', 'X', 'c', 'f' -> SMALL_MESSAGE;
      default -> 0;
    };
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!broken && in.isReadable()) {
      if (startup) {
        if (!decodeStartup(ctx, in, out)) {
          return;
        }
        continue;
      }
      byte type = in.getByte(in.readerIndex());
      int limit = limit(type);
      if (limit == 0) {
        fail(in, out, new Violation("invalid frontend message type " + (type & 0xFF),
            new QuiverException(SqlState.PROTOCOL_VIOLATION,
                "invalid frontend message type " + (type & 0xFF))));
        return;
      }
      if (in.readableBytes() < 5) {
        return;
      }
      int length = in.getInt(in.readerIndex() + 1);
      if (length < 4 || length > limit) {
        fail(in, out, new Violation("invalid message length " + length + " of a message of type "
            + (type & 0xFF), null));
        return;
      }
      if (in.readableBytes() - 1 < length) {
        return;
      }
      in.skipBytes(5);
      out.add(new Message(type, body(ctx, in, length - 4)));
    }
    if (broken) {
      in.skipBytes(in.readableBytes());
    }
  }

  /** Decodes one packet before startup; false when more bytes are needed. */
  private boolean decodeStartup(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 4) {
      return false;
    }
    int length = in.getInt(in.readerIndex());
    if (length < 8 || length > MAX_STARTUP) {
      fail(in, out, new Violation("invalid length of startup packet: " + length, null));
      return false;
    }
    if (in.readableBytes() < length) {
      return false;
    }
    in.skipBytes(4);
    int code = in.readInt();
    out.add(new StartupPacket(code, body(ctx, in, length - 8)));
    if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
      startup = false;
    } else if (in.isReadable()) {
      // bytes sent before our answer: a client bug or an injection (CVE-2021-23214)
      String after = code == SSL_REQUEST ? "SSL request" : "GSSAPI encryption request";
      fail(in, out, new Violation(null, new QuiverException(SqlState.PROTOCOL_VIOLATION,
          "received unencrypted data after " + after, "This could be either a client-software bug"
              + " or evidence of an attempted man-in-the-middle attack.", null, 0)));
      return false;
    }
    return true;
  }

  private void fail(ByteBuf in, List<Object> out, Violation v) {
    broken = true;
    in.skipBytes(in.readableBytes());
    out.add(v);
  }

  private static ByteBuf body(ChannelHandlerContext ctx, ByteBuf in, int length) {
    if (length >= COPY_BELOW) {
      return in.readRetainedSlice(length);
    }
    ByteBuf b = ctx.alloc().heapBuffer(length, length);
    in.readBytes(b, length);
    return b;
  }
}
