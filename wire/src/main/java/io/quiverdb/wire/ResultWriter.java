package io.quiverdb.wire;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyOut;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a result to the client: DataRows, or COPY TO STDOUT's CopyData. Every 64 KiB the output
 * is flushed, and the statement thread waits there while the client has not read what was sent
 * before (see {@link ClientOutput}), so a slow reader never makes the server hold the result;
 * the statement's cancel token is checked there and every 1024 rows.
 */
final class ResultWriter {
  private static final int FLUSH_BYTES = 64 * 1024;

  private final Backend b;

  ResultWriter(Backend backend) {
    this.b = backend;
  }

  /** Checks the result formats of a row of {@code columns} columns are text (0) or binary (1). */
  static void checkFormats(short[] formats, int columns) {
    for (int i = 0; i < columns; i++) {
      short f = PgMessages.format(formats, i);
      if (f != 0 && f != 1) {
        throw ExtendedQueryPhase.unsupportedFormat(f);
      }
    }
  }

  /**
   * Writes up to {@code limit} rows (0 = all) as DataRows. Returns the row after the last one
   * written when the limit stopped it early (the portal keeps it), else null.
   */
  Object[] rows(Cursor cursor, List<Field> fields, short[] formats, int limit, Object[] first) {
    CancelToken token = b.clock.token();
    if (fields == null) {
      while (cursor.next() != null) {
        token.check(); // commands without a row description produce no rows
      }
      return null;
    }
    FormatSettings settings = b.session.formatSettings();
    int n = fields.size();
    PgType[] types = new PgType[n];
    boolean[] binary = new boolean[n];
    for (int i = 0; i < n; i++) {
      types[i] = fields.get(i).type().type();
      binary[i] = PgMessages.format(formats, i) == 1;
    }
    int sent = 0;
    Object[] row = first != null ? first : cursor.next();
    while (row != null) {
      if (limit > 0 && sent == limit) {
        return row;
      }
      ByteBuf out = b.out.buf();
      out.writeByte('D');
      int at = out.writerIndex();
      out.writeInt(0);
      out.writeShort(n);
      for (int i = 0; i < n; i++) {
        ValueCodec.write(out, row[i], types[i], binary[i], settings);
      }
      out.setInt(at, out.writerIndex() - at);
      sent++;
      if (out.readableBytes() >= FLUSH_BYTES) {
        b.flushStreaming();
      }
      if ((sent & 1023) == 0) {
        token.check();
      }
      row = cursor.next();
    }
    return null;
  }

  /** Sends a COPY TO STDOUT's rows as CopyData, then CopyDone. */
  void copyOut(CopyOut cursor) {
    CancelToken token = b.clock.token();
    List<Field> fields = cursor.fields();
    PgType[] types = new PgType[fields.size()];
    List<String> names = new ArrayList<>(fields.size());
    for (int i = 0; i < types.length; i++) {
      types[i] = fields.get(i).type().type();
      names.add(fields.get(i).name());
    }
    CopyWriter writer = new CopyWriter(cursor.format(), types, b.session.formatSettings());
    PgMessages.copyResponse(b.out.buf(), 'H', cursor.format().binary(), types.length);
    if (writer.hasHeader()) {
      ByteBuf out = b.out.buf();
      int at = PgMessages.beginCopyData(out);
      writer.header(out, names);
      PgMessages.end(out, at);
    }
    long rows = 0;
    Object[] row;
    while ((row = cursor.next()) != null) {
      ByteBuf out = b.out.buf();
      int at = PgMessages.beginCopyData(out);
      writer.row(out, row);
      PgMessages.end(out, at);
      if (out.readableBytes() >= FLUSH_BYTES) {
        b.flushStreaming();
      }
      if ((++rows & 1023) == 0) {
        token.check();
      }
    }
    if (cursor.format().binary()) {
      ByteBuf out = b.out.buf();
      int at = PgMessages.beginCopyData(out);
      writer.trailer(out);
      PgMessages.end(out, at);
    }
    PgMessages.copyDone(b.out.buf());
  }
}
