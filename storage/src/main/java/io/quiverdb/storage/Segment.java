package io.quiverdb.storage;

import org.roaringbitmap.RoaringBitmap;

/**
 * A run of row versions of one table, addressed by offset: the decoded row, the commit timestamp
 * that inserted it, the one that ended it ({@link #LIVE} while current) and the address of the
 * previous version of the same primary key. Rows are appended at the end; the segment is sealed
 * when it holds {@code capacity} versions.
 *
 * <p>Concurrency: one writer at a time (the store's commit lock, or the compactor under it);
 * readers never lock. A writer publishes a change by first raising {@link #lastChange} and the
 * timestamps it writes are newer than every snapshot already handed out, so a reader at snapshot
 * {@code s} sees every version with {@code insert <= s < end} exactly, whatever else is being
 * written meanwhile. Readers read {@link #size()} before {@link #slots()}, so the slots they get
 * always cover the size they read.
 */
final class Segment {
  /** The end timestamp of a version nobody has ended. */
  static final long LIVE = Long.MAX_VALUE;

  /** The arrays, replaced whole when they grow. */
  static final class Slots {
    final Object[][] rows;
    final long[] insert;
    final long[] end;
    final long[] prev;

    Slots(int capacity) {
      rows = new Object[capacity][];
      insert = new long[capacity];
      end = new long[capacity];
      prev = new long[capacity];
    }

    Slots grow(int capacity, int used) {
      Slots s = new Slots(capacity);
      System.arraycopy(rows, 0, s.rows, 0, used);
      System.arraycopy(insert, 0, s.insert, 0, used);
      System.arraycopy(end, 0, s.end, 0, used);
      System.arraycopy(prev, 0, s.prev, 0, used);
      return s;
    }
  }

  /** A visibility bitmap valid for every snapshot at or after {@code since}. */
  private record Visible(long since, RoaringBitmap bitmap) {}

  final int id;
  /** Versions it may hold; fixed once the segment is in use (recovery sets it last). */
  int capacity;
  private volatile Slots slots;
  private volatile int size;
  private volatile long lastChange;
  private volatile Visible cached;
  /** Versions ended but not yet dropped by compaction; versions dropped. Writer-side counts. */
  private volatile int ended;
  private volatile int purged;

  Segment(int id, int capacity) {
    this.id = id;
    this.capacity = capacity;
    this.slots = new Slots(Math.min(capacity, 1024));
  }

  static long address(int segment, int offset) {
    return (long) segment << 32 | (offset & 0xFFFFFFFFL);
  }

  static int segmentOf(long address) {
    return (int) (address >>> 32);
  }

  static int offsetOf(long address) {
    return (int) address;
  }

  int size() {
    return size;
  }

  Slots slots() {
    return slots;
  }

  boolean isFull() {
    return size >= capacity;
  }

  int endedCount() {
    return ended;
  }

  int purgedCount() {
    return purged;
  }

  /** Appends a version (writer only); returns its offset. */
  int append(Object[] row, long insertTs, long endTs, long prev) {
    int off = size;
    if (off >= capacity) {
      throw new IllegalStateException("segment " + id + " is full");
    }
    Slots s = slots;
    if (off == s.rows.length) {
      s = s.grow(Math.min(capacity, s.rows.length * 2), off);
      slots = s;
    }
    lastChange = Math.max(insertTs, endTs == LIVE ? 0 : endTs);
    s.rows[off] = row;
    s.insert[off] = insertTs;
    s.end[off] = endTs;
    s.prev[off] = prev;
    if (endTs != LIVE) {
      ended++;
    }
    size = off + 1;
    return off;
  }

  /** Recovery: the place of a version compaction dropped, never visible. */
  void appendDropped() {
    append(null, LIVE, 0, -1);
    purged++;
  }

  /** Ends the version at {@code offset} at commit timestamp {@code ts} (writer only). */
  void end(int offset, long ts) {
    lastChange = ts;
    slots.end[offset] = ts;
    ended++;
  }

  /** Drops an ended version no snapshot can see any more (compactor, under the commit lock). */
  void purge(int offset) {
    Slots s = slots;
    if (s.rows[offset] != null) {
      s.rows[offset] = null;
      purged++;
    }
  }

  /**
   * The offsets below which every version is durable: committed at or before {@code visibleTs}
   * (the newest published commit), or a dropped version recovery kept the place of. Versions are
   * appended in commit order, so the versions of commits not yet durable form the tail.
   */
  int durablePrefix(long visibleTs) {
    int n = size;
    Slots s = slots;
    while (n > 0 && s.insert[n - 1] > visibleTs && s.insert[n - 1] != LIVE) {
      n--;
    }
    return n;
  }

  /** Whether the version at {@code offset} is visible at snapshot {@code ts}. */
  static boolean visible(Slots s, int offset, long ts) {
    return s.insert[offset] <= ts && ts < s.end[offset];
  }

  /**
   * The offsets visible at snapshot {@code ts}. The bitmap is shared and must not be modified; it
   * is cached and reused while the segment does not change.
   */
  RoaringBitmap visible(long ts) {
    long changed = lastChange;
    Visible v = cached;
    if (v != null && v.since == changed && ts >= changed) {
      return v.bitmap;
    }
    int n = size;
    Slots s = slots;
    RoaringBitmap b = new RoaringBitmap();
    int runStart = -1;
    for (int i = 0; i < n; i++) {
      if (visible(s, i, ts)) {
        if (runStart < 0) {
          runStart = i;
        }
      } else if (runStart >= 0) {
        b.add((long) runStart, (long) i);
        runStart = -1;
      }
    }
    if (runStart >= 0) {
      b.add((long) runStart, (long) n);
    }
    b.runOptimize();
    if (ts >= changed && changed == lastChange) {
      cached = new Visible(changed, b);
    }
    return b;
  }
}
