package io.quiverdb.storage;

import io.quiverdb.common.types.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Order-preserving (memcomparable) encoding of row keys: unsigned byte order of two encoded keys
 * equals the value order of the keys, and encodings of composite keys compose.
 *
 * <p>A row key is the 8-byte big-endian table id followed by the encoded primary key values, or by
 * the encoded hidden row id (an int8) when the table has no primary key. Per value:
 *
 * <ul>
 *   <li>bool: one byte, 0 or 1;
 *   <li>int2, int4, int8, date, timestamp(tz): 8 bytes big-endian with the sign bit flipped;
 *   <li>float4 / float8: 4 / 8 bytes big-endian IEEE bits, sign bit flipped for positives and all
 *       bits inverted for negatives; -0 is stored as +0 (they are equal in SQL), NaN sorts last;
 *   <li>text and bytea: the bytes (UTF-8 for text) with 0x00 escaped as 0x00 0xFF, terminated by
 *       0x00 0x01;
 *   <li>numeric: a sign byte (1 negative, 2 zero, 3 positive), then for non-zero values the decimal
 *       exponent {@code e} of {@code 0.d1d2… × 10^e} as 4 bytes sign-flipped big-endian and each
 *       digit as {@code d+1}, terminated by 0x00; for negatives exponent and digits are inverted
 *       and the terminator is 0xFF. Scale is not kept: 1.0 and 1.00 are the same key;
 *   <li>vector: per element 0x01 and the float4 encoding, terminated by 0x00 (element-wise, then
 *       shorter first, as pgvector's btree order).
 * </ul>
 */
public final class KeyCodec {
  /** Length of the table id prefix of every row key. */
  public static final int TABLE_PREFIX_LENGTH = 8;

  private KeyCodec() {}

  /** The 8-byte prefix shared by all row keys of table {@code tableId}. */
  public static byte[] tablePrefix(long tableId) {
    byte[] b = new byte[TABLE_PREFIX_LENGTH];
    putLong(b, 0, tableId);
    return b;
  }

  /** The exclusive upper bound of the row keys of {@code tableId}: the prefix of the next id. */
  public static byte[] tableEnd(long tableId) {
    return tablePrefix(tableId + 1);
  }

  /** The table id of a row key. */
  public static long tableIdOf(byte[] key) {
    return getLong(key, 0);
  }

  /** The row key of a table with no primary key for hidden row id {@code rowId}. */
  public static byte[] rowIdKey(long tableId, long rowId) {
    Sink s = new Sink(TABLE_PREFIX_LENGTH + 8);
    s.putLong(tableId);
    s.putLong(rowId ^ Long.MIN_VALUE);
    return s.toArray();
  }

  /** The hidden row id of a key made by {@link #rowIdKey}. */
  public static long rowIdOf(byte[] key) {
    return getLong(key, TABLE_PREFIX_LENGTH) ^ Long.MIN_VALUE;
  }

  /** The row key of {@code table} for primary key values given in primary key order. */
  public static byte[] primaryKey(TableDef table, Object[] pkValues) {
    List<Integer> pk = table.primaryKey();
    Sink s = new Sink(32);
    s.putLong(table.id());
    for (int i = 0; i < pk.size(); i++) {
      ColumnDef col = table.columns().get(pk.get(i));
      encodeValue(s, ValueKind.of(col.type().type()), pkValues[i], col.name());
    }
    return s.toArray();
  }

  /** The row key of {@code table} for a full row (the primary key columns are picked out). */
  static byte[] primaryKeyOfRow(TableDef table, Object[] row) {
    List<Integer> pk = table.primaryKey();
    if (pk.size() == 1 && row[pk.get(0)] instanceof Long id) {
      // the common key, a bigint, without the general path's intermediate arrays
      byte[] k = new byte[TABLE_PREFIX_LENGTH + 8];
      putLong(k, 0, table.id());
      putLong(k, TABLE_PREFIX_LENGTH, id ^ Long.MIN_VALUE);
      return k;
    }
    Object[] vals = new Object[pk.size()];
    for (int i = 0; i < vals.length; i++) {
      vals[i] = row[pk.get(i)];
    }
    return primaryKey(table, vals);
  }

  /** Encodes {@code values} of the given types with no table prefix. */
  public static byte[] encode(List<ColumnType> types, Object[] values) {
    if (types.size() != values.length) {
      throw new IllegalArgumentException(types.size() + " types but " + values.length + " values");
    }
    Sink s = new Sink(32);
    for (int i = 0; i < values.length; i++) {
      encodeValue(s, ValueKind.of(types.get(i).type()), values[i], "key column " + (i + 1));
    }
    return s.toArray();
  }

  /** Decodes values of the given types from {@code key} starting at {@code offset}. */
  public static Object[] decode(List<ColumnType> types, byte[] key, int offset) {
    int[] pos = {offset};
    Object[] out = new Object[types.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = decodeValue(ValueKind.of(types.get(i).type()), key, pos);
    }
    if (pos[0] != key.length) {
      throw new IllegalArgumentException("trailing bytes in key after " + out.length + " values");
    }
    return out;
  }

  private static void encodeValue(Sink s, ValueKind kind, Object v, String column) {
    if (v == null) {
      throw new IllegalArgumentException("key column \"" + column + "\" must not be null");
    }
    kind.check(column, v);
    switch (kind) {
      case BOOL -> s.put((Boolean) v ? 1 : 0);
      case INT2 -> s.putLong((Short) v ^ Long.MIN_VALUE);
      case INT4 -> s.putLong((Integer) v ^ Long.MIN_VALUE);
      case INT8 -> s.putLong((Long) v ^ Long.MIN_VALUE);
      case FLOAT4 -> s.putInt(floatKey((Float) v));
      case FLOAT8 -> s.putLong(doubleKey((Double) v));
      case TEXT -> putEscaped(s, ((String) v).getBytes(StandardCharsets.UTF_8));
      case BYTEA -> putEscaped(s, (byte[]) v);
      case NUMERIC -> putNumeric(s, (BigDecimal) v);
      case VECTOR -> {
        for (float f : (float[]) v) {
          s.put(1);
          s.putInt(floatKey(f));
        }
        s.put(0);
      }
    }
  }

  private static Object decodeValue(ValueKind kind, byte[] b, int[] pos) {
    int p = pos[0];
    switch (kind) {
      case BOOL -> {
        pos[0] = p + 1;
        return b[p] != 0;
      }
      case INT2, INT4, INT8 -> {
        long v = getLong(b, p) ^ Long.MIN_VALUE;
        pos[0] = p + 8;
        if (kind == ValueKind.INT8) {
          return Long.valueOf(v);
        }
        if (kind == ValueKind.INT4) {
          return Integer.valueOf((int) v);
        }
        return Short.valueOf((short) v);
      }
      case FLOAT4 -> {
        pos[0] = p + 4;
        return floatOfKey(getInt(b, p));
      }
      case FLOAT8 -> {
        pos[0] = p + 8;
        return doubleOfKey(getLong(b, p));
      }
      case TEXT -> {
        return new String(getEscaped(b, pos), StandardCharsets.UTF_8);
      }
      case BYTEA -> {
        return getEscaped(b, pos);
      }
      case NUMERIC -> {
        return getNumeric(b, pos);
      }
      case VECTOR -> {
        float[] v = new float[8];
        int n = 0;
        while (b[p] != 0) {
          if (n == v.length) {
            v = Arrays.copyOf(v, n * 2);
          }
          v[n++] = floatOfKey(getInt(b, p + 1));
          p += 5;
        }
        pos[0] = p + 1;
        return Arrays.copyOf(v, n);
      }
      default -> throw new AssertionError(kind);
    }
  }

  private static int floatKey(float f) {
    int bits = Float.floatToIntBits(f == 0f ? 0f : f);
    return bits < 0 ? ~bits : bits ^ Integer.MIN_VALUE;
  }

  private static float floatOfKey(int k) {
    return Float.intBitsToFloat(k < 0 ? k ^ Integer.MIN_VALUE : ~k);
  }

  private static long doubleKey(double d) {
    long bits = Double.doubleToLongBits(d == 0d ? 0d : d);
    return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
  }

  private static double doubleOfKey(long k) {
    return Double.longBitsToDouble(k < 0 ? k ^ Long.MIN_VALUE : ~k);
  }

  private static void putEscaped(Sink s, byte[] bytes) {
    s.ensure(bytes.length + 2);
    for (byte x : bytes) {
      s.put(x);
      if (x == 0) {
        s.put(0xFF);
      }
    }
    s.put(0);
    s.put(1);
  }

  private static byte[] getEscaped(byte[] b, int[] pos) {
    int p = pos[0];
    Sink out = new Sink(16);
    while (true) {
      byte x = b[p++];
      if (x != 0) {
        out.put(x);
      } else if (b[p] == (byte) 0xFF) {
        out.put(0);
        p++;
      } else if (b[p] == 1) {
        pos[0] = p + 1;
        return out.toArray();
      } else {
        throw new IllegalArgumentException("bad escape in key at offset " + p);
      }
    }
  }

  private static void putNumeric(Sink s, BigDecimal v) {
    int sign = v.signum();
    if (sign == 0) {
      s.put(2);
      return;
    }
    BigDecimal abs = v.abs().stripTrailingZeros();
    String digits = abs.unscaledValue().toString();
    int exponent = digits.length() - abs.scale();
    int flip = sign < 0 ? 0xFF : 0;
    s.put(sign < 0 ? 1 : 3);
    s.putInt(sign < 0 ? ~(exponent ^ Integer.MIN_VALUE) : exponent ^ Integer.MIN_VALUE);
    s.ensure(digits.length() + 1);
    for (int i = 0; i < digits.length(); i++) {
      s.put((digits.charAt(i) - '0' + 1) ^ flip);
    }
    s.put(flip);
  }

  private static BigDecimal getNumeric(byte[] b, int[] pos) {
    int p = pos[0];
    int sign = b[p++];
    if (sign == 2) {
      pos[0] = p;
      return BigDecimal.ZERO;
    }
    boolean negative = sign == 1;
    int raw = getInt(b, p);
    p += 4;
    int exponent = (negative ? ~raw : raw) ^ Integer.MIN_VALUE;
    int flip = negative ? 0xFF : 0;
    StringBuilder digits = new StringBuilder(16);
    while ((b[p] & 0xFF) != flip) {
      digits.append((char) ('0' + (((b[p] & 0xFF) ^ flip) - 1)));
      p++;
    }
    pos[0] = p + 1;
    BigInteger unscaled = new BigInteger(digits.toString());
    BigDecimal abs = new BigDecimal(unscaled, digits.length() - exponent);
    return negative ? abs.negate() : abs;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  private static int getInt(byte[] b, int off) {
    return (b[off] & 0xFF) << 24
        | (b[off + 1] & 0xFF) << 16
        | (b[off + 2] & 0xFF) << 8
        | (b[off + 3] & 0xFF);
  }

  /** A growable byte array for building keys. */
  private static final class Sink {
    private byte[] buf;
    private int len;

    Sink(int capacity) {
      buf = new byte[capacity];
    }

    void ensure(int extra) {
      if (len + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
      }
    }

    void put(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    void putInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[len++] = (byte) (v >>> shift);
      }
    }

    void putLong(long v) {
      ensure(8);
      KeyCodec.putLong(buf, len, v);
      len += 8;
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }
  }
}
