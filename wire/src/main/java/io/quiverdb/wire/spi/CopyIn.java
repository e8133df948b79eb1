package io.quiverdb.wire.spi;

import io.quiverdb.common.types.ColumnType;
import java.util.List;

/**
 * A running {@code COPY … FROM STDIN}: the wire decodes the client's CopyData into rows of {@link
 * #columnTypes} as they arrive and hands each to {@link #row}; after CopyDone, {@link
 * #commandTag} gives {@code COPY n}. An exception from {@link #row} fails the COPY: the wire
 * reports it at once, with the line it came from, and the session rolls the rows back.
 */
public interface CopyIn extends Cursor {
  CopyFormat format();

  /** The types of the columns each row holds, in order. */
  List<ColumnType> columnTypes();

  /** Their names: for {@code HEADER MATCH} and error context ({@code column v}). */
  List<String> columnNames();

  /** The table's name, as error context shows it: {@code COPY items, line 3}. */
  String target();

  /** Adds one row, values in {@link #columnTypes} order (null for NULL). */
  void row(Object[] values);
}
