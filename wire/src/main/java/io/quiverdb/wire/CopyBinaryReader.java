package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Vectors;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * COPY's binary input, as PostgreSQL reads it:
 *
 * <pre>
 *   header   11-byte signature "PGCOPY\n\377\r\n\0", int32 flags (bit 16: OIDs, refused; other
 *            bits of the high half: unknown critical flags, refused), int32 extension length,
 *            then that many bytes, skipped
 *   tuple    int16 field count (must equal the COPY's columns), then per field an int32 length
 *            (-1 for NULL) and that many bytes of the type's binary form (pgvector's for vector:
 *            int16 dim, int16 0, dim float4)
 *   trailer  int16 -1; nothing may follow it. Data that simply ends after a tuple is accepted.
 * </pre>
 *
 * Tuples are decoded straight from each CopyData message; only a tuple cut by a message
 * boundary is gathered in a buffer, from just as many bytes of the next message as it needs.
 */
final class CopyBinaryReader extends CopyReader {
  static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
  private static final int HEADER = SIGNATURE.length + 8;

  private final ByteBuf pending = Unpooled.buffer(1024);
  private boolean headerDone;
  /** The trailer was read. */
  private boolean ended;

  CopyBinaryReader(CopyIn target, FormatSettings settings) {
    super(target, settings);
  }

  @Override
  void feed(ByteBuf data) {
    while (pending.isReadable() && data.isReadable()) {
      int length = unitLength(pending);
      int take = length < 0 ? Math.max(64, pending.readableBytes())
          : length - pending.readableBytes();
      pending.writeBytes(data, Math.min(take, data.readableBytes()));
      drain(pending);
    }
    if (pending.isReadable()) {
      pending.discardReadBytes();
      return;
    }
    pending.clear();
    drain(data);
    pending.writeBytes(data);
  }

  @Override
  void finish() {
    if (!headerDone) {
      checkHeader(pending, true);
    }
    if (ended || pending.readableBytes() < 2) {
      return; // PostgreSQL ends quietly when the data stops between tuples
    }
    line++;
    int count = pending.readShort();
    checkCount(count);
    for (int i = 0; i < count; i++) {
      if (pending.readableBytes() < 4) {
        throw badFormat("unexpected EOF in COPY data", whereColumn(i));
      }
      int length = pending.readInt();
      if (length < -1) {
        throw badFormat("invalid field size", whereColumn(i));
      }
      if (length > pending.readableBytes()) {
        throw badFormat("unexpected EOF in COPY data", whereColumn(i));
      }
      pending.skipBytes(Math.max(length, 0));
    }
  }

  @Override
  void release() {
    pending.release();
  }

  /** Reads the header and the complete tuples at the start of {@code in}, leaving the rest. */
  private void drain(ByteBuf in) {
    if (!headerDone && !checkHeader(in, false)) {
      return;
    }
    if (!in.isReadable()) {
      return;
    }
    // tuples are read through a big-endian view of the bytes: no reference-count check and no
    // slice object per access, as ByteBuf's accessors would cost
    ByteBuffer b = in.nioBuffer(in.readerIndex(), in.readableBytes());
    int start = b.position();
    try {
      drain(b);
    } finally {
      in.skipBytes(b.position() - start);
    }
  }

  private void drain(ByteBuffer b) {
    while (b.hasRemaining()) {
      if (ended) {
        throw badFormat("received copy data after EOF marker", where());
      }
      if (b.remaining() < 2) {
        return;
      }
      int at = b.position();
      int count = b.getShort(at);
      if (count == -1) {
        line++;
        b.position(at + 2);
        ended = true;
        continue;
      }
      if (count == types.length && tupleLength(b, at, count) > b.remaining()) {
        return;
      }
      line++;
      b.position(at + 2);
      checkCount(count);
      readTuple(b);
    }
  }

  private void readTuple(ByteBuffer b) {
    Object[] row = new Object[types.length];
    for (int i = 0; i < row.length; i++) {
      int length = b.getInt();
      if (length == -1) {
        continue;
      }
      if (length < 0) {
        throw badFormat("invalid field size", whereColumn(i));
      }
      int at = b.position();
      try {
        row[i] = fitVarchar(decode(b, at, length, types[i]), types[i]);
      } catch (QuiverException e) {
        throw e.withContext(whereColumn(i));
      } catch (RuntimeException e) {
        throw incorrect().withContext(whereColumn(i));
      }
      b.position(at + length);
    }
    try {
      target.row(row);
    } catch (QuiverException e) {
      throw e.context() != null ? e : e.withContext(where());
    }
    countRow();
  }

  /**
   * The value at {@code b[at, at + length)} by its type's receive function, as strict as
   * PostgreSQL's: a fixed-size value of another size, or a vector whose floats do not fill its
   * length exactly, is refused; text must be valid UTF-8.
   */
  private Object decode(ByteBuffer b, int at, int length, ColumnType type) {
    switch (type.type()) {
      case INT8 -> {
        checkLength(length, 8);
        return b.getLong(at);
      }
      case INT4 -> {
        checkLength(length, 4);
        return b.getInt(at);
      }
      case INT2 -> {
        checkLength(length, 2);
        return b.getShort(at);
      }
      case FLOAT8 -> {
        checkLength(length, 8);
        return b.getDouble(at);
      }
      case FLOAT4 -> {
        checkLength(length, 4);
        return b.getFloat(at);
      }
      case BOOL -> {
        checkLength(length, 1);
        return b.get(at) != 0;
      }
      case VECTOR -> {
        return vector(b, at, length, type.modifier());
      }
      case TEXT, VARCHAR, NAME, CHAR -> {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        Utf8.check(bytes, 0, length, length, null);
        return new String(bytes, StandardCharsets.UTF_8);
      }
      case OID, REGCLASS, REGTYPE, REGPROC, DATE -> checkLength(length, 4);
      case TIMESTAMP, TIMESTAMPTZ -> checkLength(length, 8);
      default -> { }
    }
    ByteBuf value = Unpooled.wrappedBuffer(b.duplicate().position(at).limit(at + length));
    Object v = ValueCodec.decode(value, length, type, true, settings);
    if (value.isReadable()) {
      throw incorrect();
    }
    return v;
  }

  /** pgvector's vector_recv: dimension, the column's, unused, length checks in its order. */
  private static float[] vector(ByteBuffer b, int at, int length, int expectedDim) {
    if (length < 4) {
      throw insufficient();
    }
    int dim = b.getShort(at);
    int unused = b.getShort(at + 2);
    if (dim < 1) {
      throw new QuiverException(SqlState.DATA_EXCEPTION, "vector must have at least 1 dimension");
    }
    if (dim > PgType.VECTOR_MAX_DIM) {
      throw new QuiverException(SqlState.PROGRAM_LIMIT_EXCEEDED,
          "vector cannot have more than " + PgType.VECTOR_MAX_DIM + " dimensions");
    }
    if (expectedDim > 0) {
      Vectors.checkDim(expectedDim, dim);
    }
    if (unused != 0) {
      throw new QuiverException(SqlState.DATA_EXCEPTION,
          "expected unused to be 0, not " + unused);
    }
    checkLength(length, 4 + 4 * dim);
    float[] v = new float[dim];
    // byte-swapping loads of two floats at a time: cheaper at this size than FloatBuffer's bulk
    // get, which is a native copy
    int p = at + 4;
    int i = 0;
    for (; i + 1 < dim; i += 2, p += 8) {
      long two = b.getLong(p);
      v[i] = Float.intBitsToFloat((int) (two >>> 32));
      v[i + 1] = Float.intBitsToFloat((int) two);
    }
    if (i < dim) {
      v[i] = b.getFloat(p);
    }
    Vectors.checkFinite(v);
    return v;
  }

  private static void checkLength(int length, int expected) {
    if (length < expected) {
      throw insufficient();
    }
    if (length > expected) {
      throw incorrect();
    }
  }

  private static QuiverException insufficient() {
    return new QuiverException(SqlState.PROTOCOL_VIOLATION, "insufficient data left in message");
  }

  private static QuiverException incorrect() {
    return new QuiverException(SqlState.INVALID_BINARY_REPRESENTATION,
        "incorrect binary data format");
  }

  private void checkCount(int count) {
    if (count != types.length) {
      throw badFormat("row field count is " + count + ", expected " + types.length, where());
    }
  }

  /**
   * Checks the header at the start of {@code in} and consumes it once it is all there; false
   * while more is needed. At the end of the data ({@code atEnd}) a short header is an error.
   */
  private boolean checkHeader(ByteBuf in, boolean atEnd) {
    int at = in.readerIndex();
    int n = in.readableBytes();
    if (n < HEADER && !atEnd) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (i >= n || in.getByte(at + i) != SIGNATURE[i]) {
        throw badFormat("COPY file signature not recognized", null);
      }
    }
    if (n < SIGNATURE.length + 4) {
      throw badFormat("invalid COPY file header (missing flags)", null);
    }
    int flags = in.getInt(at + SIGNATURE.length);
    if ((flags & (1 << 16)) != 0) {
      throw badFormat("invalid COPY file header (WITH OIDS)", null);
    }
    if ((flags >>> 16) != 0) {
      throw badFormat("unrecognized critical flags in COPY file header", null);
    }
    int extension = n < HEADER ? -1 : in.getInt(at + SIGNATURE.length + 4);
    if (extension < 0) {
      throw badFormat("invalid COPY file header (missing length)", null);
    }
    if (n < HEADER + extension) {
      if (atEnd) {
        throw badFormat("invalid COPY file header (wrong length)", null);
      }
      return false;
    }
    in.skipBytes(HEADER + extension);
    headerDone = true;
    return true;
  }

  /**
   * The length of the tuple at {@code at} if its field lengths are all readable, else
   * Integer.MAX_VALUE; a malformed length ends the walk (reading the tuple reports it).
   */
  private static int tupleLength(ByteBuffer b, int at, int count) {
    int end = b.limit();
    int p = at + 2;
    for (int i = 0; i < count; i++) {
      if (end - p < 4) {
        return Integer.MAX_VALUE;
      }
      int length = b.getInt(p);
      if (length < -1) {
        return p + 4 - at;
      }
      p += 4 + Math.max(length, 0);
    }
    return p - at;
  }

  /** The length of the unit (header or tuple) at the start of {@code b}, or -1 if not known. */
  private int unitLength(ByteBuf b) {
    int n = b.readableBytes();
    int at = b.readerIndex();
    if (!headerDone) {
      return n < HEADER ? -1 : HEADER + Math.max(0, b.getInt(at + HEADER - 4));
    }
    if (ended || n < 2) {
      return ended ? n : -1;
    }
    int count = b.getShort(at);
    if (count == -1 || count != types.length) {
      return 2;
    }
    int length = tupleLength(b.nioBuffer(at, n), 0, count);
    return length == Integer.MAX_VALUE ? -1 : length;
  }
}
