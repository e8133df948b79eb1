package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The binary form of a row's values, the value stored under a row key.
 *
 * <p>Layout, all multi-byte numbers little-endian:
 *
 * <pre>
 *   u8   format (1)
 *   u16  column count n (rows written before a column was added decode it as NULL)
 *   u8[(n+7)/8]  null bitmap: bit (i % 8) of byte (i / 8) set when column i is NULL
 *   then, for each non-NULL column in order:
 *     bool                          1 byte (0 or 1)
 *     int2                          2 bytes
 *     int4, date                    4 bytes
 *     int8, timestamp, timestamptz  8 bytes
 *     float4 / float8               4 / 8 bytes IEEE 754 (bit-exact, -0 and NaN kept)
 *     text, varchar                 i32 byte length + UTF-8
 *     bytea                         i32 length + bytes
 *     numeric                       i32 scale + i32 length + unscaled two's complement big-endian
 *     vector                        i32 dimension + dimension × float32 little-endian
 * </pre>
 */
public final class RowCodec {
  /** The format byte of rows written by this version. */
  public static final byte FORMAT_V1 = 1;

  private static final int HEADER = 3;

  private RowCodec() {}

  /**
   * Encodes {@code row}, one value per column of {@code columns} (null for NULL). Classes must
   * match the column types (IllegalArgumentException otherwise); constraints are not checked here.
   */
  public static byte[] encode(List<ColumnDef> columns, Object[] row) {
    int n = columns.size();
    if (row.length != n) {
      throw new IllegalArgumentException("row has " + row.length + " values for " + n + " columns");
    }
    ValueKind[] kinds = ValueKind.of(columns);
    for (int i = 0; i < n; i++) {
      if (row[i] != null) {
        kinds[i].check(columns.get(i).name(), row[i]);
      }
    }
    ByteBuffer b = ByteBuffer.allocate(encodedSize(kinds, row)).order(ByteOrder.LITTLE_ENDIAN);
    encodeInto(kinds, row, b);
    return b.array();
  }

  /** The length of {@link #encodeInto}'s output; values must be of their kinds' classes. */
  static int encodedSize(ValueKind[] kinds, Object[] row) {
    int n = kinds.length;
    if (n > 0xFFFF) {
      throw new IllegalArgumentException("too many columns: " + n);
    }
    int size = HEADER + (n + 7) / 8;
    for (int i = 0; i < n; i++) {
      Object v = row[i];
      if (v == null) {
        continue;
      }
      size += switch (kinds[i]) {
        case BOOL -> 1;
        case INT2 -> 2;
        case INT4, FLOAT4 -> 4;
        case INT8, FLOAT8 -> 8;
        case TEXT -> 4 + utf8Length((String) v);
        case BYTEA -> 4 + ((byte[]) v).length;
        case NUMERIC -> 8 + ((BigDecimal) v).unscaledValue().bitLength() / 8 + 1;
        case VECTOR -> 4 + 4 * ((float[]) v).length;
      };
    }
    return size;
  }

  /**
   * Writes the encoded row at {@code b}'s position (which it advances); {@code b} must be
   * little-endian with {@link #encodedSize} bytes remaining. Lets a commit encode rows straight
   * into a reused buffer instead of an array per row.
   */
  static void encodeInto(ValueKind[] kinds, Object[] row, ByteBuffer b) {
    int n = kinds.length;
    b.put(FORMAT_V1).putShort((short) n);
    int nullsAt = b.position();
    for (int i = 0; i < (n + 7) / 8; i++) {
      b.put((byte) 0);
    }
    for (int i = 0; i < n; i++) {
      Object v = row[i];
      if (v == null) {
        b.put(nullsAt + (i >>> 3), (byte) (b.get(nullsAt + (i >>> 3)) | (1 << (i & 7))));
      } else {
        putValue(b, kinds[i], v);
      }
    }
  }

  /** The UTF-8 length of {@code s} (unpaired surrogates count as '?', as getBytes writes them). */
  private static int utf8Length(String s) {
    int len = s.length();
    int bytes = len;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes++;
        } else if (!Character.isSurrogate(c)) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < len
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // a pair: two chars, four bytes
          i++;
        }
      }
    }
    return bytes;
  }

  private static void putValue(ByteBuffer b, ValueKind kind, Object v) {
    switch (kind) {
      case BOOL -> b.put((byte) ((Boolean) v ? 1 : 0));
      case INT2 -> b.putShort((Short) v);
      case INT4 -> b.putInt((Integer) v);
      case INT8 -> b.putLong((Long) v);
      case FLOAT4 -> b.putInt(Float.floatToRawIntBits((Float) v));
      case FLOAT8 -> b.putLong(Double.doubleToRawLongBits((Double) v));
      case TEXT -> {
        byte[] bytes = ((String) v).getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
      }
      case BYTEA -> {
        byte[] bytes = (byte[]) v;
        b.putInt(bytes.length).put(bytes);
      }
      case NUMERIC -> {
        byte[] unscaled = ((BigDecimal) v).unscaledValue().toByteArray();
        b.putInt(((BigDecimal) v).scale()).putInt(unscaled.length).put(unscaled);
      }
      case VECTOR -> {
        float[] f = (float[]) v;
        b.putInt(f.length);
        b.asFloatBuffer().put(f);
        b.position(b.position() + 4 * f.length);
      }
    }
  }

  /** Decodes a row of the given columns; a fresh array, one value per column. */
  public static Object[] decode(List<ColumnDef> columns, byte[] bytes) {
    return decode(ValueKind.of(columns), bytes);
  }

  static Object[] decode(ValueKind[] kinds, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < HEADER || bytes[0] != FORMAT_V1) {
      throw new QuiverException(
          SqlState.DATA_CORRUPTED,
          "row has unknown storage format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
    }
    int stored = b.getShort(1) & 0xFFFF;
    int nullsAt = HEADER;
    b.position(HEADER + (stored + 7) / 8);
    Object[] out = new Object[kinds.length];
    int n = Math.min(stored, kinds.length);
    for (int i = 0; i < n; i++) {
      if ((bytes[nullsAt + (i >>> 3)] & (1 << (i & 7))) == 0) {
        out[i] = getValue(b, kinds[i]);
      }
    }
    return out;
  }

  private static Object getValue(ByteBuffer b, ValueKind kind) {
    switch (kind) {
      case BOOL:
        return b.get() != 0;
      case INT2:
        return b.getShort();
      case INT4:
        return b.getInt();
      case INT8:
        return b.getLong();
      case FLOAT4:
        return Float.intBitsToFloat(b.getInt());
      case FLOAT8:
        return Double.longBitsToDouble(b.getLong());
      case TEXT:
        {
          int len = b.getInt();
          int at = b.position();
          b.position(at + len);
          return new String(b.array(), at, len, StandardCharsets.UTF_8);
        }
      case BYTEA:
        {
          byte[] bytes = new byte[b.getInt()];
          b.get(bytes);
          return bytes;
        }
      case NUMERIC:
        {
          int scale = b.getInt();
          byte[] unscaled = new byte[b.getInt()];
          b.get(unscaled);
          return new BigDecimal(new BigInteger(unscaled), scale);
        }
      case VECTOR:
        {
          float[] f = new float[b.getInt()];
          b.asFloatBuffer().get(f);
          b.position(b.position() + 4 * f.length);
          return f;
        }
      default:
        throw new AssertionError(kind);
    }
  }
}
