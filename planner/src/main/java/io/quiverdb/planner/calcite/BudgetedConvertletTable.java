package io.quiverdb.planner.calcite;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql2rel.SqlRexConvertlet;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;

/**
 * Calcite's convertlets, looked up once per call the converter turns into a RexNode, ticking the
 * statement's {@link PlanningBudget} each time: SqlToRelConverter has no cancellation of its own.
 */
public final class BudgetedConvertletTable implements SqlRexConvertletTable {
  private final SqlRexConvertletTable convertlets;
  private final PlanningBudget budget;

  public BudgetedConvertletTable(SqlRexConvertletTable convertlets, PlanningBudget budget) {
    this.convertlets = convertlets;
    this.budget = budget;
  }

  @Override
  public SqlRexConvertlet get(SqlCall call) {
    budget.tick();
    return convertlets.get(call);
  }
}
