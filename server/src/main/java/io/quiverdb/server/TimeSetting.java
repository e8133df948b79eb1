package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time setting in milliseconds (statement_timeout and the idle timeouts), read and shown as
 * PostgreSQL 15 does for an integer setting with unit ms: guc.c's parse_int (a C integer in
 * decimal, octal or hex, or a decimal fraction, then an optional unit {@code us ms s min h d};
 * a fraction rounds to the next smaller unit, then to whole milliseconds) with its errors, and
 * _ShowOption's display in the largest unit that divides the value ({@code 1500ms}, {@code 90s},
 * {@code 1min}, {@code 0}).
 */
final class TimeSetting {
  private TimeSetting() {}

  private static final String[] UNITS = {"d", "h", "min", "s", "ms", "us"};
  private static final double[] MILLIS = {86_400_000, 3_600_000, 60_000, 1000, 1, 0.001};
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(?i:inf(inity)?|nan)");
  private static final String UNITS_HINT =
      "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

  /** The canonical (shown) form of a value for setting {@code name}, or 22023. */
  static String normalize(String name, String value) {
    long ms = parse(name, value);
    if (ms < 0 || ms > Integer.MAX_VALUE) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE, ms + " ms is outside the valid"
          + " range for parameter \"" + name + "\" (0 .. " + Integer.MAX_VALUE + ")");
    }
    return show(ms);
  }

  /** Milliseconds of a canonical value. */
  static long millis(String shown) {
    for (int i = 0; i < UNITS.length - 1; i++) {
      if (shown.endsWith(UNITS[i]) && Character.isDigit(shown.charAt(
          shown.length() - UNITS[i].length() - 1))) {
        return Long.parseLong(shown.substring(0, shown.length() - UNITS[i].length()))
            * (long) MILLIS[i];
      }
    }
    return Long.parseLong(shown);
  }

  static String show(long ms) {
    if (ms <= 0) {
      return Long.toString(ms);
    }
    for (int i = 0; i < UNITS.length - 1; i++) {
      long unit = (long) MILLIS[i];
      if (ms % unit == 0) {
        return ms / unit + UNITS[i];
      }
    }
    throw new AssertionError("unreachable: ms divides every value");
  }

  /** parse_int: the value in milliseconds (a long, so that the range check can name it). */
  private static long parse(String name, String value) {
    int[] end = new int[1];
    double v = strtol(value, end);
    if (end[0] < value.length() && ".eE".indexOf(value.charAt(end[0])) >= 0 || Double.isNaN(v)) {
      v = strtod(value, end);
    }
    if (end[0] == 0 || Double.isNaN(v)) {
      throw invalid(name, value, null);
    }
    int i = skipSpaces(value, end[0]);
    if (i < value.length()) {
      v = convert(v, value.substring(i));
      if (Double.isNaN(v)) {
        throw invalid(name, value, UNITS_HINT);
      }
    }
    v = Math.rint(v);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw invalid(name, value, "Value exceeds integer range.");
    }
    return (long) v;
  }

  /** convert_to_base_unit: the value in ms, or NaN for an unknown unit or garbage after it. */
  private static double convert(double value, String unit) {
    int end = 0;
    while (end < unit.length() && end < 3 && !Character.isWhitespace(unit.charAt(end))) {
      end++;
    }
    if (skipSpaces(unit, end) != unit.length()) {
      return Double.NaN;
    }
    String u = unit.substring(0, end);
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i].equals(u)) {
        double ms = value * MILLIS[i];
        if (i + 1 < UNITS.length) {
          ms = Math.rint(ms / MILLIS[i + 1]) * MILLIS[i + 1];
        }
        return ms;
      }
    }
    return Double.NaN;
  }

  /**
   * C's strtol with base 0 (leading spaces, a sign, {@code 0x} hex, leading-zero octal); sets
   * {@code end[0]} past the number (0 when there is none, as C leaves endptr at the start) and
   * returns NaN on overflow.
   */
  private static double strtol(String s, int[] end) {
    int i = skipSpaces(s, 0);
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int base = 10;
    if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
      if (i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
        base = 16;
        i += 2;
      }
    } else if (i < s.length() && s.charAt(i) == '0') {
      base = 8;
    }
    int start = i;
    long n = 0;
    boolean overflow = false;
    while (i < s.length() && Character.digit(s.charAt(i), base) >= 0) {
      int d = Character.digit(s.charAt(i), base);
      if (n > (Long.MAX_VALUE - d) / base) {
        overflow = true;
      } else {
        n = n * base + d;
      }
      i++;
    }
    end[0] = i == start ? 0 : i;
    if (overflow) {
      return Double.NaN;
    }
    return negative ? -n : n;
  }

  /** C's strtod for decimal input (and inf, nan); sets {@code end[0]} as {@link #strtol}. */
  private static double strtod(String s, int[] end) {
    int i = skipSpaces(s, 0);
    Matcher m = DECIMAL.matcher(s).region(i, s.length());
    if (!m.lookingAt()) {
      end[0] = 0;
      return Double.NaN;
    }
    end[0] = m.end();
    String t = m.group().toLowerCase(java.util.Locale.ROOT);
    if (t.contains("nan")) {
      return Double.NaN;
    }
    if (t.contains("inf")) {
      return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return Double.parseDouble(t);
  }

  private static int skipSpaces(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static QuiverException invalid(String name, String value, String hint) {
    return new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
        "invalid value for parameter \"" + name + "\": \"" + value + "\"", null, hint, 0);
  }
}
