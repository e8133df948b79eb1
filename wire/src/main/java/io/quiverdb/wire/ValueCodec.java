package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.FloatFormat;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Timestamps;
import io.quiverdb.common.types.Vectors;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Values on the wire: engine values (see {@link PgType}) to PostgreSQL's text and binary formats,
 * and parameters back. Binary vectors are pgvector's: int16 dim, int16 unused, dim float4,
 * big-endian.
 */
final class ValueCodec {
  private ValueCodec() {}

  /** Microseconds and days between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
  private static final int PG_EPOCH_DAYS = 10_957;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  // ---------------------------------------------------------------- output

  static String text(Object v, PgType type, FormatSettings settings) {
    return switch (type) {
      case BOOL -> (Boolean) v ? "t" : "f";
      case FLOAT4 -> FloatFormat.formatFloat(((Number) v).floatValue(),
          settings.extraFloatDigits());
      case FLOAT8 -> FloatFormat.formatDouble(((Number) v).doubleValue(),
          settings.extraFloatDigits());
      case NUMERIC -> ((BigDecimal) v).toPlainString();
      case DATE -> Timestamps.formatDate((Integer) v);
      case TIMESTAMP -> Timestamps.formatTimestamp((Long) v);
      case TIMESTAMPTZ -> Timestamps.formatTimestamptz((Long) v, settings.timeZone());
      case VECTOR -> Vectors.format((float[]) v);
      case BYTEA -> {
        byte[] b = (byte[]) v;
        StringBuilder sb = new StringBuilder(2 + b.length * 2).append("\\x");
        for (byte x : b) {
          sb.append(HEX[(x >> 4) & 15]).append(HEX[x & 15]);
        }
        yield sb.toString();
      }
      default -> v.toString();
    };
  }

  /** Writes a value as a DataRow column (length, then bytes) in the given format. */
  static void write(ByteBuf out, Object v, PgType type, boolean binary, FormatSettings settings) {
    if (v == null) {
      out.writeInt(-1);
      return;
    }
    if (!binary) {
      int lengthAt = out.writerIndex();
      out.writeInt(0);
      int written = out.writeCharSequence(text(v, type, settings), StandardCharsets.UTF_8);
      out.setInt(lengthAt, written);
      return;
    }
    switch (type) {
      case BOOL -> out.writeInt(1).writeByte((Boolean) v ? 1 : 0);
      case INT2 -> out.writeInt(2).writeShort(((Number) v).shortValue());
      case INT4, OID, REGCLASS, REGTYPE, REGPROC -> out.writeInt(4).writeInt(((Number) v).intValue());
      case INT8 -> out.writeInt(8).writeLong(((Number) v).longValue());
      case FLOAT4 -> out.writeInt(4).writeFloat(((Number) v).floatValue());
      case FLOAT8 -> out.writeInt(8).writeDouble(((Number) v).doubleValue());
      case DATE -> out.writeInt(4).writeInt((Integer) v - PG_EPOCH_DAYS);
      case TIMESTAMP, TIMESTAMPTZ -> out.writeInt(8).writeLong((Long) v - PG_EPOCH_MICROS);
      case VECTOR -> {
        float[] f = (float[]) v;
        out.writeInt(4 + 4 * f.length).writeShort(f.length).writeShort(0);
        for (float x : f) {
          out.writeFloat(x);
        }
      }
      case NUMERIC -> writeNumeric(out, (BigDecimal) v);
      case BYTEA -> {
        byte[] b = (byte[]) v;
        out.writeInt(b.length).writeBytes(b);
      }
      default -> {
        byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length).writeBytes(b);
      }
    }
  }

  /** PostgreSQL's binary numeric: base-10000 digits with weight, sign and display scale. */
  static void writeNumeric(ByteBuf out, BigDecimal value) {
    int scale = Math.max(0, value.scale());
    BigDecimal abs = value.abs().setScale(scale);
    String digits = abs.unscaledValue().toString();
    // Pad so that the integer part and the fraction split on base-10000 boundaries.
    int intLen = digits.length() - scale;
    int padLeft = intLen > 0 ? (4 - intLen % 4) % 4 : 0;
    int fracPad = (4 - scale % 4) % 4;
    StringBuilder s = new StringBuilder();
    if (intLen <= 0) {
      s.append("0".repeat(-intLen));
      intLen = 0;
    }
    s.insert(0, "0".repeat(padLeft)).append(digits).append("0".repeat(fracPad));
    int groups = s.length() / 4;
    int intGroups = (intLen + padLeft) / 4;
    short[] d = new short[groups];
    for (int i = 0; i < groups; i++) {
      d[i] = Short.parseShort(s.substring(i * 4, i * 4 + 4));
    }
    int first = 0;
    while (first < groups && d[first] == 0) {
      first++;
    }
    int last = groups - 1;
    while (last >= first && d[last] == 0) {
      last--;
    }
    int n = last - first + 1;
    int weight = n == 0 ? 0 : intGroups - 1 - first;
    out.writeInt(8 + 2 * Math.max(n, 0));
    out.writeShort(Math.max(n, 0)).writeShort(weight)
        .writeShort(value.signum() < 0 ? 0x4000 : 0).writeShort(scale);
    for (int i = first; i <= last; i++) {
      out.writeShort(d[i]);
    }
  }

  // ---------------------------------------------------------------- parameters

  /** Decodes one Bind parameter of the given type. */
  static Object decode(ByteBuf in, int length, ColumnType type, boolean binary,
      FormatSettings settings) {
    if (length < 0) {
      return null;
    }
    if (!binary) {
      String text = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
      return parseText(text, type, settings);
    }
    PgType t = type.type();
    try {
      return switch (t) {
        case BOOL -> in.readByte() != 0;
        case INT2, INT4, INT8 -> integer(readIntegral(in, length), t);
        case OID, REGCLASS, REGTYPE, REGPROC -> in.readInt();
        case FLOAT4 -> length == 8 ? (float) in.readDouble() : in.readFloat();
        case FLOAT8 -> length == 4 ? (double) in.readFloat() : in.readDouble();
        case DATE -> in.readInt() + PG_EPOCH_DAYS;
        case TIMESTAMP, TIMESTAMPTZ -> in.readLong() + PG_EPOCH_MICROS;
        case VECTOR -> {
          int dim = in.readUnsignedShort();
          in.readShort();
          if (length != 4 + 4 * dim) {
            throw new QuiverException(SqlState.INVALID_BINARY_REPRESENTATION,
                "incorrect binary data format in bind parameter");
          }
          float[] v = new float[dim];
          // one bulk, byte-swapping copy rather than a bounds-checked read per element
          in.nioBuffer(in.readerIndex(), 4 * dim).order(java.nio.ByteOrder.BIG_ENDIAN)
              .asFloatBuffer().get(v);
          in.skipBytes(4 * dim);
          Vectors.checkFinite(v);
          if (type.modifier() > 0) {
            Vectors.checkDim(type.modifier(), dim);
          }
          yield v;
        }
        case NUMERIC -> readNumeric(in);
        case BYTEA -> {
          byte[] b = new byte[length];
          in.readBytes(b);
          yield b;
        }
        default -> in.readCharSequence(length, StandardCharsets.UTF_8).toString();
      };
    } catch (IndexOutOfBoundsException e) {
      throw new QuiverException(SqlState.PROTOCOL_VIOLATION, "insufficient data left in message");
    }
  }

  private static long readIntegral(ByteBuf in, int length) {
    return switch (length) {
      case 2 -> in.readShort();
      case 4 -> in.readInt();
      case 8 -> in.readLong();
      default -> throw new QuiverException(SqlState.INVALID_BINARY_REPRESENTATION,
          "incorrect binary data format in bind parameter");
    };
  }

  private static Object integer(long v, PgType t) {
    return switch (t) {
      case INT2 -> {
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
          throw outOfRange("smallint");
        }
        yield (short) v;
      }
      case INT4 -> {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw outOfRange("integer");
        }
        yield (int) v;
      }
      default -> v;
    };
  }

  private static QuiverException outOfRange(String type) {
    return new QuiverException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range for type " + type);
  }

  static BigDecimal readNumeric(ByteBuf in) {
    int n = in.readUnsignedShort();
    int weight = in.readShort();
    int sign = in.readUnsignedShort();
    int dscale = in.readUnsignedShort();
    if (sign == 0xC000) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, "numeric NaN is not supported");
    }
    BigInteger unscaled = BigInteger.ZERO;
    BigInteger base = BigInteger.valueOf(10_000);
    for (int i = 0; i < n; i++) {
      unscaled = unscaled.multiply(base).add(BigInteger.valueOf(in.readUnsignedShort()));
    }
    // value = unscaled * 10000^(weight - n + 1)
    BigDecimal v = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - n + 1));
    v = v.setScale(dscale, java.math.RoundingMode.HALF_UP);
    return sign == 0x4000 ? v.negate() : v;
  }

  /** A text parameter by its type's input function, with PostgreSQL's error messages. */
  static Object parseText(String text, ColumnType type, FormatSettings settings) {
    PgType t = type.type();
    String s = text.trim();
    try {
      return switch (t) {
        case INT2, INT4, INT8 -> {
          try {
            yield integer(Long.parseLong(s), t);
          } catch (NumberFormatException e) {
            throw invalid(t == PgType.INT8 ? "bigint" : t == PgType.INT2 ? "smallint"
                : "integer", text);
          }
        }
        case OID, REGCLASS, REGTYPE, REGPROC -> Integer.parseInt(s);
        case FLOAT4 -> (float) parseDouble(s, "real", text);
        case FLOAT8 -> parseDouble(s, "double precision", text);
        case NUMERIC -> {
          try {
            yield new BigDecimal(s);
          } catch (NumberFormatException e) {
            throw invalid("numeric", text);
          }
        }
        case BOOL -> switch (s.toLowerCase(Locale.ROOT)) {
          case "t", "true", "y", "yes", "on", "1" -> true;
          case "f", "false", "n", "no", "off", "0" -> false;
          default -> throw invalid("boolean", text);
        };
        case DATE -> Timestamps.parseDate(s);
        case TIMESTAMP -> Timestamps.parseTimestamp(s);
        case TIMESTAMPTZ -> Timestamps.parseTimestamptz(s, settings.timeZone());
        case VECTOR -> Vectors.parse(text, type.modifier() > 0 ? type.modifier() : -1);
        case BYTEA -> parseBytea(text);
        default -> text;
      };
    } catch (NumberFormatException e) {
      throw invalid(t.typname(), text);
    }
  }

  private static double parseDouble(String s, String typeName, String original) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Double.NaN;
      case "infinity", "+infinity", "inf":
        return Double.POSITIVE_INFINITY;
      case "-infinity", "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    char last = s.isEmpty() ? ' ' : Character.toLowerCase(s.charAt(s.length() - 1));
    if (last == 'd' || last == 'f' || s.contains("x") || s.contains("X")) {
      throw invalid(typeName, original);
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw invalid(typeName, original);
    }
  }

  private static byte[] parseBytea(String text) {
    if (!text.startsWith("\\x")) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    String hex = text.substring(2);
    if (hex.length() % 2 != 0) {
      throw invalid("bytea", text);
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw invalid("bytea", text);
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  private static QuiverException invalid(String type, String text) {
    return new QuiverException(SqlState.INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type " + type + ": \"" + text + "\"");
  }
}
