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

  /**
   * True when running it is known to take bounded time and never to wait: its plan is made and
   * valid, it reads a bounded number of rows (a primary key lookup, constants) and writes
   * nothing. The frontend may then run it on the connection's event loop, saving the hand-offs
   * to and from a statement thread. False when in doubt.
   */
  default boolean isBounded() {
    return false;
  }
}
