package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses a commit, cleanly and before anything of it is applied, when the data directory's file
 * system would be left with less free space than the reserve: RocksDB needs that room to finish
 * what it already accepted (write-ahead log, memtable flushes, compactions), and a write it cannot
 * finish leaves commits in doubt. Writes resume by themselves once space returns; reads never
 * depend on it.
 *
 * <p>The free space is read from the file system at most every {@value #REFRESH_NANOS} ns and in
 * between reduced by what commits wrote, so a commit costs no system call. Used under the commit
 * lock.
 */
final class DiskGuard {
  private static final long REFRESH_NANOS = 20_000_000;
  private static final long MIN_RESERVE = 16L << 20;
  private static final long MAX_RESERVE = 1L << 30;

  private final Path dir;
  private final FileStore fileStore;
  private final long reserve;
  private long free;
  private long readAt;

  DiskGuard(Path dir, long configuredReserve) {
    this.dir = dir;
    FileStore fs;
    try {
      fs = Files.getFileStore(dir);
    } catch (IOException e) {
      fs = null; // no file store to ask: the guard stays open and RocksDB reports a full disk
    }
    this.fileStore = fs;
    long total = 0;
    try {
      total = fs == null ? 0 : fs.getTotalSpace();
    } catch (IOException ignored) {
      // unknown size: the minimum reserve
    }
    this.reserve = configuredReserve >= 0 ? configuredReserve
        : Math.max(MIN_RESERVE, Math.min(MAX_RESERVE, total / 20));
  }

  long reserve() {
    return reserve;
  }

  /**
   * Throws 53100 when writing about {@code bytes} more would leave less than the reserve free;
   * otherwise counts them as written.
   */
  void check(long bytes) {
    if (fileStore == null) {
      return;
    }
    // what RocksDB writes for a commit: the batch into the WAL, later the same again as a table
    long needed = 2 * bytes;
    long now = System.nanoTime();
    // a refusal is always decided on a fresh reading: space freed a moment ago counts
    if (now - readAt > REFRESH_NANOS || free - needed < reserve) {
      try {
        free = fileStore.getUsableSpace();
      } catch (IOException e) {
        return;
      }
      readAt = now;
    }
    if (free - needed < reserve) {
      throw new QuiverException(SqlState.DISK_FULL,
          "could not write to the data directory \"" + dir + "\": No space left on device",
          String.format("%d MB free, the commit needs about %d MB and %d MB are kept in reserve.",
              free >> 20, Math.max(1, needed >> 20), reserve >> 20),
          "Free disk space; writes resume as soon as there is room.", 0);
    }
    free -= needed;
  }
}
