package io.quiverdb.storage;

import java.nio.ByteBuffer;

/**
 * One row change in the change log, written in the same batch as the commit that made it. Key:
 * LSN (8 bytes, big-endian) + index of the change within the commit (4). Value: commit timestamp
 * (8), table id (8), operation (1: {@code c} insert, {@code u} update, {@code d} delete), then the
 * row before and the row after, each as a 4-byte length (-1 when absent) and {@link RowCodec}
 * bytes.
 *
 * <p>Inserts are stored more compactly, as an <em>insert run</em>: operation {@code R}, then
 * segment id (4), first offset (4) and count (4) of consecutive row versions one commit inserted
 * into one table; the run's key holds the index of its first change, and it stands for {@code
 * count} {@code c} changes with consecutive indexes whose after-images are the versions' stored
 * rows. A bulk load thus writes each row once, not twice, and one log record, not one per row.
 * {@link Store#changes} expands runs, so readers see one {@code c} change per row as before.
 */
public record ChangeRecord(
    long lsn, int index, long commitTs, long tableId, char op, byte[] before, byte[] after) {

  static byte[] key(long lsn, int index) {
    return ByteBuffer.allocate(12).putLong(lsn).putInt(index).array();
  }

  static byte[] value(long commitTs, long tableId, char op, byte[] before, byte[] after) {
    int n = 8 + 8 + 1 + 4 + (before == null ? 0 : before.length) + 4
        + (after == null ? 0 : after.length);
    ByteBuffer b = ByteBuffer.allocate(n).putLong(commitTs).putLong(tableId).put((byte) op);
    putBytes(b, before);
    putBytes(b, after);
    return b.array();
  }

  /** Operation byte of a stored insert run. */
  static final byte INSERT_RUN = 'R';

  /** The stored value of an insert run (see the class comment). */
  static byte[] runValue(long commitTs, long tableId, int segment, int firstOffset, int count) {
    return ByteBuffer.allocate(8 + 8 + 1 + 12).putLong(commitTs).putLong(tableId)
        .put(INSERT_RUN).putInt(segment).putInt(firstOffset).putInt(count).array();
  }

  /** Whether a stored value is an insert run rather than one change. */
  static boolean isRun(byte[] value) {
    return value.length == 29 && value[16] == INSERT_RUN;
  }

  /** A stored insert run, decoded: its first change's key and the versions it covers. */
  record InsertRun(long lsn, int index, long commitTs, long tableId, int segment,
      int firstOffset, int count) {}

  /** Decodes a stored value for which {@link #isRun} holds. */
  static InsertRun decodeRun(byte[] key, byte[] value) {
    ByteBuffer k = ByteBuffer.wrap(key);
    ByteBuffer v = ByteBuffer.wrap(value);
    long ts = v.getLong();
    long table = v.getLong();
    v.get();
    return new InsertRun(k.getLong(), k.getInt(), ts, table, v.getInt(), v.getInt(), v.getInt());
  }

  /** Decodes a stored change. */
  public static ChangeRecord decode(byte[] key, byte[] value) {
    ByteBuffer k = ByteBuffer.wrap(key);
    ByteBuffer v = ByteBuffer.wrap(value);
    long ts = v.getLong();
    long table = v.getLong();
    char op = (char) v.get();
    byte[] before = getBytes(v);
    byte[] after = getBytes(v);
    return new ChangeRecord(k.getLong(), k.getInt(), ts, table, op, before, after);
  }

  /** The commit timestamp of a stored change without decoding the rest. */
  static long commitTsOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }

  private static void putBytes(ByteBuffer b, byte[] bytes) {
    if (bytes == null) {
      b.putInt(-1);
    } else {
      b.putInt(bytes.length).put(bytes);
    }
  }

  private static byte[] getBytes(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0) {
      return null;
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
