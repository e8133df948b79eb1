package io.quiverdb.sql.parser;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Pos;
import io.quiverdb.sql.ast.QualifiedName;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.ast.TypeName;
import io.quiverdb.sql.parser.QuiverSqlParser.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds our AST from ANTLR's parse tree: identifiers folded to lower case unless quoted, type
 * names normalised, string escapes resolved, every node positioned in the whole input. {@code
 * DEFAULT} in a VALUES row becomes NULL (columns have no defaults yet). Operator chains are
 * walked once, child by child (ANTLR's {@code ctx.expr(i)} scans the children from the start), and
 * AND and OR chains become balanced trees, so that 50,000 ORs nest 16 levels deep.
 */
final class AstBuilder {
  private final CharStream chars;
  private final io.quiverdb.common.CancelToken cancel;
  private int exprs;

  AstBuilder(CharStream chars, io.quiverdb.common.CancelToken cancel) {
    this.chars = chars;
    this.cancel = cancel;
  }

  private static Pos pos(Token t) {
    return new Pos(t.getStartIndex(), t.getLine(), t.getCharPositionInLine() + 1);
  }

  private static Pos pos(ParserRuleContext ctx) {
    return pos(ctx.getStart());
  }

  private static Pos pos(TerminalNode node) {
    return pos(node.getSymbol());
  }

  private static QuiverException unsupported(String feature, ParserRuleContext ctx) {
    return QuiverException.notSupported(feature).withPosition(pos(ctx).errorPosition());
  }

  // ---------------------------------------------------------------- statements

  Statement statement(StatementContext ctx) {
    if (ctx.selectStatement() != null) {
      return new Statement.QueryStatement(query(ctx.selectStatement()), pos(ctx));
    }
    if (ctx.insertStatement() != null) {
      return insert(ctx.insertStatement());
    }
    if (ctx.updateStatement() != null) {
      return update(ctx.updateStatement());
    }
    if (ctx.deleteStatement() != null) {
      return delete(ctx.deleteStatement());
    }
    if (ctx.createTableStatement() != null) {
      return createTable(ctx.createTableStatement());
    }
    if (ctx.dropTableStatement() != null) {
      DropTableStatementContext d = ctx.dropTableStatement();
      List<QualifiedName> names = new ArrayList<>();
      d.qualifiedName().forEach(q -> names.add(qualifiedName(q)));
      if (d.CASCADE() != null) {
        throw unsupported("DROP TABLE … CASCADE", d);
      }
      return new Statement.DropTable(names, d.EXISTS() != null, pos(d));
    }
    if (ctx.copyStatement() != null) {
      return copy(ctx.copyStatement());
    }
    if (ctx.createIndexStatement() != null) {
      return createIndex(ctx.createIndexStatement());
    }
    if (ctx.dropIndexStatement() != null) {
      DropIndexStatementContext d = ctx.dropIndexStatement();
      List<QualifiedName> names = new ArrayList<>();
      d.qualifiedName().forEach(q -> names.add(qualifiedName(q)));
      if (d.CASCADE() != null) {
        throw unsupported("DROP INDEX … CASCADE", d);
      }
      return new Statement.DropIndex(names, d.EXISTS() != null, pos(d));
    }
    if (ctx.createExtensionStatement() != null) {
      CreateExtensionStatementContext c = ctx.createExtensionStatement();
      String name = c.identifier().isEmpty() || c.STRING().size() > 0
          && c.STRING(0).getSymbol().getTokenIndex() < c.identifier(0).getStart().getTokenIndex()
          ? string(c.STRING(0).getText()) : identifier(c.identifier(0));
      return new Statement.CreateExtension(name, c.EXISTS() != null, pos(c));
    }
    if (ctx.transactionStatement() != null) {
      return transaction(ctx.transactionStatement());
    }
    if (ctx.setStatement() != null) {
      return set(ctx.setStatement());
    }
    if (ctx.showStatement() != null) {
      ShowStatementContext s = ctx.showStatement();
      String name = s.ZONE() != null ? "timezone" : s.ISOLATION() != null
          ? "transaction_isolation" : s.ALL() != null ? "all" : settingName(s.settingName());
      return new Statement.Show(name, pos(s));
    }
    if (ctx.resetStatement() != null) {
      ResetStatementContext r = ctx.resetStatement();
      String name = r.ZONE() != null ? "timezone" : r.ALL() != null ? "all"
          : settingName(r.settingName());
      return new Statement.Reset(name, pos(r));
    }
    ExplainStatementContext e = ctx.explainStatement();
    boolean analyze = e.ANALYZE() != null;
    boolean verbose = e.VERBOSE() != null;
    for (ExplainOptionContext o : e.explainOption()) {
      String option = o.anyWord(0).getText().toLowerCase(Locale.ROOT);
      String value = o.getChildCount() > 1 ? o.getChild(1).getText().toLowerCase(Locale.ROOT)
          : "true";
      boolean on = !value.equals("false") && !value.equals("off") && !value.equals("0");
      switch (option) {
        case "analyze", "analyse" -> analyze = on;
        case "verbose" -> verbose = on;
        case "costs", "buffers", "timing", "summary", "settings", "wal", "format" -> { }
        default -> throw new QuiverException(SqlState.SYNTAX_ERROR,
            "unrecognized EXPLAIN option \"" + option + "\"").withPosition(
                pos(o).errorPosition());
      }
    }
    return new Statement.Explain(statement(e.statement()), analyze, verbose, pos(e));
  }

  private Statement transaction(TransactionStatementContext ctx) {
    if (ctx instanceof BeginTransactionContext b) {
      String level = null;
      for (TransactionModeContext m : b.transactionMode()) {
        if (m.isolationLevel() != null) {
          level = words(m.isolationLevel());
        }
      }
      return new Statement.Transaction(Statement.TransactionKind.BEGIN, level, pos(ctx));
    }
    if (ctx instanceof CommitTransactionContext c) {
      if (c.CHAIN() != null && c.NO() == null) {
        throw unsupported("COMMIT AND CHAIN", c);
      }
      return new Statement.Transaction(Statement.TransactionKind.COMMIT, null, pos(ctx));
    }
    RollbackTransactionContext r = (RollbackTransactionContext) ctx;
    if (r.CHAIN() != null && r.NO() == null) {
      throw unsupported("ROLLBACK AND CHAIN", r);
    }
    return new Statement.Transaction(Statement.TransactionKind.ROLLBACK, null, pos(ctx));
  }

  private static String words(ParserRuleContext ctx) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < ctx.getChildCount(); i++) {
      words.add(ctx.getChild(i).getText().toLowerCase(Locale.ROOT));
    }
    return String.join(" ", words);
  }

  private Statement set(SetStatementContext ctx) {
    if (ctx instanceof SetTimeZoneContext tz) {
      boolean local = tz.LOCAL().size() > 0 && tz.LOCAL(0).getSymbol().getTokenIndex()
          < tz.TIME().getSymbol().getTokenIndex();
      List<String> values = tz.setValue() != null ? List.of(setValue(tz.setValue()))
          : tz.DEFAULT() != null ? List.of() : List.of("local");
      return new Statement.SetVariable("timezone", values, local, pos(ctx));
    }
    if (ctx instanceof SetVariableContext v) {
      List<String> values = new ArrayList<>();
      v.setValue().forEach(x -> values.add(setValue(x)));
      return new Statement.SetVariable(settingName(v.settingName()), values, v.LOCAL() != null,
          pos(ctx));
    }
    throw unsupported(ctx instanceof SetTransactionContext ? "SET TRANSACTION"
        : "SET SESSION CHARACTERISTICS", ctx);
  }

  private String setValue(SetValueContext ctx) {
    if (ctx.STRING() != null) {
      return string(ctx.STRING().getText());
    }
    if (ctx.anyWord() != null) {
      AnyWordContext w = ctx.anyWord();
      return w.identifier() != null ? identifier(w.identifier())
          : w.getText().toLowerCase(Locale.ROOT);
    }
    return ctx.getText();
  }

  private String settingName(SettingNameContext ctx) {
    List<String> parts = new ArrayList<>();
    ctx.identifier().forEach(i -> parts.add(identifier(i)));
    return String.join(".", parts);
  }

  private Statement copy(CopyStatementContext ctx) {
    boolean from = ctx.FROM() != null;
    String target = ctx.STRING() != null ? null
        : identifier(ctx.identifier()).toLowerCase(Locale.ROOT);
    if (!(from ? "stdin" : "stdout").equals(target)) {
      throw unsupported("COPY " + (from ? "FROM" : "TO") + " a file or program (use "
          + (from ? "STDIN" : "STDOUT") + ", or psql's \\copy)", ctx);
    }
    List<Statement.CopyOption> options = new ArrayList<>();
    for (CopyOptionContext o : ctx.copyOption()) {
      AnyWordContext w = o.anyWord();
      String name = (w.identifier() != null ? identifier(w.identifier()) : w.getText())
          .toLowerCase(Locale.ROOT);
      options.add(new Statement.CopyOption(name, o.copyValue() == null ? null
          : copyValue(o.copyValue()), pos(o)));
    }
    for (CopyLegacyOptionContext o : ctx.copyLegacyOption()) {
      String word = (o.identifier() != null ? identifier(o.identifier()) : o.getStart().getText())
          .toLowerCase(Locale.ROOT);
      String value = o.STRING() != null ? string(o.STRING().getText())
          : o.ESCAPE_STRING() != null ? escapeString(o.ESCAPE_STRING().getSymbol()) : null;
      boolean takesString = switch (word) {
        case "delimiter", "null", "quote", "escape" -> true;
        case "binary", "csv", "header" -> false;
        default -> throw new QuiverException(SqlState.SYNTAX_ERROR,
            "syntax error at or near \"" + o.getStart().getText() + "\"")
            .withPosition(pos(o).errorPosition());
      };
      if (takesString != (value != null)) {
        throw new QuiverException(SqlState.SYNTAX_ERROR, "syntax error at or near \""
            + o.getStop().getText() + "\"").withPosition(pos(o).errorPosition());
      }
      options.add(switch (word) {
        case "binary", "csv" -> new Statement.CopyOption("format", word, pos(o));
        case "header" -> new Statement.CopyOption("header", null, pos(o));
        default -> new Statement.CopyOption(word, value, pos(o));
      });
    }
    List<String> columns = new ArrayList<>();
    if (ctx.identifierList() != null) {
      ctx.identifierList().identifier().forEach(i -> columns.add(identifier(i)));
    }
    return new Statement.Copy(
        ctx.qualifiedName() == null ? null : qualifiedName(ctx.qualifiedName()), columns,
        ctx.selectStatement() == null ? null : query(ctx.selectStatement()), from, options,
        pos(ctx));
  }

  /** A COPY option's value as written; lists and {@code *} (FORCE_QUOTE) as their text. */
  private String copyValue(CopyValueContext ctx) {
    if (ctx.STRING() != null) {
      return string(ctx.STRING().getText());
    }
    if (ctx.ESCAPE_STRING() != null) {
      return escapeString(ctx.ESCAPE_STRING().getSymbol());
    }
    if (ctx.anyWord() != null) {
      AnyWordContext w = ctx.anyWord();
      return w.identifier() != null ? identifier(w.identifier())
          : w.getText().toLowerCase(Locale.ROOT);
    }
    return ctx.getText();
  }

  private Statement createIndex(CreateIndexStatementContext ctx) {
    if (ctx.UNIQUE() != null) {
      throw unsupported("CREATE UNIQUE INDEX", ctx);
    }
    if (ctx.WHERE() != null) {
      throw unsupported("partial indexes (CREATE INDEX … WHERE)", ctx);
    }
    if (ctx.indexElement().size() > 1) {
      throw unsupported("indexes on more than one column", ctx.indexElement(1));
    }
    IndexElementContext e = ctx.indexElement(0);
    String opclass = e.qualifiedName() == null ? null
        : qualifiedName(e.qualifiedName()).name();
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    for (IndexOptionContext o : ctx.indexOption()) {
      AnyWordContext w = o.anyWord();
      String key = w.identifier() != null ? identifier(w.identifier())
          : w.getText().toLowerCase(Locale.ROOT);
      options.put(key, o.setValue() == null ? "true" : setValue(o.setValue()));
    }
    String name = ctx.identifier().isEmpty() ? null : identifier(ctx.identifier(0));
    String method = ctx.USING() == null ? null : identifier(ctx.identifier(ctx.identifier().size() - 1));
    if (ctx.USING() != null && ctx.identifier().size() == 1) {
      name = null;
    }
    return new Statement.CreateIndex(name, ctx.EXISTS() != null, qualifiedName(ctx.qualifiedName()),
        method, identifier(e.identifier()), opclass, options, pos(ctx));
  }

  private Statement createTable(CreateTableStatementContext ctx) {
    List<Statement.ColumnDefinition> columns = new ArrayList<>();
    List<String> primaryKey = new ArrayList<>();
    for (TableElementContext e : ctx.tableElement()) {
      if (e.columnDefinition() != null) {
        columns.add(column(e.columnDefinition()));
        continue;
      }
      TableConstraintBodyContext c = e.tableConstraint().tableConstraintBody();
      if (c.PRIMARY() == null) {
        throw unsupported(c.UNIQUE() != null ? "UNIQUE constraints"
            : c.CHECK() != null ? "CHECK constraints" : "FOREIGN KEY constraints", c);
      }
      if (!primaryKey.isEmpty()) {
        throw new QuiverException(SqlState.INVALID_TABLE_DEFINITION,
            "multiple primary keys for table \"" + ctx.qualifiedName().getText()
                + "\" are not allowed").withPosition(pos(c).errorPosition());
      }
      primaryKey.addAll(identifiers(c.identifierList(0)));
    }
    return new Statement.CreateTable(qualifiedName(ctx.qualifiedName()), ctx.EXISTS() != null,
        columns, primaryKey, pos(ctx));
  }

  private Statement.ColumnDefinition column(ColumnDefinitionContext ctx) {
    boolean notNull = false;
    boolean primaryKey = false;
    Expr defaultValue = null;
    for (ColumnConstraintContext cc : ctx.columnConstraint()) {
      ColumnConstraintBodyContext c = cc.columnConstraintBody();
      if (c.PRIMARY() != null) {
        primaryKey = true;
      } else if (c.NOT() != null) {
        notNull = true;
      } else if (c.DEFAULT() != null) {
        defaultValue = other(c.otherExpr());
      } else if (c.NULL() == null) {
        throw unsupported(c.UNIQUE() != null ? "UNIQUE constraints"
            : c.CHECK() != null ? "CHECK constraints" : "REFERENCES constraints", c);
      }
    }
    return new Statement.ColumnDefinition(identifier(ctx.identifier()), typeName(ctx.typeName()),
        notNull, primaryKey, defaultValue, pos(ctx));
  }

  private Statement insert(InsertStatementContext ctx) {
    List<String> columns = ctx.identifierList() == null ? List.of()
        : identifiers(ctx.identifierList());
    Query source;
    if (ctx.selectStatement() != null) {
      source = query(ctx.selectStatement());
    } else {
      throw unsupported("INSERT … DEFAULT VALUES", ctx);
    }
    Statement.OnConflict onConflict = null;
    if (ctx.onConflict() != null) {
      OnConflictContext oc = ctx.onConflict();
      List<Statement.Assignment> assignments = new ArrayList<>();
      oc.assignment().forEach(a -> assignments.add(assignment(a)));
      onConflict = new Statement.OnConflict(
          oc.identifierList() == null ? List.of() : identifiers(oc.identifierList()),
          oc.NOTHING() != null, assignments, oc.expr() == null ? null : expr(oc.expr()), pos(oc));
    }
    return new Statement.Insert(qualifiedName(ctx.qualifiedName()), columns, source, onConflict,
        returning(ctx.returning()), pos(ctx));
  }

  private List<Query.SelectItem> returning(ReturningContext ctx) {
    List<Query.SelectItem> items = new ArrayList<>();
    if (ctx != null) {
      ctx.selectItem().forEach(i -> items.add(selectItem(i)));
    }
    return items;
  }

  private Statement.Assignment assignment(AssignmentContext ctx) {
    Expr value = ctx.expr() == null ? new Expr.Literal(Expr.LiteralKind.NULL, null, pos(ctx))
        : expr(ctx.expr());
    return new Statement.Assignment(identifier(ctx.identifier()), value, pos(ctx));
  }

  private Statement update(UpdateStatementContext ctx) {
    List<Statement.Assignment> assignments = new ArrayList<>();
    ctx.assignment().forEach(a -> assignments.add(assignment(a)));
    return new Statement.Update(qualifiedName(ctx.qualifiedName()),
        ctx.identifier() == null ? null : identifier(ctx.identifier()), assignments,
        ctx.expr() == null ? null : expr(ctx.expr()), returning(ctx.returning()), pos(ctx));
  }

  private Statement delete(DeleteStatementContext ctx) {
    return new Statement.Delete(qualifiedName(ctx.qualifiedName()),
        ctx.identifier() == null ? null : identifier(ctx.identifier()),
        ctx.expr() == null ? null : expr(ctx.expr()), returning(ctx.returning()), pos(ctx));
  }

  // ---------------------------------------------------------------- queries

  Query query(SelectStatementContext ctx) {
    Query body = queryExpression(ctx.queryExpression());
    List<Query.OrderItem> order = new ArrayList<>();
    if (ctx.orderBy() != null) {
      for (OrderItemContext o : ctx.orderBy().orderItem()) {
        Boolean nullsFirst = o.NULLS() == null ? null : o.FIRST() != null;
        order.add(new Query.OrderItem(expr(o.expr()), o.DESC() != null, nullsFirst));
      }
    }
    Expr limit = null;
    Expr offset = null;
    if (ctx.limitOffset() != null) {
      LimitContext l = ctx.limitOffset().limit();
      if (l != null && l.ALL() == null) {
        limit = l.expr() != null ? expr(l.expr())
            : new Expr.Literal(Expr.LiteralKind.INTEGER, "1", pos(l));
      }
      OffsetContext o = ctx.limitOffset().offset();
      if (o != null) {
        offset = expr(o.expr());
      }
    }
    if (order.isEmpty() && limit == null && offset == null) {
      return body;
    }
    if (body instanceof Query.Select s && s.orderBy().isEmpty() && s.limit() == null
        && s.offset() == null) {
      return new Query.Select(s.distinct(), s.items(), s.from(), s.where(), s.groupBy(),
          s.having(), order, limit, offset, s.pos());
    }
    if (body instanceof Query.SetOperation so && so.orderBy().isEmpty() && so.limit() == null
        && so.offset() == null) {
      return new Query.SetOperation(so.op(), so.all(), so.left(), so.right(), order, limit,
          offset, so.pos());
    }
    // ORDER BY / LIMIT over VALUES or an already limited query: select from it.
    return new Query.Select(false, List.of(new Query.SelectItem(
        new Expr.Star(List.of(), body.pos()), null, body.pos())),
        List.of(new Query.SubqueryRef(body, "q", List.of(), body.pos())), null, List.of(), null,
        order, limit, offset, body.pos());
  }

  private Query queryExpression(QueryExpressionContext ctx) {
    if (ctx instanceof SingleTermContext s) {
      return queryTerm(s.queryTerm());
    }
    UnionExceptContext u = (UnionExceptContext) ctx;
    Query.SetOp op = u.op.getType() == QuiverSqlLexer.UNION ? Query.SetOp.UNION
        : Query.SetOp.EXCEPT;
    return new Query.SetOperation(op, u.ALL() != null, queryExpression(u.queryExpression()),
        queryTerm(u.queryTerm()), List.of(), null, null, pos(u.op));
  }

  private Query queryTerm(QueryTermContext ctx) {
    if (ctx instanceof SinglePrimaryContext s) {
      return queryPrimary(s.queryPrimary());
    }
    IntersectContext i = (IntersectContext) ctx;
    return new Query.SetOperation(Query.SetOp.INTERSECT, i.ALL() != null,
        queryTerm(i.queryTerm()), queryPrimary(i.queryPrimary()), List.of(), null, null,
        pos(i.INTERSECT()));
  }

  private Query queryPrimary(QueryPrimaryContext ctx) {
    if (ctx instanceof SelectPrimaryContext s) {
      return select(s.simpleSelect());
    }
    if (ctx instanceof ValuesPrimaryContext v) {
      List<List<Expr>> rows = new ArrayList<>();
      for (ValuesRowContext row : v.valuesClause().valuesRow()) {
        checkTargetList((row.getChildCount() - 1) / 2);
        List<Expr> values = new ArrayList<>();
        for (ValuesItemContext item : row.valuesItem()) {
          values.add(item.expr() == null
              ? new Expr.Literal(Expr.LiteralKind.NULL, null, pos(item)) : expr(item.expr()));
        }
        rows.add(values);
      }
      return new Query.Values(rows, pos(v));
    }
    return query(((ParenthesizedQueryContext) ctx).selectStatement());
  }

  private Query select(SimpleSelectContext ctx) {
    List<SelectItemContext> itemContexts = ctx.selectItem();
    checkTargetList(itemContexts.size());
    List<Query.SelectItem> items = new ArrayList<>(itemContexts.size());
    itemContexts.forEach(i -> items.add(selectItem(i)));
    List<Query.FromItem> from = new ArrayList<>();
    ctx.fromItem().forEach(f -> from.add(fromItem(f)));
    List<Expr> groupBy = new ArrayList<>();
    if (ctx.GROUP() != null) {
      for (ExprContext e : ctx.expr()) {
        if (e != ctx.where && e != ctx.having) {
          groupBy.add(expr(e));
        }
      }
    }
    return new Query.Select(ctx.DISTINCT() != null, items, from,
        ctx.where == null ? null : expr(ctx.where), groupBy,
        ctx.having == null ? null : expr(ctx.having), List.of(), null, null, pos(ctx));
  }

  /** PostgreSQL's cap on the columns of a SELECT list or VALUES row. */
  private static void checkTargetList(int entries) {
    if (entries > ParseLimits.MAX_TARGET_LIST) {
      throw ParseLimits.tooManyTargetEntries();
    }
  }

  private Query.SelectItem selectItem(SelectItemContext ctx) {
    if (ctx instanceof StarItemContext) {
      return new Query.SelectItem(new Expr.Star(List.of(), pos(ctx)), null, pos(ctx));
    }
    if (ctx instanceof QualifiedStarItemContext q) {
      List<String> qualifier = new ArrayList<>();
      q.identifier().forEach(i -> qualifier.add(identifier(i)));
      return new Query.SelectItem(new Expr.Star(qualifier, pos(ctx)), null, pos(ctx));
    }
    ExprItemContext e = (ExprItemContext) ctx;
    String alias = null;
    if (e.alias() != null) {
      alias = e.alias().STRING() != null ? string(e.alias().STRING().getText())
          : identifier(e.alias().identifier());
    }
    return new Query.SelectItem(expr(e.expr()), alias, pos(ctx));
  }

  private Query.FromItem fromItem(FromItemContext ctx) {
    if (ctx instanceof PrimaryFromContext p) {
      return fromPrimary(p.fromPrimary());
    }
    if (ctx instanceof CrossJoinContext c) {
      return new Query.Join(Query.JoinType.CROSS, fromItem(c.fromItem()),
          fromPrimary(c.fromPrimary()), null, List.of(), pos(c.CROSS()));
    }
    QualifiedJoinContext j = (QualifiedJoinContext) ctx;
    Query.JoinType type = Query.JoinType.INNER;
    if (j.joinType() != null) {
      JoinTypeContext t = j.joinType();
      type = t.LEFT() != null ? Query.JoinType.LEFT : t.RIGHT() != null ? Query.JoinType.RIGHT
          : t.FULL() != null ? Query.JoinType.FULL : Query.JoinType.INNER;
    }
    return new Query.Join(type, fromItem(j.fromItem()), fromPrimary(j.fromPrimary()),
        j.expr() == null ? null : expr(j.expr()),
        j.identifierList() == null ? List.of() : identifiers(j.identifierList()), pos(j.JOIN()));
  }

  private Query.FromItem fromPrimary(FromPrimaryContext ctx) {
    if (ctx instanceof TableFromContext t) {
      return new Query.TableRef(qualifiedName(t.qualifiedName()),
          t.identifier() == null ? null : identifier(t.identifier()), pos(t));
    }
    if (ctx instanceof SubqueryFromContext s) {
      return new Query.SubqueryRef(query(s.selectStatement()), identifier(s.identifier()),
          s.identifierList() == null ? List.of() : identifiers(s.identifierList()), pos(s));
    }
    if (ctx instanceof FunctionFromContext f) {
      return new Query.FunctionRef((Expr.FunctionCall) functionCall(f.functionCall()),
          f.identifier() == null ? null : identifier(f.identifier()),
          f.identifierList() == null ? List.of() : identifiers(f.identifierList()), pos(f));
    }
    return fromItem(((ParenthesizedFromContext) ctx).fromItem());
  }

  // ---------------------------------------------------------------- expressions

  Expr expr(ExprContext ctx) {
    if ((++exprs & 1023) == 0) {
      cancel.check();
    }
    return or(ctx.orExpr());
  }

  private Expr or(OrExprContext ctx) {
    if (ctx.getChildCount() == 1) {
      return and(ctx.andExpr(0));
    }
    List<Expr> operands = new ArrayList<>(ctx.getChildCount() / 2 + 1);
    List<Pos> operators = new ArrayList<>(ctx.getChildCount() / 2);
    for (int i = 0; i < ctx.getChildCount(); i++) {
      ParseTree child = ctx.getChild(i);
      if (child instanceof AndExprContext a) {
        operands.add(and(a));
      } else {
        operators.add(pos((TerminalNode) child));
      }
    }
    return balanced(Expr.BinaryOp.OR, operands, operators, 0, operands.size());
  }

  private Expr and(AndExprContext ctx) {
    if (ctx.getChildCount() == 1) {
      return not(ctx.notExpr(0));
    }
    List<Expr> operands = new ArrayList<>(ctx.getChildCount() / 2 + 1);
    List<Pos> operators = new ArrayList<>(ctx.getChildCount() / 2);
    for (int i = 0; i < ctx.getChildCount(); i++) {
      ParseTree child = ctx.getChild(i);
      if (child instanceof NotExprContext n) {
        operands.add(not(n));
      } else {
        operators.add(pos((TerminalNode) child));
      }
    }
    return balanced(Expr.BinaryOp.AND, operands, operators, 0, operands.size());
  }

  /**
   * {@code operands[from, to)} joined by {@code op} as a balanced tree (AND and OR are associative
   * under SQL's three-valued logic); each node is positioned at its operator.
   */
  private static Expr balanced(Expr.BinaryOp op, List<Expr> operands, List<Pos> operators,
      int from, int to) {
    if (to - from == 1) {
      return operands.get(from);
    }
    int mid = (from + to) >>> 1;
    return new Expr.Binary(op, balanced(op, operands, operators, from, mid),
        balanced(op, operands, operators, mid, to), operators.get(mid - 1));
  }

  private Expr not(NotExprContext ctx) {
    if (ctx.NOT() != null) {
      return new Expr.Unary(Expr.UnaryOp.NOT, not(ctx.notExpr()), pos(ctx));
    }
    IsExprContext is = ctx.isExpr();
    Expr e = comparison(is.comparisonExpr());
    for (IsSuffixContext s : is.isSuffix()) {
      boolean negated = s.NOT() != null;
      if (s.ISNULL() != null || s.NOTNULL() != null) {
        e = new Expr.IsNull(e, s.NOTNULL() != null, pos(s));
      } else if (s.NULL() != null) {
        e = new Expr.IsNull(e, negated, pos(s));
      } else if (s.DISTINCT() != null) {
        throw unsupported("IS DISTINCT FROM", s);
      } else {
        e = new Expr.IsBoolean(e, s.TRUE() != null, negated, pos(s));
      }
    }
    return e;
  }

  private Expr comparison(ComparisonExprContext ctx) {
    Expr left = predicate(ctx.predicateExpr(0));
    if (ctx.comparisonOperator() == null) {
      return left;
    }
    ComparisonOperatorContext o = ctx.comparisonOperator();
    Expr.BinaryOp op = switch (o.getStart().getType()) {
      case QuiverSqlLexer.EQ -> Expr.BinaryOp.EQ;
      case QuiverSqlLexer.NE, QuiverSqlLexer.NE2 -> Expr.BinaryOp.NE;
      case QuiverSqlLexer.LT -> Expr.BinaryOp.LT;
      case QuiverSqlLexer.LE -> Expr.BinaryOp.LE;
      case QuiverSqlLexer.GT -> Expr.BinaryOp.GT;
      default -> Expr.BinaryOp.GE;
    };
    if (ctx.quantifier != null) {
      return new Expr.AnyAll(left, op, expr(ctx.expr()),
          ctx.quantifier.getType() == QuiverSqlLexer.ALL, pos(o));
    }
    return new Expr.Binary(op, left, predicate(ctx.predicateExpr(1)), pos(o));
  }

  private Expr predicate(PredicateExprContext ctx) {
    Expr left = other(ctx.otherExpr(0));
    boolean negated = ctx.NOT() != null;
    if (ctx.IN() != null) {
      if (ctx.selectStatement() != null) {
        return new Expr.InSubquery(left, query(ctx.selectStatement()), negated, pos(ctx.IN()));
      }
      List<Expr> values = new ArrayList<>();
      ctx.expr().forEach(x -> values.add(expr(x)));
      return new Expr.InList(left, values, negated, pos(ctx.IN()));
    }
    if (ctx.BETWEEN() != null) {
      if (ctx.SYMMETRIC() != null) {
        throw unsupported("BETWEEN SYMMETRIC", ctx);
      }
      return new Expr.Between(left, other(ctx.otherExpr(1)), other(ctx.otherExpr(2)), negated,
          pos(ctx.BETWEEN()));
    }
    if (ctx.LIKE() != null || ctx.ILIKE() != null) {
      Expr escape = ctx.ESCAPE() == null ? null : other(ctx.otherExpr(2));
      Token op = ctx.LIKE() != null ? ctx.LIKE().getSymbol() : ctx.ILIKE().getSymbol();
      return new Expr.Like(left, other(ctx.otherExpr(1)), escape, negated, ctx.ILIKE() != null,
          pos(op));
    }
    return left;
  }

  private Expr other(OtherExprContext ctx) {
    Expr e = additive((AdditiveExprContext) ctx.getChild(0));
    for (int i = 1; i < ctx.getChildCount(); i += 2) {
      OtherOperatorContext o = (OtherOperatorContext) ctx.getChild(i);
      Expr.BinaryOp op = switch (o.getStart().getType()) {
        case QuiverSqlLexer.L2_DISTANCE -> Expr.BinaryOp.L2_DISTANCE;
        case QuiverSqlLexer.NEGATIVE_INNER_PRODUCT -> Expr.BinaryOp.NEGATIVE_INNER_PRODUCT;
        case QuiverSqlLexer.COSINE_DISTANCE -> Expr.BinaryOp.COSINE_DISTANCE;
        case QuiverSqlLexer.L1_DISTANCE -> Expr.BinaryOp.L1_DISTANCE;
        case QuiverSqlLexer.CONCAT -> Expr.BinaryOp.CONCAT;
        case QuiverSqlLexer.TILDE -> Expr.BinaryOp.REGEX_MATCH;
        case QuiverSqlLexer.NOT_TILDE -> Expr.BinaryOp.REGEX_NOT_MATCH;
        case QuiverSqlLexer.TILDE_STAR -> Expr.BinaryOp.REGEX_IMATCH;
        default -> Expr.BinaryOp.REGEX_NOT_IMATCH;
      };
      e = new Expr.Binary(op, e, additive((AdditiveExprContext) ctx.getChild(i + 1)), pos(o));
    }
    return e;
  }

  private Expr additive(AdditiveExprContext ctx) {
    Expr e = multiplicative((MultiplicativeExprContext) ctx.getChild(0));
    for (int i = 1; i < ctx.getChildCount(); i += 2) {
      Token op = ((TerminalNode) ctx.getChild(i)).getSymbol();
      Expr.BinaryOp kind = op.getType() == QuiverSqlLexer.PLUS ? Expr.BinaryOp.PLUS
          : Expr.BinaryOp.MINUS;
      e = new Expr.Binary(kind, e,
          multiplicative((MultiplicativeExprContext) ctx.getChild(i + 1)), pos(op));
    }
    return e;
  }

  private Expr multiplicative(MultiplicativeExprContext ctx) {
    Expr e = unary((UnaryExprContext) ctx.getChild(0));
    for (int i = 1; i < ctx.getChildCount(); i += 2) {
      Token op = ((TerminalNode) ctx.getChild(i)).getSymbol();
      Expr.BinaryOp kind = switch (op.getType()) {
        case QuiverSqlLexer.STAR -> Expr.BinaryOp.MULTIPLY;
        case QuiverSqlLexer.SLASH -> Expr.BinaryOp.DIVIDE;
        default -> Expr.BinaryOp.MODULO;
      };
      e = new Expr.Binary(kind, e, unary((UnaryExprContext) ctx.getChild(i + 1)), pos(op));
    }
    return e;
  }

  private Expr unary(UnaryExprContext ctx) {
    if (ctx.unaryExpr() != null) {
      Expr operand = unary(ctx.unaryExpr());
      return new Expr.Unary(ctx.MINUS() != null ? Expr.UnaryOp.NEGATE : Expr.UnaryOp.PLUS,
          operand, pos(ctx));
    }
    CastExprContext c = ctx.castExpr();
    Expr e = primary(c.primary());
    for (int i = 1; i < c.getChildCount(); i += 2) {
      e = new Expr.Cast(e, typeName((TypeNameContext) c.getChild(i + 1)),
          pos((TerminalNode) c.getChild(i)));
    }
    return e;
  }

  private Expr primary(PrimaryContext ctx) {
    if (ctx instanceof LiteralPrimaryContext l) {
      return literal(l.literal());
    }
    if (ctx instanceof ParameterPrimaryContext p) {
      return new Expr.Parameter(Integer.parseInt(p.PARAMETER().getText().substring(1)), pos(p));
    }
    if (ctx instanceof SubqueryPrimaryContext s) {
      return new Expr.ScalarSubquery(query(s.selectStatement()), pos(s));
    }
    if (ctx instanceof ParenthesizedPrimaryContext p) {
      return expr(p.expr());
    }
    if (ctx instanceof ExistsPrimaryContext e) {
      return new Expr.Exists(query(e.selectStatement()), false, pos(e));
    }
    if (ctx instanceof CasePrimaryContext c) {
      List<ExprContext> exprs = c.expr();
      int first = c.simple != null ? 1 : 0;
      int whens = c.WHEN().size();
      List<Expr.When> arms = new ArrayList<>();
      for (int i = 0; i < whens; i++) {
        arms.add(new Expr.When(expr(exprs.get(first + 2 * i)), expr(exprs.get(first + 2 * i + 1))));
      }
      Expr otherwise = c.ELSE() != null ? expr(exprs.get(exprs.size() - 1)) : null;
      return new Expr.Case(c.simple == null ? null : expr(c.simple), arms, otherwise, pos(c));
    }
    if (ctx instanceof CastPrimaryContext c) {
      return new Expr.Cast(expr(c.expr()), typeName(c.typeName()), pos(c));
    }
    if (ctx instanceof ArrayPrimaryContext a) {
      List<Expr> elements = new ArrayList<>();
      a.expr().forEach(x -> elements.add(expr(x)));
      return new Expr.ArrayConstructor(elements, pos(a));
    }
    if (ctx instanceof SpecialFunctionPrimaryContext s) {
      String name = s.getText().toLowerCase(Locale.ROOT);
      return new Expr.FunctionCall(new QualifiedName(List.of(name), pos(s)), List.of(), false,
          false, pos(s));
    }
    if (ctx instanceof FunctionPrimaryContext f) {
      return functionCall(f.functionCall());
    }
    if (ctx instanceof TypedLiteralPrimaryContext t) {
      Expr literal = new Expr.Literal(Expr.LiteralKind.STRING, string(t.STRING().getText()),
          pos(t.STRING()));
      return new Expr.Cast(literal, typeName(t.typeName()), pos(t));
    }
    ColumnPrimaryContext c = (ColumnPrimaryContext) ctx;
    List<String> parts = new ArrayList<>();
    c.identifier().forEach(i -> parts.add(identifier(i)));
    return new Expr.ColumnRef(parts, pos(c));
  }

  private Expr functionCall(FunctionCallContext ctx) {
    List<Expr> args = new ArrayList<>();
    ctx.expr().forEach(x -> args.add(expr(x)));
    return new Expr.FunctionCall(qualifiedName(ctx.qualifiedName()), args,
        ctx.DISTINCT() != null, ctx.STAR() != null, pos(ctx));
  }

  private Expr literal(LiteralContext ctx) {
    Token t = ctx.getStart();
    Pos p = pos(t);
    return switch (t.getType()) {
      case QuiverSqlLexer.INTEGER -> new Expr.Literal(Expr.LiteralKind.INTEGER, t.getText(), p);
      case QuiverSqlLexer.DECIMAL -> new Expr.Literal(Expr.LiteralKind.DECIMAL, t.getText(), p);
      case QuiverSqlLexer.STRING -> new Expr.Literal(Expr.LiteralKind.STRING,
          string(t.getText()), p);
      case QuiverSqlLexer.ESCAPE_STRING -> new Expr.Literal(Expr.LiteralKind.STRING,
          escapeString(t), p);
      case QuiverSqlLexer.DOLLAR_STRING -> new Expr.Literal(Expr.LiteralKind.STRING,
          t.getText().substring(2, t.getText().length() - 2), p);
      case QuiverSqlLexer.TRUE -> new Expr.Literal(Expr.LiteralKind.BOOLEAN, "true", p);
      case QuiverSqlLexer.FALSE -> new Expr.Literal(Expr.LiteralKind.BOOLEAN, "false", p);
      default -> new Expr.Literal(Expr.LiteralKind.NULL, null, p);
    };
  }

  // ---------------------------------------------------------------- names and types

  TypeName typeName(TypeNameContext ctx) {
    List<Integer> modifiers = new ArrayList<>();
    ctx.INTEGER().forEach(i -> {
      if (i.getSymbol().getTokenIndex() < firstBracket(ctx)) {
        modifiers.add(Integer.parseInt(i.getText()));
      }
    });
    boolean array = !ctx.LBRACKET().isEmpty();
    String name;
    if (ctx.DOUBLE() != null) {
      name = "double precision";
    } else if (ctx.VARYING() != null) {
      name = "varchar";
    } else if (ctx.TIMESTAMP() != null) {
      name = ctx.WITH() != null ? "timestamptz" : "timestamp";
    } else if (ctx.getStart().getType() == QuiverSqlLexer.TIME) {
      name = ctx.WITH() != null ? "timetz" : "time";
    } else if (ctx.CHARACTER() != null || ctx.CHAR() != null) {
      name = "bpchar";
    } else {
      QualifiedName q = qualifiedName(ctx.qualifiedName());
      String schema = q.schema();
      if (schema != null && !schema.equals("pg_catalog") && !schema.equals("public")) {
        name = q.toString();
      } else {
        name = canonicalType(q.name());
      }
    }
    return new TypeName(name, modifiers, array, pos(ctx));
  }

  private static int firstBracket(TypeNameContext ctx) {
    return ctx.LBRACKET().isEmpty() ? Integer.MAX_VALUE
        : ctx.LBRACKET(0).getSymbol().getTokenIndex();
  }

  private static String canonicalType(String name) {
    return switch (name) {
      case "int8", "bigint" -> "bigint";
      case "int", "int4", "integer" -> "integer";
      case "int2", "smallint" -> "smallint";
      case "bool", "boolean" -> "boolean";
      case "float4", "real" -> "real";
      case "float8", "float" -> "double precision";
      case "decimal", "numeric" -> "numeric";
      case "varchar" -> "varchar";
      case "timestamptz" -> "timestamptz";
      case "char" -> "bpchar";
      default -> name;
    };
  }

  QualifiedName qualifiedName(QualifiedNameContext ctx) {
    List<String> parts = new ArrayList<>();
    ctx.identifier().forEach(i -> parts.add(identifier(i)));
    return new QualifiedName(parts, pos(ctx));
  }

  private List<String> identifiers(IdentifierListContext ctx) {
    List<String> out = new ArrayList<>();
    ctx.identifier().forEach(i -> out.add(identifier(i)));
    return out;
  }

  /** PostgreSQL's identifier rule: fold unquoted names to lower case; quoted ones are exact. */
  static String identifier(IdentifierContext ctx) {
    if (ctx.QUOTED_IDENTIFIER() != null) {
      String text = ctx.QUOTED_IDENTIFIER().getText();
      String name = text.substring(1, text.length() - 1).replace("\"\"", "\"");
      if (name.isEmpty()) {
        throw new QuiverException(SqlState.SYNTAX_ERROR, "zero-length delimited identifier")
            .withPosition(pos(ctx).errorPosition());
      }
      return name;
    }
    return ctx.getText().toLowerCase(Locale.ROOT);
  }

  private static String string(String quoted) {
    return quoted.substring(1, quoted.length() - 1).replace("''", "'");
  }

  /** {@code E'…'}: backslash escapes as PostgreSQL reads them. */
  private static String escapeString(Token t) {
    String s = t.getText().substring(2, t.getText().length() - 1);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
        out.append('\'');
        i++;
      } else if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        switch (n) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'x' -> {
            int end = i + 1;
            while (end < s.length() && end < i + 3 && Character.digit(s.charAt(end), 16) >= 0) {
              end++;
            }
            out.append((char) Integer.parseInt(s.substring(i + 1, end), 16));
            i = end - 1;
          }
          case 'u', 'U' -> {
            int len = n == 'u' ? 4 : 8;
            out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 1 + len), 16));
            i += len;
          }
          default -> {
            if (n >= '0' && n <= '7') {
              int end = i;
              while (end < s.length() && end < i + 3 && s.charAt(end) >= '0'
                  && s.charAt(end) <= '7') {
                end++;
              }
              out.append((char) Integer.parseInt(s.substring(i, end), 8));
              i = end - 1;
            } else {
              out.append(n);
            }
          }
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @SuppressWarnings("unused")
  private String text(ParseTree tree) {
    return tree instanceof ParserRuleContext r
        ? chars.getText(Interval.of(r.getStart().getStartIndex(), r.getStop().getStopIndex()))
        : tree.getText();
  }
}
