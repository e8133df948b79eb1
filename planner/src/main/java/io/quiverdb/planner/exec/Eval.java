package io.quiverdb.planner.exec;

/** A compiled scalar expression: evaluated against one row in one execution. */
@FunctionalInterface
public interface Eval {
  Object eval(Object[] row, ExecContext ctx);
}
