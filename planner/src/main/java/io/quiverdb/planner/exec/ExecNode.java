package io.quiverdb.planner.exec;

import java.util.List;

/**
 * A physical operator of an immutable plan: built once when a statement is planned, opened once
 * per execution. Operators pull rows from their inputs.
 */
public interface ExecNode {
  RowIterator open(ExecContext ctx);

  /** The operator and its arguments, one line, for EXPLAIN. */
  String describe();

  List<ExecNode> inputs();
}
