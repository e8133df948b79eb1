package io.quiverdb.storage;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The row versions of one table: its segments (the last one growing, the others sealed) and, for a
 * table with a primary key, the address of the newest version of each key. Changed only under the
 * store's commit lock; read without locks.
 */
final class TableData {
  final long tableId;
  final boolean hasPrimaryKey;
  private final int segmentRows;
  private volatile Segment[] segments = new Segment[0];
  /**
   * Encoded primary key → address of its newest version (which may be ended). Replaced only while
   * empty, by {@link #reserveKeys}; readers read the field each time.
   */
  volatile ConcurrentHashMap<ByteKey, Long> newest = new ConcurrentHashMap<>();
  private volatile long liveRows;
  /** Set when recovery could not read the table's rows: every use of the table reports it. */
  private volatile io.quiverdb.common.QuiverException corruption;

  TableData(long tableId, boolean hasPrimaryKey, int segmentRows) {
    this.tableId = tableId;
    this.hasPrimaryKey = hasPrimaryKey;
    this.segmentRows = segmentRows;
  }

  /**
   * A table whose rows recovery could not read (a damaged file): it holds no rows, and reading or
   * writing it fails with {@code e} (XX001, naming the file), while the other tables work.
   */
  static TableData corrupted(long tableId, boolean hasPrimaryKey, int segmentRows,
      io.quiverdb.common.QuiverException e) {
    TableData d = new TableData(tableId, hasPrimaryKey, segmentRows);
    d.corruption = e;
    return d;
  }

  boolean isCorrupted() {
    return corruption != null;
  }

  /** Throws the corruption recovery found in this table's rows, if any. */
  void checkReadable() {
    io.quiverdb.common.QuiverException e = corruption;
    if (e != null) {
      throw new io.quiverdb.common.QuiverException(e.state(), e.getMessage(), e.detail(),
          e.hint(), 0);
    }
  }

  Segment[] segments() {
    return segments;
  }

  Segment segment(int id) {
    Segment[] s = segments;
    return id >= 0 && id < s.length ? s[id] : null;
  }

  long liveRows() {
    return liveRows;
  }

  void addLive(long delta) {
    liveRows += delta;
  }

  /**
   * Before a commit adds {@code keys} keys to a table that has none (a bulk load into a new
   * table): sizes the key map for them at once instead of doubling it a dozen times, each a
   * rehash of everything so far. Writer only (commit lock). Safe for readers holding the old,
   * empty map: it has no key a snapshot before this commit could see.
   */
  void reserveKeys(int keys) {
    if (keys > 1024 && newest.isEmpty()) {
      newest = new ConcurrentHashMap<>(keys + keys / 3 + 1);
    }
  }

  /** Appends a version to the growing segment, sealing it and starting another when full. */
  long append(Object[] row, long insertTs, long endTs, long prev) {
    Segment[] s = segments;
    Segment growing = s.length == 0 ? null : s[s.length - 1];
    if (growing == null || growing.isFull()) {
      growing = new Segment(s.length, segmentRows);
      Segment[] next = Arrays.copyOf(s, s.length + 1);
      next[s.length] = growing;
      segments = next;
    }
    int off = growing.append(row, insertTs, endTs, prev);
    return Segment.address(growing.id, off);
  }

  /**
   * Loads one stored version at its stored address (recovery): segments are created as needed,
   * with the capacity they had when written if that was larger.
   */
  void load(int segmentId, int offset, Object[] row, long insertTs, long endTs, long prev) {
    Segment[] s = segments;
    while (s.length <= segmentId) {
      Segment[] next = Arrays.copyOf(s, s.length + 1);
      next[s.length] = new Segment(s.length, Integer.MAX_VALUE);
      s = next;
    }
    segments = s;
    Segment seg = s[segmentId];
    while (seg.size() < offset) {
      seg.appendDropped(); // a version compaction dropped: offsets stay stable
    }
    seg.append(row, insertTs, endTs, prev);
  }

  /** After recovery: seals every loaded segment but the last, which grows to the configured size. */
  void finishLoad() {
    Segment[] s = segments;
    for (int i = 0; i < s.length; i++) {
      s[i].capacity = i < s.length - 1 ? s[i].size() : Math.max(s[i].size(), segmentRows);
    }
  }
}
