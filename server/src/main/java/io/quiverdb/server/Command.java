package io.quiverdb.server;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.planner.PreparedQuery;
import io.quiverdb.planner.ResultColumn;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.PreparedCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * One statement a session will run: either a session statement (SET, SHOW, BEGIN, …) the session
 * answers itself, or a statement planned by the planner. The plan is made on first use and kept in
 * the shared {@link PlanCache} slot, and made again when DDL has made it stale.
 */
final class Command implements PreparedCommand {
  private final ServerSession session;
  private final ParsedStatement parsed;
  private final List<ColumnType> declaredTypes;
  private final PlanCache.Entry cacheEntry;
  private final int index;

  Command(ServerSession session, PlanCache.Entry cacheEntry, int index,
      List<ColumnType> declaredTypes) {
    this.session = session;
    this.cacheEntry = cacheEntry;
    this.index = index;
    this.parsed = cacheEntry == null ? null : cacheEntry.statements().get(index);
    this.declaredTypes = declaredTypes;
  }

  /** An empty statement (an empty Parse). */
  static Command empty(ServerSession session) {
    return new Command(session, null, 0, List.of());
  }

  @Override
  public boolean isEmpty() {
    return parsed == null || parsed.statement() instanceof Statement.Empty;
  }

  ParsedStatement parsed() {
    return parsed;
  }

  Statement statement() {
    return parsed == null ? null : parsed.statement();
  }

  /** True when the session itself answers this statement, without the planner. */
  boolean isSessionStatement() {
    Statement s = statement();
    return s instanceof Statement.SetVariable || s instanceof Statement.Show
        || s instanceof Statement.Reset || s instanceof Statement.Transaction
        || s instanceof Statement.CreateExtension || s instanceof Statement.Empty
        || s instanceof Statement.Copy;
  }

  @Override
  public List<ColumnType> parameterTypes() {
    if (isEmpty() || isSessionStatement()) {
      return List.of();
    }
    return plan().parameterTypes();
  }

  @Override
  public List<Field> fields() {
    if (isEmpty()) {
      return null;
    }
    if (isSessionStatement()) {
      return session.sessionStatementFields(statement());
    }
    return toFields(plan().columns());
  }

  /**
   * True when the plan is made, valid, bounded (see {@link PreparedQuery#isBounded}) and the
   * statement is a query: running it takes bounded time and waits for nothing.
   */
  @Override
  public boolean isBounded() {
    if (isEmpty() || isSessionStatement()
        || !(statement() instanceof Statement.QueryStatement)) {
      return false;
    }
    Object cached = cacheEntry.plans().get(index);
    return cached instanceof PreparedQuery q && q.isValid(session.catalog()) && q.isBounded();
  }

  /** The current plan, made (or made again, when stale) through the planner. */
  PreparedQuery plan() {
    Object cached = cacheEntry.plans().get(index);
    if (cached instanceof PreparedQuery q && q.isValid(session.catalog())) {
      return q;
    }
    PreparedQuery fresh = session.planner().prepare(parsed, declaredTypes, session);
    cacheEntry.plans().set(index, fresh);
    return fresh;
  }

  static List<Field> toFields(List<ResultColumn> columns) {
    if (columns == null) {
      return null;
    }
    List<Field> fields = new ArrayList<>(columns.size());
    for (ResultColumn c : columns) {
      fields.add(new Field(c.name(), c.tableOid(), c.columnNumber(), c.type()));
    }
    return fields;
  }
}
