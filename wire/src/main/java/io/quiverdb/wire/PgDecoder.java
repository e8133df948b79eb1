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
 * byte and an int32 length that counts itself. Emits {@link StartupPacket}s, then {@link Message}s.
 */
final class PgDecoder extends ByteToMessageDecoder {
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;
  private static final int MAX_STARTUP = 10_000;
  private static final int MAX_MESSAGE = 1 << 30;

  /** A packet before startup: its code (protocol version or request code) and the rest. */
  record StartupPacket(int code, ByteBuf body) {}

  /** A typed message: its type byte and its payload (without the length). */
  record Message(byte type, ByteBuf body) {}

  private boolean startup = true;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      if (startup) {
        if (in.readableBytes() < 8) {
          return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP) {
          throw new QuiverException(SqlState.PROTOCOL_VIOLATION, "invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
          return;
        }
        in.skipBytes(4);
        int code = in.readInt();
        ByteBuf body = in.readRetainedSlice(length - 8);
        if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
          startup = false;
        }
        out.add(new StartupPacket(code, body));
        continue;
      }
      if (in.readableBytes() < 5) {
        return;
      }
      int length = in.getInt(in.readerIndex() + 1);
      if (length < 4 || length > MAX_MESSAGE) {
        throw new QuiverException(SqlState.PROTOCOL_VIOLATION, "invalid message length");
      }
      if (in.readableBytes() < length + 1) {
        return;
      }
      byte type = in.readByte();
      in.skipBytes(4);
      out.add(new Message(type, in.readRetainedSlice(length - 4)));
    }
  }
}
