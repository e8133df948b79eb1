package io.quiverdb.storage;

import java.util.Arrays;

/** A byte array with value equality, for hash maps keyed by encoded primary keys. */
final class ByteKey {
  final byte[] bytes;
  private final int hash;

  ByteKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
  }

  /**
   * FNV-1a over the bytes, then a 64-bit finaliser. Not {@link Arrays#hashCode}: encoded keys
   * differ in their last bytes only, which that hash folds into a few thousand values, so that
   * a hundred thousand sequential ids would share bins.
   */
  static int hash(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
