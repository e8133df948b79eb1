package io.quiverdb.storage.rocks;

import java.nio.charset.StandardCharsets;

/** The column families of a QuiverDB data directory and what each holds. */
public enum Family {
  /** RocksDB's {@code default} family: store metadata such as the on-disk format version. */
  META("default"),
  /** Table definitions and the catalog's counters (next table id, catalog version). */
  CATALOG("catalog"),
  /** Row data: key = 8-byte big-endian table id + memcomparable key, value = encoded row. */
  ROWS("rows");

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
