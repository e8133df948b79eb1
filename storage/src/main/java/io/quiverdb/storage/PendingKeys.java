package io.quiverdb.storage;

/**
 * A transaction's pending rows by encoded primary key: key → index into its list of inserts.
 * Open addressing with linear probing over two arrays, rather than a HashMap: a COPY puts one
 * key per row, and this keeps neither an entry object nor a boxed index per row, and grows by
 * copying two arrays. Deletion shifts the following entries back, so there are no tombstones.
 * Used by one thread (the transaction's).
 */
final class PendingKeys {
  private static final int ABSENT = -1;

  private ByteKey[] keys = new ByteKey[16];
  private int[] values = new int[16];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  /** The index stored for {@code key}, or -1. */
  int get(ByteKey key) {
    int mask = keys.length - 1;
    for (int i = key.hashCode() & mask; keys[i] != null; i = (i + 1) & mask) {
      if (keys[i].equals(key)) {
        return values[i];
      }
    }
    return ABSENT;
  }

  /** Stores {@code value} unless the key is present; returns the present value, or -1. */
  int putIfAbsent(ByteKey key, int value) {
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = key.hashCode() & mask;
    for (; keys[i] != null; i = (i + 1) & mask) {
      if (keys[i].equals(key)) {
        return values[i];
      }
    }
    keys[i] = key;
    values[i] = value;
    size++;
    return ABSENT;
  }

  /** Stores {@code value} for {@code key}, replacing what was there. */
  void put(ByteKey key, int value) {
    if (putIfAbsent(key, value) != ABSENT) {
      int mask = keys.length - 1;
      int i = key.hashCode() & mask;
      while (!keys[i].equals(key)) {
        i = (i + 1) & mask;
      }
      values[i] = value;
    }
  }

  void remove(ByteKey key) {
    int mask = keys.length - 1;
    int i = key.hashCode() & mask;
    while (keys[i] != null && !keys[i].equals(key)) {
      i = (i + 1) & mask;
    }
    if (keys[i] == null) {
      return;
    }
    // shift back every later entry of the run that the hole would cut off from its home slot
    int hole = i;
    for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = keys[j].hashCode() & mask;
      boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = null;
    size--;
  }

  private void grow() {
    ByteKey[] oldKeys = keys;
    int[] oldValues = values;
    keys = new ByteKey[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int k = 0; k < oldKeys.length; k++) {
      if (oldKeys[k] != null) {
        int i = oldKeys[k].hashCode() & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[k];
        values[i] = oldValues[k];
      }
    }
  }
}
