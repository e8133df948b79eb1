package io.quiverdb.storage;

import io.quiverdb.common.FaultPoints;

/**
 * Settings of the storage engine.
 *
 * @param syncWrites whether a commit fsyncs the write-ahead log before it is acknowledged (only
 *     tests of non-durability behaviour turn this off)
 * @param segmentRows row versions per segment; a full segment is sealed
 * @param retentionMicros how long ended versions are kept for time travel and the change log
 * @param compactionIntervalMillis how often background compaction runs; 0 turns it off
 * @param diskReserveBytes free space on the data directory's file system below which commits are
 *     refused with 53100 (so that RocksDB itself never runs out of room mid-write); -1 picks 5%
 *     of the file system, between 16 MiB and 1 GiB
 * @param faults test-only interruptions at named points ({@link FaultPoints#NONE} otherwise)
 */
public record StorageConfig(boolean syncWrites, int segmentRows, long retentionMicros,
    long compactionIntervalMillis, long diskReserveBytes, FaultPoints faults) {
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
    if (diskReserveBytes < -1) {
      throw new IllegalArgumentException("disk reserve must be -1 (automatic) or at least 0");
    }
    if (faults == null) {
      throw new IllegalArgumentException("faults must not be null (use FaultPoints.NONE)");
    }
  }

  /** The settings with the automatic disk reserve and no fault points. */
  public StorageConfig(boolean syncWrites, int segmentRows, long retentionMicros,
      long compactionIntervalMillis) {
    this(syncWrites, segmentRows, retentionMicros, compactionIntervalMillis, -1, FaultPoints.NONE);
  }

  /** The default compaction interval for a retention: a tenth of it, between 1 s and 60 s. */
  public static long compactionIntervalFor(long retentionMicros) {
    return Math.max(1000, Math.min(60_000, retentionMicros / 10_000));
  }

  public StorageConfig withSegmentRows(int rows) {
    return new StorageConfig(syncWrites, rows, retentionMicros, compactionIntervalMillis,
        diskReserveBytes, faults);
  }

  public StorageConfig withRetention(long micros, long intervalMillis) {
    return new StorageConfig(syncWrites, segmentRows, micros, intervalMillis, diskReserveBytes,
        faults);
  }

  public StorageConfig withDiskReserve(long bytes) {
    return new StorageConfig(syncWrites, segmentRows, retentionMicros, compactionIntervalMillis,
        bytes, faults);
  }

  public StorageConfig withFaults(FaultPoints points) {
    return new StorageConfig(syncWrites, segmentRows, retentionMicros, compactionIntervalMillis,
        diskReserveBytes, points);
  }
}
