package io.quiverdb.planner.calcite;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.validate.SqlAbstractConformance;
import org.apache.calcite.sql.validate.SqlConformance;
import org.apache.calcite.sql.validate.SqlValidatorCatalogReader;
import org.apache.calcite.sql.validate.SqlValidatorImpl;
import org.apache.calcite.sql.validate.SqlValidatorScope;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.config.NullCollation;

/**
 * Calcite's validator with PostgreSQL's rules where they differ (GROUP BY and ORDER BY by alias or
 * ordinal, {@code %}, nulls sort high), and its errors turned into PostgreSQL's messages and
 * SQLSTATEs ({@link #translate}); it ticks the statement's {@link PlanningBudget} per type it
 * derives.
 */
public final class QuiverValidator extends SqlValidatorImpl {
  /** PostgreSQL's conformance: there is no PG entry in Calcite's SqlConformanceEnum. */
  static final SqlConformance POSTGRES = new SqlAbstractConformance() {
    @Override
    public boolean isGroupByAlias() {
      return true;
    }

    @Override
    public boolean isGroupByOrdinal() {
      return true;
    }

    @Override
    public boolean isHavingAlias() {
      return true;
    }

    @Override
    public boolean isSortByAlias() {
      return true;
    }

    @Override
    public boolean isSortByOrdinal() {
      return true;
    }

    @Override
    public boolean isPercentRemainderAllowed() {
      return true;
    }

    @Override
    public boolean allowNiladicParentheses() {
      return true;
    }

    @Override
    public boolean isFromRequired() {
      return false;
    }
  };

  static final Config CONFIG = Config.DEFAULT
      .withIdentifierExpansion(true)
      .withDefaultNullCollation(NullCollation.HIGH)
      .withConformance(POSTGRES);

  private final PlanningBudget budget;

  public QuiverValidator(SqlOperatorTable operators, SqlValidatorCatalogReader catalogReader,
      RelDataTypeFactory typeFactory, PlanningBudget budget) {
    super(operators, catalogReader, typeFactory, CONFIG);
    this.budget = budget;
  }

  /** Every expression's type is derived here: the validator's loop to tick the budget in. */
  @Override
  public RelDataType deriveType(SqlValidatorScope scope, SqlNode expr) {
    budget.tick();
    return super.deriveType(scope, expr);
  }

  private record Rule(Pattern pattern, SqlState state, String format) {}

  private static Rule rule(String regex, SqlState state, String format) {
    return new Rule(Pattern.compile(regex, Pattern.DOTALL), state, format);
  }

  /** Calcite's messages (their templates are in CalciteResource) in PostgreSQL's words. */
  private static final Rule[] RULES = {
      rule("Object '([^']*)' not found.*", SqlState.UNDEFINED_TABLE,
          "relation \"$1\" does not exist"),
      rule("Table '([^']*)' not found", SqlState.UNDEFINED_TABLE,
          "relation \"$1\" does not exist"),
      rule("Column '([^']*)' not found in any table", SqlState.UNDEFINED_COLUMN,
          "column \"$1\" does not exist"),
      rule("Column '([^']*)' not found in table '([^']*)'", SqlState.UNDEFINED_COLUMN,
          "column $2.$1 does not exist"),
      rule("Unknown target column '([^']*)'", SqlState.UNDEFINED_COLUMN,
          "column \"$1\" does not exist"),
      rule("Column '([^']*)' is ambiguous", SqlState.AMBIGUOUS_COLUMN,
          "column reference \"$1\" is ambiguous"),
      rule("Table '([^']*)' not found", SqlState.UNDEFINED_TABLE,
          "missing FROM-clause entry for table \"$1\""),
      rule("No match found for function signature (\\w+)\\((.*)\\)", SqlState.UNDEFINED_FUNCTION,
          "function $1($2) does not exist"),
      rule("Cannot apply '([^']*)' to arguments of type '(.*)'\\..*",
          SqlState.UNDEFINED_FUNCTION, "operator does not exist: $2"),
      rule("Expression '([^']*)' is not being grouped", SqlState.GROUPING_ERROR,
          "column \"$1\" must appear in the GROUP BY clause or be used in an aggregate function"),
      rule("Illegal use of dynamic parameter", SqlState.INDETERMINATE_DATATYPE,
          "could not determine data type of parameter"),
      rule("Cannot assign to target field '([^']*)' of type (.*) from source field '([^']*)' of "
          + "type (.*)", SqlState.DATATYPE_MISMATCH,
          "column \"$1\" is of type $2 but expression is of type $4"),
      rule("Aggregate expression is illegal in (.*) clause", SqlState.GROUPING_ERROR,
          "aggregate functions are not allowed in $1"),
  };

  /** A validation failure as the client should see it: PostgreSQL's message, code and position. */
  public static QuiverException translate(CalciteContextException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = cause.getMessage() == null ? e.getMessage() : cause.getMessage();
    int position = e.getPosLine() == 1 ? e.getPosColumn() : 0;
    for (Rule r : RULES) {
      Matcher m = r.pattern.matcher(message);
      if (m.matches()) {
        String text = m.replaceFirst(r.format);
        return new QuiverException(r.state, text.replace("`", "")).withPosition(position);
      }
    }
    SqlState state = message.contains("type") ? SqlState.DATATYPE_MISMATCH
        : SqlState.SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION;
    return new QuiverException(state, message).withPosition(position);
  }
}
