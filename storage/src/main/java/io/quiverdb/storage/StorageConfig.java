package io.quiverdb.storage;

/**
 * Settings of the storage engine.
 *
 * @param syncWrites whether a commit fsyncs the write-ahead log before it is acknowledged (only
 *     tests of non-durability behaviour turn this off)
 * @param segmentRows row versions per segment; a full segment is sealed
 * @param retentionMicros how long ended versions are kept for time travel and the change log
 * @param compactionIntervalMillis how often background compaction runs; 0 turns it off
 */
public record StorageConfig(
    boolean syncWrites, int segmentRows, long retentionMicros, long compactionIntervalMillis) {
  public static final long DEFAULT_RETENTION_MICROS = 24L * 3600 * 1_000_000;
  public static final StorageConfig DEFAULT =
      new StorageConfig(true, 1 << 20, DEFAULT_RETENTION_MICROS, 60_000);

  public StorageConfig {
    if (segmentRows < 1) {
      throw new IllegalArgumentException("segment rows must be at least 1: " + segmentRows);
    }
    if (retentionMicros < 0 || compactionIntervalMillis < 0) {
      throw new IllegalArgumentException("retention and compaction interval must not be negative");
    }
  }

  /** The default compaction interval for a retention: a tenth of it, between 1 s and 60 s. */
  public static long compactionIntervalFor(long retentionMicros) {
    return Math.max(1000, Math.min(60_000, retentionMicros / 10_000));
  }

  public StorageConfig withSegmentRows(int rows) {
    return new StorageConfig(syncWrites, rows, retentionMicros, compactionIntervalMillis);
  }

  public StorageConfig withRetention(long micros, long intervalMillis) {
    return new StorageConfig(syncWrites, segmentRows, micros, intervalMillis);
  }
}
