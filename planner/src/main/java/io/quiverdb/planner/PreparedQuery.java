package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.storage.CatalogView;
import java.util.List;

/**
 * A planned statement: immutable, shared by every session that runs the same text, executed many
 * times with different parameters.
 */
public interface PreparedQuery {
  /** The types of {@code $1..$n}: as declared by the client, else inferred from context. */
  List<ColumnType> parameterTypes();

  /** The result columns, or null when the statement returns no rows. */
  List<ResultColumn> columns();

  /** Runs the statement; parameter values are engine values of {@link #parameterTypes()}. */
  QueryResult execute(Object[] parameters, SessionContext session);

  /** False once DDL changed the catalog this plan was made against: plan again. */
  boolean isValid(CatalogView catalog);

  /**
   * True when an execution reads a bounded number of rows and writes nothing: a query over
   * primary key lookups and constants, whatever its parameters.
   */
  default boolean isBounded() {
    return false;
  }
}
