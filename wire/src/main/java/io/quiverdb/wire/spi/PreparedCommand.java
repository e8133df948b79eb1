package io.quiverdb.wire.spi;

import io.quiverdb.common.types.ColumnType;
import java.util.List;

/** A parsed statement ready to be described and executed, possibly many times. */
public interface PreparedCommand {
  /** True for an empty statement (EmptyQueryResponse instead of CommandComplete). */
  boolean isEmpty();

  /** Types of {@code $1..$n}, inferred where the client left them unspecified; may plan. */
  List<ColumnType> parameterTypes();

  /** The columns of the rows it returns, or null when it returns none (NoData); may plan. */
  List<Field> fields();
}
