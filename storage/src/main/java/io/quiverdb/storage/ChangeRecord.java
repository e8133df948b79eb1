package io.quiverdb.storage;

import java.nio.ByteBuffer;

/**
 * One row change in the change log, written in the same batch as the commit that made it. Key:
 * LSN (8 bytes, big-endian) + index of the change within the commit (4). Value: commit timestamp
 * (8), table id (8), operation (1: {@code c} insert, {@code u} update, {@code d} delete), then the
 * row before and the row after, each as a 4-byte length (-1 when absent) and {@link RowCodec}
 * bytes.
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
