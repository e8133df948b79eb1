package io.quiverdb.wire.spi;

/**
 * A {@code COPY … TO STDOUT}: rows from {@link #next()} of {@link #fields()}, which the wire
 * sends as CopyData in {@link #format}, ending with {@code COPY n}.
 */
public interface CopyOut extends Cursor {
  CopyFormat format();
}
