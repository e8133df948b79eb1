package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * COPY's text and CSV input, read the way PostgreSQL's copyfromparse.c reads it, in two steps.
 *
 * <p>Lines: the first line's ending (LF, CR LF or CR) is the ending of every line, and a bare CR
 * or LF of the other kind is an error; in text format a backslash escapes the next byte (so an
 * escaped newline is data), and in CSV a newline inside quotes is data. {@code \.} followed by
 * the line ending ends the data (anywhere in a text line, alone on a line in CSV); what follows
 * up to CopyDone is ignored.
 *
 * <p>Fields: text fields are split at the delimiter, compared with the NULL string before
 * de-escaping ({@code \t \n \r \b \f \v}, octal {@code \ooo}, hex {@code \xhh}, any other byte
 * literally); CSV fields follow the quote and escape characters, and only an unquoted field can
 * be NULL. The input must be valid UTF-8.
 */
final class CopyTextReader extends CopyReader {
  private enum Eol { UNKNOWN, NL, CR, CRNL }

  private final boolean csv;
  private final byte delimiter;
  private final byte quote;
  private final byte escape;
  private final byte[] nullBytes;

  /** Unconsumed input: the current line starts at {@link #start}; data ends at {@link #end}. */
  private byte[] buf = new byte[64 * 1024];
  private int start;
  private int end;
  /** Where the scan for the current line's end resumes, and the CSV state it had reached. */
  private int scan;
  private boolean inQuote;
  private boolean lastWasEscape;
  private boolean firstChar = true;
  private boolean lineCounted;
  private Eol eol = Eol.UNKNOWN;
  private boolean headerPending;
  /** {@code \.} was read: the rest of the data is ignored. */
  private boolean ended;
  /** Set by {@link #scanLine}: the line's content ends at lineEnd, the next line starts at next. */
  private int lineEnd;
  private int next;
  private boolean marker;

  private byte[] field = new byte[256];
  private String[] fields = new String[8];
  private int fieldCount;

  CopyTextReader(CopyIn target, FormatSettings settings) {
    super(target, settings);
    this.csv = format.csv();
    this.delimiter = (byte) format.delimiter();
    this.quote = (byte) format.quote();
    this.escape = (byte) format.escape();
    this.nullBytes = format.nullString().getBytes(StandardCharsets.UTF_8);
    this.headerPending = format.header() != CopyFormat.Header.NONE;
  }

  @Override
  void feed(ByteBuf data) {
    if (ended) {
      return;
    }
    int n = data.readableBytes();
    if (start > 0 && (end - start + n > buf.length || start > buf.length / 2)) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      scan -= start;
      start = 0;
    }
    if (end + n > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(end + n, buf.length * 2));
    }
    data.readBytes(buf, end, n);
    end += n;
    readLines(false);
  }

  @Override
  void finish() {
    if (!ended) {
      readLines(true);
    }
  }

  private void readLines(boolean atEof) {
    while (!ended && start < end) {
      if (!lineCounted) {
        line++;
        lineCounted = true;
      }
      if (!scanLine(atEof)) {
        return;
      }
      int from = start;
      int to = lineEnd;
      start = next;
      scan = next;
      inQuote = false;
      lastWasEscape = false;
      firstChar = true;
      lineCounted = false;
      if (marker) {
        ended = true;
        if (from == to) {
          return;
        }
      }
      readLine(from, to);
    }
  }

  // ------------------------------------------------------------ lines

  /**
   * Finds the end of the line at {@link #start}, resuming at {@link #scan}; false when it needs
   * more data. At the end of the data the rest is the last line.
   */
  private boolean scanLine(boolean atEof) {
    byte[] b = buf;
    int n = end;
    int i = scan;
    int escapeInQuotes = escape == quote ? -1 : escape;
    while (i < n) {
      byte c = b[i];
      if ((c == '\\' || c == '\r') && n - i < 4 && !atEof) {
        scan = i; // the look-ahead below needs the next bytes: wait for them
        return false;
      }
      if (csv) {
        if (inQuote && c == escapeInQuotes) {
          lastWasEscape = !lastWasEscape;
        }
        if (c == quote && !lastWasEscape) {
          inQuote = !inQuote;
        }
        if (c != escapeInQuotes) {
          lastWasEscape = false;
        }
        if (inQuote && c == (eol == Eol.NL ? '\n' : '\r')) {
          line++; // PostgreSQL counts the newlines inside quoted fields (of the known kind)
        }
      }
      if (c == '\r' && !(csv && inQuote)) {
        if (eol == Eol.UNKNOWN || eol == Eol.CRNL) {
          if (i + 1 < n && b[i + 1] == '\n') {
            eol = Eol.CRNL;
            return lineAt(i, i + 2, false);
          }
          if (eol == Eol.CRNL) {
            throw strayEnding(true);
          }
          eol = Eol.CR;
          return lineAt(i, i + 1, false);
        }
        if (eol == Eol.NL) {
          throw strayEnding(true);
        }
        return lineAt(i, i + 1, false);
      }
      if (c == '\n' && !(csv && inQuote)) {
        if (eol == Eol.CR || eol == Eol.CRNL) {
          throw strayEnding(false);
        }
        eol = Eol.NL;
        return lineAt(i, i + 1, false);
      }
      if (c == '\\' && (!csv || firstChar) && i + 1 < n) {
        if (b[i + 1] == '.') {
          int after = endMarker(i + 2);
          if (after >= 0) {
            return lineAt(i, after, true);
          }
        } else if (!csv) {
          i++; // in text, the byte after a backslash is data, even a newline
        }
      }
      firstChar = false;
      i++;
    }
    scan = i;
    if (!atEof) {
      return false;
    }
    return lineAt(n, n, false);
  }

  /**
   * After {@code \.} at {@code j - 2}: the index after the marker's line ending, or -1 when, in
   * CSV, this is data after all (in text it is an error).
   */
  private int endMarker(int j) {
    int n = end;
    if (eol == Eol.CRNL) {
      byte c3 = j < n ? buf[j++] : 0;
      if (c3 == '\n' || c3 != '\r') {
        if (csv) {
          return -1;
        }
        throw badFormat(c3 == '\n' ? "end-of-copy marker does not match previous newline style"
            : "end-of-copy marker corrupt", where());
      }
    }
    byte c4 = j < n ? buf[j++] : 0;
    if (c4 != '\r' && c4 != '\n') {
      if (csv) {
        return -1;
      }
      throw badFormat("end-of-copy marker corrupt", where());
    }
    if ((eol == Eol.NL || eol == Eol.CRNL) && c4 != '\n' || eol == Eol.CR && c4 != '\r') {
      throw badFormat("end-of-copy marker does not match previous newline style", where());
    }
    return j;
  }

  private boolean lineAt(int contentEnd, int nextLine, boolean isMarker) {
    lineEnd = contentEnd;
    next = nextLine;
    marker = isMarker;
    return true;
  }

  private QuiverException strayEnding(boolean carriageReturn) {
    String what = carriageReturn ? "carriage return" : "newline";
    QuiverException e = new QuiverException(SqlState.BAD_COPY_FILE_FORMAT,
        (csv ? "unquoted " : "literal ") + what + " found in data", null,
        csv ? "Use quoted CSV field to represent " + what + "."
            : "Use \"" + (carriageReturn ? "\\r" : "\\n") + "\" to represent " + what + ".", 0);
    return e.withContext(where());
  }

  // ------------------------------------------------------------ fields

  private void readLine(int from, int to) {
    Utf8.check(buf, from, to, end, where());
    if (field.length < to - from) {
      field = new byte[Math.max(to - from, field.length * 2)];
    }
    int n = csv ? csvFields(from, to) : textFields(from, to);
    if (headerPending) {
      headerPending = false;
      if (format.header() == CopyFormat.Header.MATCH) {
        checkHeader(n, from, to);
      }
      return;
    }
    if (n > types.length) {
      throw badFormat("extra data after last expected column", where(text(from, to)));
    }
    Object[] row = new Object[types.length];
    for (int i = 0; i < row.length; i++) {
      if (i == n) {
        throw badFormat("missing data for column \"" + names.get(i) + "\"",
            where(text(from, to)));
      }
      String f = fields[i];
      if (f != null) {
        try {
          row[i] = fitVarchar(ValueCodec.parseText(f, types[i], settings), types[i]);
        } catch (QuiverException e) {
          throw e.withContext(whereColumn(i, f));
        }
      }
    }
    insertRow(row, from, to);
  }

  /**
   * Errors of a finished row name the line as PostgreSQL's do: with its text, except a
   * duplicate key, which PostgreSQL finds when it flushes a batch of rows.
   */
  private void insertRow(Object[] row, int from, int to) {
    try {
      target.row(row);
    } catch (QuiverException e) {
      if (e.context() != null) {
        throw e;
      }
      throw e.withContext(e.state() == SqlState.UNIQUE_VIOLATION ? where()
          : where(text(from, to)));
    }
    countRow();
  }

  private int textFields(int from, int to) {
    byte[] b = buf;
    fieldCount = 0;
    int i = from;
    while (true) {
      int fieldStart = i;
      int rawEnd;
      int out = 0;
      boolean escapedHigh = false;
      boolean foundDelimiter = false;
      while (true) {
        rawEnd = i;
        if (i >= to) {
          break;
        }
        byte c = b[i++];
        if (c == delimiter) {
          foundDelimiter = true;
          break;
        }
        if (c == '\\') {
          if (i >= to) {
            break;
          }
          c = b[i++];
          switch (c) {
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
              int v = c - '0';
              for (int k = 0; k < 2 && i < to && b[i] >= '0' && b[i] <= '7'; k++) {
                v = v * 8 + b[i++] - '0';
              }
              c = (byte) v;
              escapedHigh |= c <= 0;
            }
            case 'x' -> {
              if (i < to && Character.digit(b[i], 16) >= 0) {
                int v = Character.digit(b[i++], 16);
                if (i < to && Character.digit(b[i], 16) >= 0) {
                  v = v * 16 + Character.digit(b[i++], 16);
                }
                c = (byte) v;
                escapedHigh |= c <= 0;
              }
            }
            case 'b' -> c = '\b';
            case 'f' -> c = '\f';
            case 'n' -> c = '\n';
            case 'r' -> c = '\r';
            case 't' -> c = '\t';
            case 'v' -> c = 0x0b;
            default -> { } // any other byte stands for itself
          }
        }
        field[out++] = c;
      }
      if (isNull(fieldStart, rawEnd)) {
        addField(null);
      } else {
        if (escapedHigh) {
          Utf8.check(field, 0, out, out, where(text(from, to)));
        }
        addField(string(out));
      }
      if (!foundDelimiter) {
        return fieldCount;
      }
    }
  }

  private int csvFields(int from, int to) {
    byte[] b = buf;
    fieldCount = 0;
    int i = from;
    while (true) {
      int fieldStart = i;
      int rawEnd;
      int out = 0;
      boolean sawQuote = false;
      boolean foundDelimiter = false;
      fieldLoop:
      while (true) {
        while (true) {
          rawEnd = i;
          if (i >= to) {
            break fieldLoop;
          }
          byte c = b[i++];
          if (c == delimiter) {
            foundDelimiter = true;
            break fieldLoop;
          }
          if (c == quote) {
            sawQuote = true;
            break;
          }
          field[out++] = c;
        }
        while (true) {
          if (i >= to) {
            throw badFormat("unterminated CSV quoted field", where(text(from, to)));
          }
          byte c = b[i++];
          if (c == escape && i < to && (b[i] == escape || b[i] == quote)) {
            field[out++] = b[i++];
            continue;
          }
          if (c == quote) {
            break;
          }
          field[out++] = c;
        }
      }
      addField(!sawQuote && isNull(fieldStart, rawEnd) ? null : string(out));
      if (!foundDelimiter) {
        return fieldCount;
      }
    }
  }

  /** HEADER MATCH: the first line must name the COPY's columns, in order. */
  private void checkHeader(int n, int from, int to) {
    if (n != names.size()) {
      throw badFormat("wrong number of fields in header line: got " + n + ", expected "
          + names.size(), where(text(from, to)));
    }
    for (int i = 0; i < n; i++) {
      String got = fields[i];
      String expected = names.get(i);
      if (got == null || !got.equals(expected)) {
        throw badFormat("column name mismatch in header line field " + (i + 1) + ": got "
            + (got == null ? "null value (\"" + format.nullString() + "\")" : "\"" + got + "\"")
            + ", expected \"" + expected + "\"", where(text(from, to)));
      }
    }
  }

  private boolean isNull(int from, int to) {
    if (to - from != nullBytes.length) {
      return false;
    }
    for (int k = 0; k < nullBytes.length; k++) {
      if (buf[from + k] != nullBytes[k]) {
        return false;
      }
    }
    return true;
  }

  private void addField(String value) {
    if (fieldCount == fields.length) {
      fields = java.util.Arrays.copyOf(fields, fields.length * 2);
    }
    fields[fieldCount++] = value;
  }

  /** The de-escaped field as a string (Latin-1 is a plain copy when it is all ASCII). */
  private String string(int length) {
    for (int k = 0; k < length; k++) {
      if (field[k] < 0) {
        return new String(field, 0, length, StandardCharsets.UTF_8);
      }
    }
    return new String(field, 0, length, StandardCharsets.ISO_8859_1);
  }

  private String text(int from, int to) {
    return new String(buf, from, to - from, StandardCharsets.UTF_8);
  }
}
