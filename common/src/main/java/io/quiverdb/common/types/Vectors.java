package io.quiverdb.common.types;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;

/**
 * pgvector's text form of {@code vector}: parsing with its checks and SQLSTATEs (22P02 malformed,
 * 22000 NaN/Infinity or wrong dimension, 54000 too many dimensions) and printing elements as
 * shortest round-trip float4 ({@code [1,0.5,1e-07]}).
 */
public final class Vectors {
  private Vectors() {}

  /** Parses {@code [x, y, …]}; {@code expectedDim} is the column's dimension, or -1 for any. */
  public static float[] parse(String text, int expectedDim) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    int n = text.length();
    int i = skipSpace(text, 0);
    if (i >= n || text.charAt(i) != '[') {
      throw malformed(text, "Vector contents must start with \"[\".");
    }
    i = skipSpace(text, i + 1);
    float[] buf = new float[expectedDim > 0 ? expectedDim : 16];
    int dim = 0;
    if (i < n && text.charAt(i) == ']') {
      throw new QuiverException(SqlState.DATA_EXCEPTION, "vector must have at least 1 dimension");
    }
    while (true) {
      int start = i;
      while (i < n && !endsElement(text.charAt(i))) {
        i++;
      }
      if (start == i) {
        throw malformed(text, null);
      }
      float f = parseElement(text, start, i);
      if (dim == buf.length) {
        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
      }
      buf[dim++] = f;
      if (dim > PgType.VECTOR_MAX_DIM) {
        throw new QuiverException(
            SqlState.PROGRAM_LIMIT_EXCEEDED,
            "vector cannot have more than " + PgType.VECTOR_MAX_DIM + " dimensions");
      }
      i = skipSpace(text, i);
      if (i < n && text.charAt(i) == ',') {
        i = skipSpace(text, i + 1);
        continue;
      }
      if (i < n && text.charAt(i) == ']') {
        i++;
        break;
      }
      throw malformed(text, i >= n ? "Unexpected end of input." : null);
    }
    if (skipSpace(text, i) != n) {
      throw malformed(text, "Junk after closing right brace.");
    }
    float[] v = dim == buf.length ? buf : java.util.Arrays.copyOf(buf, dim);
    checkDim(expectedDim, dim);
    return v;
  }

  /** Whether {@code c} ends a vector element: a comma, the closing bracket or white space. */
  private static boolean endsElement(char c) {
    return c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
        || c == '\u000b';
  }

  /** pgvector's text output: {@code [1,2.5,-3e-05]}. */
  public static String format(float[] v) {
    StringBuilder sb = new StringBuilder(v.length * 8 + 2);
    sb.append('[');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(FloatFormat.formatFloat(v[i]));
    }
    return sb.append(']').toString();
  }

  /** Rejects a vector whose length differs from the column's dimension (22000, as pgvector). */
  public static void checkDim(int expectedDim, int actualDim) {
    if (expectedDim >= 0 && expectedDim != actualDim) {
      throw new QuiverException(
          SqlState.DATA_EXCEPTION, "expected " + expectedDim + " dimensions, not " + actualDim);
    }
  }

  /**
   * Rejects NaN and infinite elements (22000, as pgvector). The common case, all finite, is one
   * branch-free pass: an element is NaN or infinite exactly when its exponent bits are all ones,
   * and adding one to such an exponent carries into the sign bit.
   */
  public static void checkFinite(float[] v) {
    int carry = 0;
    for (float f : v) {
      carry |= (Float.floatToRawIntBits(f) & 0x7F80_0000) + 0x0080_0000;
    }
    if (carry >= 0) {
      return;
    }
    for (float f : v) {
      if (Float.isNaN(f)) {
        throw new QuiverException(SqlState.DATA_EXCEPTION, "NaN not allowed in vector");
      }
      if (Float.isInfinite(f)) {
        throw new QuiverException(SqlState.DATA_EXCEPTION, "infinite value not allowed in vector");
      }
    }
  }

  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  /**
   * A plain decimal ({@code -12.5e-3}) read without allocating: Clinger's fast path. When the
   * digits fit a double exactly and the power of ten is exact, one division or multiplication
   * rounds the value correctly to double; rounding that to float is then correct too, unless the
   * double landed exactly halfway between two floats. Returns NaN (never a result: NaN is
   * rejected) for anything else, which the exact parser then reads.
   */
  static float parseDecimal(String t, int start, int end) {
    int i = start;
    boolean negative = false;
    if (i < end && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
      negative = t.charAt(i) == '-';
      i++;
    }
    long m = 0;
    int significant = 0;
    int exp = 0;
    boolean any = false;
    for (; i < end && t.charAt(i) >= '0' && t.charAt(i) <= '9'; i++) {
      m = m * 10 + (t.charAt(i) - '0');
      significant += m == 0 ? 0 : 1;
      any = true;
    }
    if (i < end && t.charAt(i) == '.') {
      for (i++; i < end && t.charAt(i) >= '0' && t.charAt(i) <= '9'; i++) {
        m = m * 10 + (t.charAt(i) - '0');
        significant += m == 0 ? 0 : 1;
        exp--;
        any = true;
      }
    }
    if (!any || significant > 18) {
      return Float.NaN;
    }
    if (i < end && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
      i++;
      boolean negativeExp = false;
      if (i < end && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
        negativeExp = t.charAt(i) == '-';
        i++;
      }
      int e = 0;
      int digits = 0;
      for (; i < end && t.charAt(i) >= '0' && t.charAt(i) <= '9' && digits < 4; i++, digits++) {
        e = e * 10 + (t.charAt(i) - '0');
      }
      if (digits == 0) {
        return Float.NaN;
      }
      exp += negativeExp ? -e : e;
    }
    if (i != end) {
      return Float.NaN;
    }
    if (m == 0) {
      return negative ? -0f : 0f;
    }
    if (exp < -22 || exp > 22 || m >= 1L << 53) {
      return Float.NaN;
    }
    double d = exp >= 0 ? m * POW10[exp] : m / POW10[-exp];
    if (d < Float.MIN_NORMAL || d > Float.MAX_VALUE
        || (Double.doubleToRawLongBits(d) & 0x1FFFFFFFL) == 0x10000000L) {
      return Float.NaN; // subnormal, out of range, or exactly halfway between two floats
    }
    float f = (float) d;
    return negative ? -f : f;
  }

  private static float parseElement(String text, int start, int end) {
    float fast = parseDecimal(text, start, end);
    if (!Float.isNaN(fast)) {
      return fast;
    }
    String s = text.substring(start, end);
    char last = s.charAt(s.length() - 1);
    // Java accepts "1f", "0x1p3" and "Infinity"; pgvector (strtof) accepts "inf"/"nan" and rejects
    // the suffixes. Reject what strtof would not read fully, then check finiteness.
    if (last == 'f' || last == 'F' || last == 'd' || last == 'D' || s.indexOf('x') >= 0
        || s.indexOf('X') >= 0) {
      throw malformed(text, null);
    }
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
    if (unsigned.equals("nan")) {
      throw new QuiverException(SqlState.DATA_EXCEPTION, "NaN not allowed in vector");
    }
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      throw new QuiverException(SqlState.DATA_EXCEPTION, "infinite value not allowed in vector");
    }
    float f;
    try {
      f = Float.parseFloat(s);
    } catch (NumberFormatException e) {
      throw malformed(text, null);
    }
    if (Float.isInfinite(f)) {
      throw new QuiverException(
          SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "\"" + s + "\" is out of range for type vector");
    }
    return f;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static QuiverException malformed(String text, String detail) {
    return new QuiverException(
        SqlState.INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type vector: \"" + text + "\"",
        detail,
        null,
        0);
  }
}
