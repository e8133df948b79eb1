package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.FloatFormat;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Timestamps;
import io.quiverdb.common.types.Vectors;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;

/**
 * Operations on engine values (the Java classes {@link PgType} names): comparison, arithmetic and
 * conversion, with PostgreSQL's errors. Nulls are handled by the callers.
 */
public final class Values {
  private Values() {}

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  // ---------------------------------------------------------------- comparison

  /** Compares two non-null values of comparable types. */
  public static int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return compareNumbers(x, y);
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof float[] x && b instanceof float[] y) {
      int n = Math.min(x.length, y.length);
      for (int i = 0; i < n; i++) {
        int c = Float.compare(x[i], y[i]);
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.length, y.length);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.compareUnsigned(x, y);
    }
    throw new QuiverException(SqlState.DATATYPE_MISMATCH,
        "cannot compare " + a.getClass().getSimpleName() + " with " + b.getClass().getSimpleName());
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  private static int compareNumbers(Number x, Number y) {
    if (isIntegral(x) && isIntegral(y)) {
      return Long.compare(x.longValue(), y.longValue());
    }
    if ((x instanceof BigDecimal || isIntegral(x)) && (y instanceof BigDecimal || isIntegral(y))) {
      return toBigDecimal(x).compareTo(toBigDecimal(y));
    }
    return Double.compare(x.doubleValue(), y.doubleValue());
  }

  // ---------------------------------------------------------------- arithmetic

  /** The four arithmetic operators and modulo, computed in the result's type. */
  public enum Arith {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO
  }

  public static Object arithmetic(Arith op, Object a, Object b, PgType result) {
    Number x = (Number) a;
    Number y = (Number) b;
    switch (result) {
      case INT2, INT4, INT8 -> {
        long l = x.longValue();
        long r = y.longValue();
        long v;
        try {
          v = switch (op) {
            case ADD -> Math.addExact(l, r);
            case SUBTRACT -> Math.subtractExact(l, r);
            case MULTIPLY -> Math.multiplyExact(l, r);
            case DIVIDE -> {
              if (r == 0) {
                throw divisionByZero();
              }
              if (l == Long.MIN_VALUE && r == -1) {
                throw new ArithmeticException();
              }
              yield l / r;
            }
            case MODULO -> {
              if (r == 0) {
                throw divisionByZero();
              }
              yield r == -1 ? 0 : l % r;
            }
          };
        } catch (ArithmeticException e) {
          throw outOfRange(result);
        }
        return narrow(v, result);
      }
      case FLOAT4, FLOAT8 -> {
        double l = x.doubleValue();
        double r = y.doubleValue();
        double v = switch (op) {
          case ADD -> l + r;
          case SUBTRACT -> l - r;
          case MULTIPLY -> l * r;
          case DIVIDE -> {
            if (r == 0) {
              throw divisionByZero();
            }
            yield l / r;
          }
          case MODULO -> {
            if (r == 0) {
              throw divisionByZero();
            }
            yield l % r;
          }
        };
        if (Double.isInfinite(v) && !Double.isInfinite(l) && !Double.isInfinite(r)) {
          throw new QuiverException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        return result == PgType.FLOAT4 ? (Object) (float) v : (Object) v;
      }
      case NUMERIC -> {
        BigDecimal l = toBigDecimal(x);
        BigDecimal r = toBigDecimal(y);
        return switch (op) {
          case ADD -> l.add(r);
          case SUBTRACT -> l.subtract(r);
          case MULTIPLY -> l.multiply(r);
          case DIVIDE -> {
            if (r.signum() == 0) {
              throw divisionByZero();
            }
            yield l.divide(r, Math.max(16, Math.max(l.scale(), r.scale())), RoundingMode.HALF_UP);
          }
          case MODULO -> {
            if (r.signum() == 0) {
              throw divisionByZero();
            }
            yield l.remainder(r);
          }
        };
      }
      default -> throw new QuiverException(SqlState.UNDEFINED_FUNCTION,
          "operator does not exist for type " + result.typname());
    }
  }

  public static Object negate(Object a) {
    if (a instanceof Long l) {
      if (l == Long.MIN_VALUE) {
        throw outOfRange(PgType.INT8);
      }
      return -l;
    }
    if (a instanceof Integer i) {
      if (i == Integer.MIN_VALUE) {
        throw outOfRange(PgType.INT4);
      }
      return -i;
    }
    if (a instanceof Short s) {
      return narrow(-s, PgType.INT2);
    }
    if (a instanceof Double d) {
      return -d;
    }
    if (a instanceof Float f) {
      return -f;
    }
    return ((BigDecimal) a).negate();
  }

  private static QuiverException divisionByZero() {
    return new QuiverException(SqlState.DIVISION_BY_ZERO, "division by zero");
  }

  static QuiverException outOfRange(PgType type) {
    String name = switch (type) {
      case INT2 -> "smallint";
      case INT4 -> "integer";
      default -> "bigint";
    };
    return new QuiverException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, name + " out of range");
  }

  private static Object narrow(long v, PgType type) {
    return switch (type) {
      case INT2 -> {
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
          throw outOfRange(type);
        }
        yield (short) v;
      }
      case INT4 -> {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw outOfRange(type);
        }
        yield (int) v;
      }
      default -> v;
    };
  }

  static BigDecimal toBigDecimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (isIntegral(n)) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "cannot convert " + d + " to numeric");
    }
    return new BigDecimal(Double.toString(d));
  }

  // ---------------------------------------------------------------- conversion

  /**
   * Converts a value of {@code from} to {@code to} as an assignment or explicit cast does.
   *
   * @param explicit true for CAST (varchar(n) then truncates instead of failing)
   */
  public static Object convert(Object v, PgType from, ColumnType to, boolean explicit,
      ZoneId zone) {
    if (v == null) {
      return null;
    }
    PgType target = to.type();
    if (from == target && !(target == PgType.VARCHAR && to.modifier() > 0)
        && !(target == PgType.VECTOR && to.modifier() > 0)) {
      return v;
    }
    switch (target) {
      case INT2, INT4, INT8 -> {
        if (v instanceof String s) {
          return parseInteger(s.trim(), target);
        }
        if (v instanceof Boolean b) {
          return narrow(b ? 1 : 0, target);
        }
        Number n = (Number) v;
        if (isIntegral(n)) {
          return narrow(n.longValue(), target);
        }
        if (n instanceof BigDecimal d) {
          try {
            return narrow(d.setScale(0, RoundingMode.HALF_UP).longValueExact(), target);
          } catch (ArithmeticException e) {
            throw outOfRange(target);
          }
        }
        double d = Math.rint(n.doubleValue());
        if (Double.isNaN(d) || d < Long.MIN_VALUE || d > Long.MAX_VALUE) {
          throw outOfRange(target);
        }
        return narrow((long) d, target);
      }
      case FLOAT4, FLOAT8 -> {
        double d;
        if (v instanceof String s) {
          d = parseDouble(s.trim(), target);
        } else {
          d = ((Number) v).doubleValue();
        }
        if (target == PgType.FLOAT4) {
          float f = (float) d;
          if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw new QuiverException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "value out of range: overflow");
          }
          return f;
        }
        return d;
      }
      case NUMERIC -> {
        if (v instanceof String s) {
          try {
            return new BigDecimal(s.trim());
          } catch (NumberFormatException e) {
            throw invalidInput("numeric", s);
          }
        }
        return toBigDecimal((Number) v);
      }
      case BOOL -> {
        if (v instanceof Boolean) {
          return v;
        }
        if (v instanceof Number n && isIntegral(n)) {
          return n.longValue() != 0;
        }
        return parseBoolean(v.toString());
      }
      case TEXT, VARCHAR, NAME, CHAR, UNKNOWN -> {
        String s = toText(v, from, zone);
        if (target == PgType.VARCHAR && to.modifier() > 0
            && s.codePointCount(0, s.length()) > to.modifier()) {
          if (explicit) {
            return s.substring(0, s.offsetByCodePoints(0, to.modifier()));
          }
          throw new QuiverException(SqlState.STRING_DATA_RIGHT_TRUNCATION,
              "value too long for type character varying(" + to.modifier() + ")");
        }
        return s;
      }
      case VECTOR -> {
        float[] f = v instanceof float[] a ? a : Vectors.parse(v.toString(), -1);
        if (to.modifier() > 0) {
          Vectors.checkDim(to.modifier(), f.length);
        }
        return f;
      }
      case TIMESTAMP -> {
        if (v instanceof String s) {
          return Timestamps.parseTimestamp(s);
        }
        if (from == PgType.DATE) {
          return ((Integer) v) * MICROS_PER_DAY;
        }
        if (from == PgType.TIMESTAMPTZ) {
          return shiftZone((Long) v, zone, true);
        }
        return v;
      }
      case TIMESTAMPTZ -> {
        if (v instanceof String s) {
          return Timestamps.parseTimestamptz(s, zone);
        }
        if (from == PgType.DATE) {
          return shiftZone(((Integer) v) * MICROS_PER_DAY, zone, false);
        }
        if (from == PgType.TIMESTAMP) {
          return shiftZone((Long) v, zone, false);
        }
        return v;
      }
      case DATE -> {
        if (v instanceof String s) {
          return Timestamps.parseDate(s);
        }
        long micros = (Long) v;
        if (from == PgType.TIMESTAMPTZ) {
          micros = shiftZone(micros, zone, true);
        }
        return (int) Math.floorDiv(micros, MICROS_PER_DAY);
      }
      default -> throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "cannot cast type " + from.typname() + " to " + to.displayName());
    }
  }

  /** Between a UTC instant and wall-clock micros in {@code zone}. */
  private static long shiftZone(long micros, ZoneId zone, boolean toLocal) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    long frac = Math.floorMod(micros, 1_000_000L);
    if (toLocal) {
      ZoneOffset off = zone.getRules().getOffset(java.time.Instant.ofEpochSecond(seconds));
      return (seconds + off.getTotalSeconds()) * 1_000_000L + frac;
    }
    LocalDateTime local = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    long utc = local.atZone(zone).toEpochSecond();
    return utc * 1_000_000L + frac;
  }

  /** A value as PostgreSQL's text output function prints it (used by casts to text and ||). */
  public static String toText(Object v, PgType type, ZoneId zone) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Boolean b) {
      return type == PgType.TEXT ? (b ? "true" : "false") : (b ? "true" : "false");
    }
    if (v instanceof Double d) {
      return FloatFormat.formatDouble(d);
    }
    if (v instanceof Float f) {
      return FloatFormat.formatFloat(f);
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof float[] f) {
      return Vectors.format(f);
    }
    if (type == PgType.TIMESTAMP) {
      return Timestamps.formatTimestamp((Long) v);
    }
    if (type == PgType.TIMESTAMPTZ) {
      return Timestamps.formatTimestamptz((Long) v, zone);
    }
    if (type == PgType.DATE) {
      return Timestamps.formatDate((Integer) v);
    }
    return v.toString();
  }

  private static Object parseInteger(String s, PgType type) {
    try {
      return narrow(Long.parseLong(s), type);
    } catch (NumberFormatException e) {
      if (s.matches("[+-]?\\d+")) {
        throw outOfRange(type);
      }
      throw invalidInput(type == PgType.INT8 ? "bigint" : type == PgType.INT2 ? "smallint"
          : "integer", s);
    }
  }

  private static double parseDouble(String s, PgType type) {
    String lower = s.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "nan":
        return Double.NaN;
      case "infinity", "+infinity", "inf", "+inf":
        return Double.POSITIVE_INFINITY;
      case "-infinity", "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    try {
      if (lower.isEmpty() || lower.contains("x") || lower.endsWith("d") || lower.endsWith("f")) {
        throw new NumberFormatException();
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw invalidInput(type == PgType.FLOAT4 ? "real" : "double precision", s);
    }
  }

  static Boolean parseBoolean(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "t", "true", "y", "yes", "on", "1":
        return true;
      case "f", "false", "n", "no", "off", "0":
        return false;
      default:
        throw invalidInput("boolean", text);
    }
  }

  static QuiverException invalidInput(String type, String text) {
    return new QuiverException(SqlState.INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type " + type + ": \"" + text + "\"");
  }
}
