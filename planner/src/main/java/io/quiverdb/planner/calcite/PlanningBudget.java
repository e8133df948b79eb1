package io.quiverdb.planner.calcite;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;

/**
 * What planning one statement may spend: it stops when the session's statement is cancelled
 * (57014) or when planning has run longer than the server allows (54001). Every stage ticks it
 * from its loops (the AST converter per expression, the validator per type derivation, the
 * converter per call, the rule planner per rule, the expression compiler per node); one tick in
 * 1024 reads the token and the clock, so a tick costs an increment. Not shared between threads.
 */
public final class PlanningBudget {
  /** A budget that never stops planning, for work outside any session. */
  public static PlanningBudget unlimited() {
    return new PlanningBudget(CancelToken.NONE, 0);
  }

  private final CancelToken cancel;
  private final long maxNanos;
  private final long start = System.nanoTime();
  private int ticks;

  /** @param maxNanos how long planning may take; 0 for no limit beyond the cancel token */
  public PlanningBudget(CancelToken cancel, long maxNanos) {
    this.cancel = cancel == null ? CancelToken.NONE : cancel;
    this.maxNanos = maxNanos;
  }

  /**
   * Called from planning loops.
   *
   * @throws QuiverException 57014 when the statement was cancelled, 54001 when planning has used
   *     up its time
   */
  public void tick() {
    if ((++ticks & 1023) == 0) {
      check();
    }
  }

  /** Checks now, whatever the tick count. */
  public void check() {
    cancel.check();
    if (maxNanos > 0 && System.nanoTime() - start > maxNanos) {
      long ms = maxNanos / 1_000_000;
      throw new QuiverException(SqlState.STATEMENT_TOO_COMPLEX,
          "statement too complex to plan in " + ms + " ms", null,
          "The server plans a statement for at most " + ms + " ms (max_planning_time);"
              + " simplify the statement.", 0);
    }
  }
}
