package io.quiverdb.storage.rocks;

import java.nio.charset.StandardCharsets;

/** The column families of a QuiverDB data directory and what each holds. */
public enum Family {
  /** RocksDB's {@code default} family: store metadata such as the on-disk format version. */
  META("default"),
  /** Table definitions and the catalog's counters (next table id, catalog version). */
  CATALOG("catalog"),
  /**
   * Row versions: key = table id (8) + segment id (4) + offset (4) → insert timestamp (8) + the
   * encoded row; the same key + one byte 'e' → the end timestamp (8) of an ended version.
   */
  ROWS("rows"),
  /** The change log: key = LSN (8) + change index (4) → one row change (see ChangeRecord). */
  LOG("changelog"),
  /**
   * Persisted vector index graphs, a cache of what the rows determine: key = index id (8) +
   * segment id (4) + kind (1) [+ chunk (4)] (see SegmentGraphCodec). Ingested as table files,
   * bypassing the WAL; losing it costs a rebuild, never data.
   */
  INDEX("index");

  private final String cfName;

  Family(String cfName) {
    this.cfName = cfName;
  }

  /** The column family's name inside RocksDB. */
  public String cfName() {
    return cfName;
  }

  byte[] nameBytes() {
    return cfName.getBytes(StandardCharsets.UTF_8);
  }
}
