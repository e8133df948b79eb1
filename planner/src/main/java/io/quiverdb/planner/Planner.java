package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.calcite.PlanningBudget;
import io.quiverdb.sql.ast.QualifiedName;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.calcite.runtime.CalciteContextException;

/**
 * Plans statements. DDL runs straight against the catalog and {@code INSERT … VALUES} straight
 * against storage; queries, UPDATE and DELETE go through Calcite ({@link CalcitePlanner}) and run on
 * our executor. Plans are immutable and shared; the server caches them.
 *
 * <p>Planning stops on the session's cancel token and after the configured maximum planning time
 * ({@link PlannerConfig}); a stack overflow in planning or execution fails the statement with
 * 54001, and any other internal failure with XX000 and a generic message (the details go to the
 * log under the id the message names).
 */
public final class Planner {
  private static final Logger LOG = Logger.getLogger(Planner.class.getName());

  static {
    // Calcite reads these once, when its classes load: string literals are Unicode, not Latin-1.
    System.setProperty("calcite.default.charset", "UTF-8");
    System.setProperty("calcite.default.nationalcharset", "UTF-8");
    System.setProperty("calcite.default.collation.name", "UTF-8$en_US");
  }

  private final Store store;
  private final PlannerConfig config;
  private final CalcitePlanner calcite;

  public Planner(Store store) {
    this(store, PlannerConfig.DEFAULT);
  }

  public Planner(Store store, PlannerConfig config) {
    this.store = store;
    this.config = config;
    this.calcite = new CalcitePlanner(store);
  }

  /**
   * Plans one statement.
   *
   * @param declared the client's declared parameter types ($1 first); null or UNKNOWN entries
   *     are inferred from context
   * @throws QuiverException with PostgreSQL's SQLSTATE and, where known, the error position
   */
  public PreparedQuery prepare(ParsedStatement parsed, List<ColumnType> declared,
      SessionContext session) {
    PlanningBudget budget = new PlanningBudget(session == null ? null : session.cancelToken(),
        config.maxPlanningMillis() * 1_000_000L);
    try {
      return StackGuardedQuery.of(plan(parsed.statement(), declared, session, budget));
    } catch (QuiverException e) {
      throw e;
    } catch (CalciteContextException e) {
      throw io.quiverdb.planner.calcite.QuiverValidator.translate(e);
    } catch (StackOverflowError e) {
      throw StackGuardedQuery.overflow();
    } catch (RuntimeException | AssertionError e) {
      throw QuiverException.internal("planning failed: " + parsed.text(), e);
    }
  }

  private PreparedQuery plan(Statement s, List<ColumnType> declared, SessionContext session,
      PlanningBudget budget) {
    if (s instanceof Statement.CreateTable || s instanceof Statement.DropTable
        || s instanceof Statement.CreateIndex || s instanceof Statement.DropIndex) {
      return new DdlPlan(store, s);
    }
    CatalogView catalog = session == null ? store.catalog() : session.catalog();
    if (s instanceof Statement.Insert insert) {
      return InsertPlan.prepare(store, catalog, insert, declared, budget);
    }
    if (s instanceof Statement.QueryStatement || s instanceof Statement.Update
        || s instanceof Statement.Delete) {
      return calcite.prepare(s, declared, catalog, budget);
    }
    if (s instanceof Statement.Explain explain) {
      return new ExplainPlan(plan(explain.statement(), declared, session, budget),
          explain.analyze());
    }
    throw QuiverException.notSupported(statementName(s)).withPosition(s.pos().errorPosition());
  }

  /**
   * Plans and runs one statement without a store, so that the first client does not pay for
   * loading Calcite's classes. Needs no data, so it can run while the store recovers.
   */
  public static void warmUp() {
    long start = System.nanoTime();
    try {
      new CalcitePlanner(null).warmUp();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "planner warm-up failed", e);
    }
    LOG.fine(() -> "planner warm-up took " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  /** The schema a name refers to: only {@code public} exists yet. */
  static String schemaOf(QualifiedName name) {
    String schema = name.schema();
    if (schema != null && !schema.equals("public")) {
      throw new QuiverException(SqlState.INVALID_SCHEMA_NAME,
          "schema \"" + schema + "\" does not exist").withPosition(name.pos().errorPosition());
    }
    return "public";
  }

  static TableDef resolveTable(CatalogView catalog, QualifiedName name) {
    return catalog.table(schemaOf(name), name.name()).orElseThrow(() ->
        new QuiverException(SqlState.UNDEFINED_TABLE,
            "relation \"" + name + "\" does not exist").withPosition(
                name.pos().errorPosition()));
  }

  static String statementName(Statement s) {
    return s.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2")
        .toUpperCase(java.util.Locale.ROOT);
  }

  static ColumnType textIfUnknown(ColumnType t) {
    return t == null || t.type() == PgType.UNKNOWN ? ColumnType.TEXT : t;
  }
}
