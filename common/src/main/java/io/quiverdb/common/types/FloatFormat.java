package io.quiverdb.common.types;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Prints float4 and float8 values exactly as PostgreSQL (12+) does: with {@code
 * extra_float_digits > 0} the shortest decimal that reads back to the same value, in fixed
 * notation for decimal exponents -4..14 (float8) or -4..5 (float4) and otherwise as {@code
 * 1.5e+20}; with {@code extra_float_digits <= 0}, {@code %.{15|6}+extra g}-style rounding.
 *
 * <p>JDK 17's {@code Double.toString} round-trips but is not always shortest (JDK-4511638), so the
 * digits are found here: start from its digit count and look for a shorter rounding that still reads
 * back to the same value.
 */
public final class FloatFormat {
  private FloatFormat() {}

  /** float8 output with the session's extra_float_digits (PostgreSQL's default is 1). */
  public static String formatDouble(double v, int extraFloatDigits) {
    String special = special(v);
    if (special != null) {
      return special;
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal digits =
        extraFloatDigits > 0 ? shortestDouble(v) : round(v, Math.max(1, 15 + extraFloatDigits));
    return layout(digits, 15);
  }

  /** float4 output with the session's extra_float_digits; also pgvector's element format. */
  public static String formatFloat(float v, int extraFloatDigits) {
    String special = special(v);
    if (special != null) {
      return special;
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal digits =
        extraFloatDigits > 0 ? shortestFloat(v) : round(v, Math.max(1, 6 + extraFloatDigits));
    return layout(digits, 6);
  }

  /** Shortest round-trip float8 text (extra_float_digits = 1). */
  public static String formatDouble(double v) {
    return formatDouble(v, 1);
  }

  /** Shortest round-trip float4 text (extra_float_digits = 1), as pgvector prints elements. */
  public static String formatFloat(float v) {
    return formatFloat(v, 1);
  }

  private static String special(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return null;
  }

  private static BigDecimal round(double v, int precision) {
    return new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
  }

  private static BigDecimal shortestDouble(double v) {
    BigDecimal candidate = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    for (int p = Math.max(1, candidate.precision() - 3); p < candidate.precision(); p++) {
      BigDecimal shorter = round(v, p);
      if (shorter.doubleValue() == v) {
        return shorter.stripTrailingZeros();
      }
    }
    return candidate;
  }

  private static BigDecimal shortestFloat(float v) {
    BigDecimal candidate = new BigDecimal(Float.toString(v)).stripTrailingZeros();
    for (int p = Math.max(1, candidate.precision() - 3); p < candidate.precision(); p++) {
      BigDecimal shorter = round(v, p);
      if (shorter.floatValue() == v) {
        return shorter.stripTrailingZeros();
      }
    }
    return candidate;
  }

  /**
   * Lays out significant digits as PostgreSQL does: fixed notation when the decimal exponent (of the
   * first digit) lies in [-4, fixedLimit), else d.ddde±XX with at least two exponent digits.
   */
  private static String layout(BigDecimal value, int fixedLimit) {
    BigDecimal d = value.stripTrailingZeros();
    String unscaled = d.unscaledValue().abs().toString();
    int exponent = unscaled.length() - 1 - d.scale();
    StringBuilder sb = new StringBuilder(24);
    if (d.signum() < 0) {
      sb.append('-');
    }
    if (exponent >= -4 && exponent < fixedLimit) {
      sb.append(d.abs().toPlainString());
      return sb.toString();
    }
    sb.append(unscaled.charAt(0));
    if (unscaled.length() > 1) {
      sb.append('.').append(unscaled, 1, unscaled.length());
    }
    sb.append(exponent < 0 ? "e-" : "e+");
    int abs = Math.abs(exponent);
    if (abs < 10) {
      sb.append('0');
    }
    sb.append(abs);
    return sb.toString();
  }
}
