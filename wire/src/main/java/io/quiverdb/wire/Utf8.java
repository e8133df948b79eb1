package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;

/**
 * Checks bytes are UTF-8 as PostgreSQL's pg_verifymbstr does for a UTF8 database: well-formed
 * sequences of scalar values, no NUL; the error names the offending sequence's bytes.
 */
final class Utf8 {
  private Utf8() {}

  /**
   * Throws 22021 (with {@code context}, if not null) unless {@code b[from, to)} is valid; the
   * message shows the offending sequence's bytes up to {@code shownEnd} (PostgreSQL checks the
   * input with its line endings, and shows what follows a cut sequence).
   */
  static void check(byte[] b, int from, int to, int shownEnd, String context) {
    int i = from;
    while (i < to && b[i] > 0) {
      i++; // ASCII, the common case
    }
    while (i < to) {
      int c = b[i] & 0xFF;
      int length = c == 0 ? 0 : c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
          : (c & 0xF0) == 0xE0 ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      if (length == 0 || i + length > to || !continuationsValid(b, i, length)) {
        throw invalid(b, i, Math.max(to, shownEnd), context);
      }
      i += length;
    }
  }

  private static boolean continuationsValid(byte[] b, int i, int length) {
    int c = b[i] & 0xFF;
    for (int k = 1; k < length; k++) {
      int d = b[i + k] & 0xFF;
      if ((d & 0xC0) != 0x80) {
        return false;
      }
      if (k == 1) {
        // no overlong forms, no surrogates, nothing past U+10FFFF
        if (c == 0xE0 && d < 0xA0 || c == 0xED && d > 0x9F || c == 0xF0 && d < 0x90
            || c == 0xF4 && d > 0x8F) {
          return false;
        }
      }
    }
    return true;
  }

  private static QuiverException invalid(byte[] b, int i, int to, String context) {
    int c = b[i] & 0xFF;
    int length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    StringBuilder bytes = new StringBuilder();
    for (int k = 0; k < length && i + k < to; k++) {
      bytes.append(k > 0 ? " " : "").append(String.format("0x%02x", b[i + k] & 0xFF));
    }
    QuiverException e = new QuiverException(SqlState.CHARACTER_NOT_IN_REPERTOIRE,
        "invalid byte sequence for encoding \"UTF8\": " + bytes);
    return context == null ? e : e.withContext(context);
  }
}
