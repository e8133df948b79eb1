package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.storage.CatalogView;
import java.util.List;

/**
 * A plan whose execution turns a stack overflow into PostgreSQL's 54001, so that an expression
 * deeper than the statement thread's stack fails that statement alone: the session, its
 * transaction rules and the connection carry on. The planner's depth limits make this a last
 * resort; it covers running the plan and pulling its rows.
 */
final class StackGuardedQuery implements PreparedQuery {
  private final PreparedQuery plan;

  private StackGuardedQuery(PreparedQuery plan) {
    this.plan = plan;
  }

  static PreparedQuery of(PreparedQuery plan) {
    return plan instanceof StackGuardedQuery ? plan : new StackGuardedQuery(plan);
  }

  static QuiverException overflow() {
    return QuiverException.stackDepthExceeded("The statement nests too deeply for the server's"
        + " stack; simplify it.");
  }

  @Override
  public List<ColumnType> parameterTypes() {
    return plan.parameterTypes();
  }

  @Override
  public List<ResultColumn> columns() {
    return plan.columns();
  }

  @Override
  public boolean isValid(CatalogView catalog) {
    return plan.isValid(catalog);
  }

  @Override
  public boolean isBounded() {
    return plan.isBounded();
  }

  @Override
  public QueryResult execute(Object[] parameters, SessionContext session) {
    QueryResult result;
    try {
      result = plan.execute(parameters, session);
    } catch (StackOverflowError e) {
      throw overflow();
    }
    return new QueryResult() {
      @Override
      public Object[] next() {
        try {
          return result.next();
        } catch (StackOverflowError e) {
          throw overflow();
        }
      }

      @Override
      public String commandTag() {
        return result.commandTag();
      }

      @Override
      public void close() {
        result.close();
      }
    };
  }
}
