package io.quiverdb.planner;

/**
 * The planner's settings.
 *
 * @param maxPlanningMillis how long planning one statement may take before it fails with 54001
 *     (statement_timeout and CancelRequest stop it earlier); 0 for no limit
 */
public record PlannerConfig(long maxPlanningMillis) {
  /** Planning a statement of the deepest nesting the parser accepts takes well under a second. */
  public static final PlannerConfig DEFAULT = new PlannerConfig(10_000);

  public PlannerConfig {
    if (maxPlanningMillis < 0) {
      throw new IllegalArgumentException(
          "max_planning_time must be >= 0, not " + maxPlanningMillis);
    }
  }
}
