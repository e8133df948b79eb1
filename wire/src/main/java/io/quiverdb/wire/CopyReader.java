package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns the CopyData stream of a {@code COPY … FROM STDIN} into rows for a {@link CopyIn} as the
 * messages arrive, however the client cut the data into messages: each message is parsed as far
 * as it completes rows, and only an incomplete row's bytes are kept for the next one. Errors
 * carry PostgreSQL's CONTEXT ({@code COPY items, line 3, column v: "[1,2]"}), whose line is the
 * text line, or the tuple number in binary.
 */
abstract sealed class CopyReader permits CopyTextReader, CopyBinaryReader {
  /** PostgreSQL prints at most this many bytes of a line or value in an error's context. */
  private static final int MAX_DISPLAY = 100;

  final CopyIn target;
  final CopyFormat format;
  final ColumnType[] types;
  final List<String> names;
  final FormatSettings settings;
  /** The line (text) or tuple (binary) being read, 1-based; 0 before the first. */
  long line;
  private long rows;

  CopyReader(CopyIn target, FormatSettings settings) {
    this.target = target;
    this.format = target.format();
    this.types = target.columnTypes().toArray(new ColumnType[0]);
    this.names = target.columnNames();
    this.settings = settings;
  }

  static CopyReader of(CopyIn target, FormatSettings settings) {
    return target.format().binary() ? new CopyBinaryReader(target, settings)
        : new CopyTextReader(target, settings);
  }

  /** Consumes one CopyData message: adds every row it completes. The caller releases it. */
  abstract void feed(ByteBuf data);

  /** CopyDone: adds the last row if the data ended without its terminator; checks the ending. */
  abstract void finish();

  /** Frees what the reader holds; called once, when the COPY ends either way. */
  void release() {}

  long rows() {
    return rows;
  }

  /** Counts a row the target has taken. */
  final void countRow() {
    rows++;
  }

  // ------------------------------------------------------------ error context

  /** {@code COPY t, line n}. */
  final String where() {
    return "COPY " + target.target() + ", line " + line;
  }

  /** {@code COPY t, line n: "the line"}. */
  final String where(String lineText) {
    return where() + ": \"" + clip(lineText) + "\"";
  }

  /** {@code COPY t, line n, column c: "value"} ({@code null input} for NULL). */
  final String whereColumn(int column, String value) {
    return where() + ", column " + names.get(column)
        + (value == null ? ": null input" : ": \"" + clip(value) + "\"");
  }

  /** {@code COPY t, line n, column c} (binary: the value is not text). */
  final String whereColumn(int column) {
    return where() + ", column " + names.get(column);
  }

  final QuiverException badFormat(String message, String context) {
    QuiverException e = new QuiverException(SqlState.BAD_COPY_FILE_FORMAT, message);
    return context == null ? e : e.withContext(context);
  }

  /** PostgreSQL's limit_printout_length: at most 100 bytes, cut at a character, then "...". */
  static String clip(String s) {
    if (s.length() * 3 <= MAX_DISPLAY
        || s.getBytes(StandardCharsets.UTF_8).length <= MAX_DISPLAY) {
      return s;
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > MAX_DISPLAY) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i) + "...";
  }

  /**
   * The typmod check of varchar's input function: longer values fail unless the excess is spaces,
   * which are cut (the SQL standard's rule, as PostgreSQL applies it).
   */
  static Object fitVarchar(Object value, ColumnType type) {
    if (type.type() != PgType.VARCHAR || type.modifier() <= 0 || !(value instanceof String s)) {
      return value;
    }
    int max = type.modifier();
    if (s.length() <= max || s.codePointCount(0, s.length()) <= max) {
      return value;
    }
    int cut = s.offsetByCodePoints(0, max);
    for (int i = cut; i < s.length(); i++) {
      if (s.charAt(i) != ' ') {
        throw new QuiverException(SqlState.STRING_DATA_RIGHT_TRUNCATION,
            "value too long for type character varying(" + max + ")");
      }
    }
    return s.substring(0, cut);
  }
}
