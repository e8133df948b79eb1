package io.quiverdb.storage;

/**
 * Settings of the storage engine.
 *
 * @param syncWrites whether a commit fsyncs the write-ahead log before returning (DDL always does)
 */
public record StorageConfig(boolean syncWrites) {
  public static final StorageConfig DEFAULT = new StorageConfig(true);
}
