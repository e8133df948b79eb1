package io.quiverdb.planner.calcite;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;

/**
 * A Hep planner that ticks the statement's {@link PlanningBudget} before each rule it fires and
 * whenever it checks for cancellation ({@code RelOptPlanner.checkCancel}, which Calcite 1.42's
 * HepPlanner itself never calls; its Volcano planner does, per rule match).
 */
public final class BudgetedHepPlanner extends HepPlanner {
  private final PlanningBudget budget;

  public BudgetedHepPlanner(HepProgram program, PlanningBudget budget) {
    super(program);
    this.budget = budget;
  }

  @Override
  protected void fireRule(RelOptRuleCall ruleCall) {
    budget.tick();
    super.fireRule(ruleCall);
  }

  @Override
  public void checkCancel() {
    budget.tick();
    super.checkCancel();
  }
}
