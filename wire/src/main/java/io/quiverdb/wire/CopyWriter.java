package io.quiverdb.wire;

import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * COPY TO's output, byte for byte as PostgreSQL's copyto.c writes it. Text: values in their text
 * form with backslash, newline, carriage return, tab, backspace, form feed, vertical tab and the
 * delimiter escaped, NULL as the NULL string. CSV: a value is quoted when it contains the
 * delimiter, the quote, a newline or a carriage return, when it equals the NULL string, or when it
 * is {@code \.} alone on a line; inside quotes the quote and escape characters are escaped. Binary:
 * the PGCOPY header, per row a field count and length-prefixed send forms, a -1 trailer. Each
 * method writes one CopyData message's payload.
 */
final class CopyWriter {
  private final CopyFormat format;
  private final PgType[] types;
  private final FormatSettings settings;
  private final StringBuilder line = new StringBuilder();

  CopyWriter(CopyFormat format, PgType[] types, FormatSettings settings) {
    this.format = format;
    this.types = types;
    this.settings = settings;
  }

  /** Whether anything precedes the rows: the binary header, or a line of column names. */
  boolean hasHeader() {
    return format.binary() || format.header() != CopyFormat.Header.NONE;
  }

  /** The binary header, or the column names as a line of text or CSV. */
  void header(ByteBuf out, List<String> names) {
    if (format.binary()) {
      out.writeBytes(CopyBinaryReader.SIGNATURE).writeInt(0).writeInt(0);
      return;
    }
    line.setLength(0);
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        line.append(format.delimiter());
      }
      appendText(names.get(i), names.size() == 1);
    }
    out.writeCharSequence(line.append('\n'), StandardCharsets.UTF_8);
  }

  void row(ByteBuf out, Object[] row) {
    if (format.binary()) {
      out.writeShort(row.length);
      for (int i = 0; i < row.length; i++) {
        ValueCodec.write(out, row[i], types[i], true, settings);
      }
      return;
    }
    line.setLength(0);
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        line.append(format.delimiter());
      }
      if (row[i] == null) {
        line.append(format.nullString());
      } else {
        appendText(ValueCodec.text(row[i], types[i], settings), row.length == 1);
      }
    }
    out.writeCharSequence(line.append('\n'), StandardCharsets.UTF_8);
  }

  /** The binary trailer; text and CSV have none. */
  void trailer(ByteBuf out) {
    if (format.binary()) {
      out.writeShort(-1);
    }
  }

  private void appendText(String v, boolean onlyColumn) {
    if (format.csv()) {
      appendCsv(v, onlyColumn);
      return;
    }
    char delimiter = format.delimiter();
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
          if (c == delimiter) {
            line.append('\\');
          }
          line.append(c);
        }
      }
    }
  }

  private void appendCsv(String v, boolean onlyColumn) {
    char quote = format.quote();
    char escape = format.escape();
    boolean quoted = v.equals(format.nullString()) || onlyColumn && v.equals("\\.");
    for (int j = 0; j < v.length() && !quoted; j++) {
      char c = v.charAt(j);
      quoted = c == format.delimiter() || c == quote || c == '\n' || c == '\r';
    }
    if (!quoted) {
      line.append(v);
      return;
    }
    line.append(quote);
    for (int j = 0; j < v.length(); j++) {
      char c = v.charAt(j);
      if (c == quote || c == escape) {
        line.append(escape);
      }
      line.append(c);
    }
    line.append(quote);
  }
}
