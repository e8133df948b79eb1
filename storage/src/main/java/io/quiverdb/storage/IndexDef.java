package io.quiverdb.storage;

import io.quiverdb.common.vector.Metric;

/**
 * A vector index as the catalog stores it, inside its table's definition: its id (from the same
 * counter as table ids, so it can serve as an OID), name, the indexed column, the metric its
 * operator class ranks by, and the HNSW build parameters.
 */
public record IndexDef(
    long id, String name, int column, Metric metric, int m, int efConstruction) {

  /** pgvector's defaults and limits. */
  public static final int DEFAULT_M = 16;
  public static final int DEFAULT_EF_CONSTRUCTION = 64;
  public static final int MIN_M = 2;
  public static final int MAX_M = 100;
  public static final int MIN_EF_CONSTRUCTION = 4;
  public static final int MAX_EF_CONSTRUCTION = 1000;

  public IndexDef {
    if (name == null || name.isEmpty() || metric == null || column < 0) {
      throw new IllegalArgumentException("bad index definition " + name);
    }
  }

  public int oid() {
    return (int) id;
  }
}
