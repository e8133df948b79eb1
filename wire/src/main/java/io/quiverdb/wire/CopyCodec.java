package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * COPY's data formats, as PostgreSQL's copyfromparse.c and copyto.c define them. {@link Reader}
 * turns the CopyData stream of a {@code COPY … FROM STDIN} into rows, however the client cut it
 * into messages; {@link #writeRow} formats one row of a {@code COPY … TO STDOUT}.
 */
final class CopyCodec {
  private CopyCodec() {}

  static final byte[] BINARY_SIGNATURE =
      {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

  /** Parses CopyData chunks into rows for a {@link CopyIn}. */
  static final class Reader {
    private final CopyIn target;
    private final CopyFormat format;
    private final List<ColumnType> types;
    private final FormatSettings settings;
    private final ByteBuf pending;
    private long line;
    private long rows;
    private boolean headerDone;
    private boolean ended;

    Reader(CopyIn target, FormatSettings settings, ByteBufAllocator alloc) {
      this.target = target;
      this.format = target.format();
      this.types = target.columnTypes();
      this.settings = settings;
      this.pending = alloc.buffer(64 * 1024);
      this.headerDone = !format.header() && format.kind() != CopyFormat.Kind.BINARY;
    }

    long rows() {
      return rows;
    }

    void release() {
      pending.release();
    }

    /** Consumes one CopyData message: every complete row in what has arrived so far. */
    void feed(ByteBuf data) {
      pending.writeBytes(data);
      if (format.binary()) {
        readBinary();
      } else {
        readLines(false);
      }
      pending.discardSomeReadBytes();
    }

    /** CopyDone: the last row may lack its newline; binary data must have ended properly. */
    void finish() {
      if (format.binary()) {
        if (!ended && (pending.isReadable() || headerDone)) {
          throw badFormat("unexpected EOF in COPY data");
        }
        return;
      }
      readLines(true);
    }

    // ------------------------------------------------------------ text and CSV

    private void readLines(boolean atEnd) {
      while (!ended && pending.isReadable()) {
        int start = pending.readerIndex();
        int end = lineEnd(start);
        if (end < 0) {
          if (!atEnd) {
            return;
          }
          end = pending.writerIndex();
        }
        int next = end < pending.writerIndex() ? end + 1 : end;
        int stop = end > start && pending.getByte(end - 1) == '\r' ? end - 1 : end;
        String text = pending.toString(start, stop - start, StandardCharsets.UTF_8);
        pending.readerIndex(next);
        line++;
        if (!headerDone) {
          headerDone = true;
          continue;
        }
        if (text.equals("\\.")) {
          ended = true;
          return;
        }
        List<String> fields = format.kind() == CopyFormat.Kind.CSV ? csvFields(text)
            : textFields(text);
        addRow(fields);
      }
    }

    /** The index of the newline that ends the row starting at {@code start}, or -1. */
    private int lineEnd(int start) {
      int end = pending.writerIndex();
      if (format.kind() != CopyFormat.Kind.CSV) {
        return pending.indexOf(start, end, (byte) '\n');
      }
      boolean quoted = false;
      for (int i = start; i < end; i++) {
        byte b = pending.getByte(i);
        if (quoted && b == format.escape() && format.escape() != format.quote() && i + 1 < end
            && pending.getByte(i + 1) == format.quote()) {
          i++;
        } else if (b == format.quote()) {
          quoted = !quoted;
        } else if (b == '\n' && !quoted) {
          return i;
        }
      }
      return -1;
    }

    private List<String> textFields(String text) {
      List<String> out = new ArrayList<>(types.size());
      StringBuilder field = new StringBuilder();
      boolean raw = true; // the field as typed, to compare with the NULL string
      int rawStart = 0;
      for (int i = 0; i <= text.length(); i++) {
        char c = i < text.length() ? text.charAt(i) : format.delimiter();
        if (i == text.length() || c == format.delimiter()) {
          String rawText = text.substring(rawStart, i);
          out.add(raw && rawText.equals(format.nullString()) ? null : field.toString());
          field.setLength(0);
          raw = true;
          rawStart = i + 1;
          if (i == text.length()) {
            break;
          }
          continue;
        }
        if (c == '\\' && i + 1 < text.length()) {
          if (text.substring(rawStart).startsWith(format.nullString())
              && rawStart + format.nullString().length() == fieldEnd(text, rawStart)) {
            i = rawStart + format.nullString().length() - 1;
            field.append(format.nullString());
            continue;
          }
          char e = text.charAt(++i);
          switch (e) {
            case 'b' -> field.append('\b');
            case 'f' -> field.append('\f');
            case 'n' -> field.append('\n');
            case 'r' -> field.append('\r');
            case 't' -> field.append('\t');
            case 'v' -> field.append('\u000b');
            default -> field.append(e);
          }
          continue;
        }
        field.append(c);
      }
      return out;
    }

    private int fieldEnd(String text, int from) {
      int d = text.indexOf(format.delimiter(), from);
      return d < 0 ? text.length() : d;
    }

    private List<String> csvFields(String text) {
      List<String> out = new ArrayList<>(types.size());
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      for (int i = 0; i <= text.length(); i++) {
        if (i == text.length()) {
          if (quoted) {
            throw badFormat("unterminated CSV quoted field");
          }
          out.add(!wasQuoted && field.toString().equals(format.nullString()) ? null
              : field.toString());
          break;
        }
        char c = text.charAt(i);
        if (quoted) {
          if (c == format.escape() && i + 1 < text.length()
              && text.charAt(i + 1) == format.quote()
              && (format.escape() != format.quote() || true)) {
            if (format.escape() == format.quote() || c != format.quote()) {
              field.append(format.quote());
              i++;
              continue;
            }
          }
          if (c == format.quote()) {
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == format.quote()) {
          quoted = true;
          wasQuoted = true;
        } else if (c == format.delimiter()) {
          out.add(!wasQuoted && field.toString().equals(format.nullString()) ? null
              : field.toString());
          field.setLength(0);
          wasQuoted = false;
        } else {
          field.append(c);
        }
      }
      return out;
    }

    private void addRow(List<String> fields) {
      if (fields.size() != types.size()) {
        throw badFormat(fields.size() < types.size() ? "missing data for column "
            + (fields.size() + 1) : "extra data after last expected column");
      }
      Object[] row = new Object[types.size()];
      for (int i = 0; i < row.length; i++) {
        String f = fields.get(i);
        try {
          row[i] = f == null ? null : ValueCodec.parseText(f, types.get(i), settings);
        } catch (QuiverException e) {
          throw withContext(e, ", column " + (i + 1) + ": \"" + abbreviate(f) + "\"");
        }
      }
      insert(row);
    }

    // ------------------------------------------------------------ binary

    private void readBinary() {
      if (!headerDone) {
        if (pending.readableBytes() < BINARY_SIGNATURE.length + 8) {
          return;
        }
        for (byte b : BINARY_SIGNATURE) {
          if (pending.readByte() != b) {
            throw badFormat("COPY file signature not recognized");
          }
        }
        int flags = pending.readInt();
        if ((flags & 0x10000) != 0) {
          throw badFormat("COPY file with OIDs is not supported");
        }
        int extension = pending.readInt();
        if (pending.readableBytes() < extension) {
          pending.readerIndex(pending.readerIndex() - BINARY_SIGNATURE.length - 8);
          return;
        }
        pending.skipBytes(extension);
        headerDone = true;
      }
      while (!ended && pending.readableBytes() >= 2) {
        int start = pending.readerIndex();
        int n = pending.getShort(start);
        if (n == -1) {
          pending.skipBytes(2);
          ended = true;
          return;
        }
        if (!wholeTuple(start, n)) {
          return;
        }
        pending.skipBytes(2);
        line++;
        if (n != types.size()) {
          throw badFormat("row field count is " + n + ", expected " + types.size());
        }
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          int length = pending.readInt();
          ByteBuf value = length < 0 ? pending : pending.readSlice(length);
          try {
            row[i] = ValueCodec.decode(value, length, types.get(i), true, settings);
          } catch (QuiverException e) {
            throw withContext(e, ", column " + (i + 1));
          } catch (RuntimeException e) {
            throw withContext(new QuiverException(SqlState.INVALID_BINARY_REPRESENTATION,
                "incorrect binary data format"), ", column " + (i + 1));
          }
        }
        insert(row);
      }
    }

    private boolean wholeTuple(int start, int n) {
      int at = start + 2;
      int end = pending.writerIndex();
      for (int i = 0; i < n; i++) {
        if (end - at < 4) {
          return false;
        }
        int length = pending.getInt(at);
        at += 4 + Math.max(0, length);
        if (at > end) {
          return false;
        }
      }
      return true;
    }

    // ------------------------------------------------------------ rows and errors

    private void insert(Object[] row) {
      try {
        target.row(row);
      } catch (QuiverException e) {
        throw withContext(e, "");
      }
      rows++;
    }

    private QuiverException badFormat(String message) {
      return withContext(new QuiverException(format.binary()
          ? SqlState.BAD_COPY_FILE_FORMAT : SqlState.BAD_COPY_FILE_FORMAT, message), "");
    }

    private QuiverException withContext(QuiverException e, String where) {
      return e.withContext("COPY " + target.target() + ", line " + line + where);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }

  /** Appends one row of a COPY TO in {@code format}: a line of text or CSV, or a binary tuple. */
  static void writeRow(ByteBuf out, Object[] row, PgType[] types, CopyFormat format,
      FormatSettings settings) {
    if (format.binary()) {
      out.writeShort(row.length);
      for (int i = 0; i < row.length; i++) {
        ValueCodec.write(out, row[i], types[i], true, settings);
      }
      return;
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        line.append(format.delimiter());
      }
      if (row[i] == null) {
        line.append(format.nullString());
        continue;
      }
      String v = ValueCodec.text(row[i], types[i], settings);
      if (format.kind() == CopyFormat.Kind.CSV) {
        boolean quote = v.isEmpty() && format.nullString().isEmpty() || v.equals(format.nullString())
            || v.indexOf(format.delimiter()) >= 0 || v.indexOf(format.quote()) >= 0
            || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
        if (!quote) {
          line.append(v);
          continue;
        }
        line.append(format.quote());
        for (int j = 0; j < v.length(); j++) {
          char c = v.charAt(j);
          if (c == format.quote() || c == format.escape()) {
            line.append(format.escape());
          }
          line.append(c);
        }
        line.append(format.quote());
        continue;
      }
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        switch (c) {
          case '\\' -> line.append("\\\\");
          case '\n' -> line.append("\\n");
          case '\r' -> line.append("\\r");
          case '\t' -> line.append("\\t");
          case '\b' -> line.append("\\b");
          case '\f' -> line.append("\\f");
          case '\u000b' -> line.append("\\v");
          default -> {
            if (c == format.delimiter()) {
              line.append('\\');
            }
            line.append(c);
          }
        }
      }
    }
    out.writeCharSequence(line.append('\n'), StandardCharsets.UTF_8);
  }
}
