package io.quiverdb.storage;

/**
 * What one segment holds, for the {@code quiver_segments} view: its versions, how many are live
 * (not ended), dead (ended, kept for snapshots and the retention window) and dropped by
 * compaction, and the approximate bytes of its rows on disk.
 */
public record SegmentStats(
    TableDef table, int segment, boolean sealed, long versions, long live, long dead,
    long reclaimed, long bytes) {}
