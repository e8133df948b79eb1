package io.quiverdb.storage;

/**
 * A transaction's pending rows by encoded primary key: key → index into its list of inserts.
 * Open addressing with linear probing over parallel arrays, rather than a HashMap: a COPY puts
 * one key per row, and this keeps neither an entry object nor a boxed index per row, grows by
 * copying arrays, and compares stored hashes before it touches a key object, so a probe past an
 * occupied slot costs no cache miss. Deletion shifts the following entries back, so there are no
 * tombstones. Used by one thread (the transaction's).
 */
final class PendingKeys {
  private static final int ABSENT = -1;

  private ByteKey[] keys = new ByteKey[16];
  private int[] hashes = new int[16];
  private int[] values = new int[16];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  /** The index stored for {@code key}, or -1. */
  int get(ByteKey key) {
    int slot = find(key);
    return slot < 0 ? ABSENT : values[slot];
  }

  /** Stores {@code value} unless the key is present; returns the present value, or -1. */
  int putIfAbsent(ByteKey key, int value) {
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int h = key.hashCode();
    int mask = keys.length - 1;
    int i = h & mask;
    for (; keys[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == h && keys[i].equals(key)) {
        return values[i];
      }
    }
    keys[i] = key;
    hashes[i] = h;
    values[i] = value;
    size++;
    return ABSENT;
  }

  /** Stores {@code value} for {@code key}, replacing what was there. */
  void put(ByteKey key, int value) {
    if (putIfAbsent(key, value) != ABSENT) {
      values[find(key)] = value;
    }
  }

  void remove(ByteKey key) {
    int i = find(key);
    if (i < 0) {
      return;
    }
    int mask = keys.length - 1;
    // shift back every later entry of the run that the hole would cut off from its home slot
    int hole = i;
    for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        keys[hole] = keys[j];
        hashes[hole] = hashes[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = null;
    size--;
  }

  /** The slot holding {@code key}, or -1. */
  private int find(ByteKey key) {
    int h = key.hashCode();
    int mask = keys.length - 1;
    for (int i = h & mask; keys[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == h && keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private void grow() {
    ByteKey[] oldKeys = keys;
    int[] oldHashes = hashes;
    int[] oldValues = values;
    int n = oldKeys.length * 2;
    keys = new ByteKey[n];
    hashes = new int[n];
    values = new int[n];
    int mask = n - 1;
    for (int k = 0; k < oldKeys.length; k++) {
      if (oldKeys[k] != null) {
        int i = oldHashes[k] & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[k];
        hashes[i] = oldHashes[k];
        values[i] = oldValues[k];
      }
    }
  }
}
