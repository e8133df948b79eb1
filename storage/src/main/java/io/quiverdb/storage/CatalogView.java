package io.quiverdb.storage;

import java.util.List;
import java.util.Optional;

/**
 * The tables as one reader sees them: the committed catalog, or a transaction's own picture that
 * includes its uncommitted DDL. Immutable.
 */
public interface CatalogView {
  /** The table named {@code name} in {@code schema} (exact, case-sensitive match). */
  Optional<TableDef> table(String schema, String name);

  Optional<TableDef> tableById(long id);

  /** All tables, sorted by schema, then name. */
  List<TableDef> tables();

  /**
   * Identifies this picture of the catalog: it changes with every DDL. Committed catalogs count up
   * from 1 (also across restarts); a transaction's private picture has a negative number of its
   * own, so plans made against it are never reused by anyone else.
   */
  long version();
}
