package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.calcite.AstToSqlNode;
import io.quiverdb.planner.calcite.BudgetedConvertletTable;
import io.quiverdb.planner.calcite.BudgetedHepPlanner;
import io.quiverdb.planner.calcite.PlanningBudget;
import io.quiverdb.planner.calcite.QuiverOperators;
import io.quiverdb.planner.calcite.QuiverSchema;
import io.quiverdb.planner.calcite.QuiverTypeFactory;
import io.quiverdb.planner.calcite.QuiverValidator;
import io.quiverdb.planner.calcite.TypeMapping;
import io.quiverdb.planner.exec.ExecBuilder;
import io.quiverdb.planner.exec.ExecNode;
import io.quiverdb.planner.exec.FilterNode;
import io.quiverdb.planner.exec.KeyLookupNode;
import io.quiverdb.planner.exec.ProjectNode;
import io.quiverdb.planner.exec.ScanNode;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.parser.ParseLimits;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.ProxyingMetadataHandlerProvider;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * The Calcite path: our AST → {@link SqlNode} → validated against the catalog → {@link RelNode}
 * → rewritten by a small Hep program → our operator tree. No Enumerable code generation, no
 * Janino metadata handlers; what is kept is the operator tree, never the RelNodes (they hold the
 * planner's memo).
 *
 * <p>Every stage ticks the statement's {@link PlanningBudget}. A statement whose expressions nest
 * deeper than {@link #SIMPLIFY_MAX_DEPTH} is converted and rewritten without Calcite's RexSimplify,
 * which visits a call's whole subtree for each call (quadratic: {@code 1+1+…} with 3,000 terms took
 * 290 ms to convert with it, 17 ms without), and without merging a UNION of VALUES into one VALUES
 * (which converts every row again at each level of a UNION chain); shallower ones keep both.
 */
final class CalcitePlanner {
  /** The deepest expression RexSimplify may see (it costs depth² in calls). */
  static final int SIMPLIFY_MAX_DEPTH = 100;

  private static final HepProgram PROGRAM = program(RelFactories.LOGICAL_BUILDER);

  private static final HepProgram DEEP_PROGRAM = program(RelBuilder.proto(
      Contexts.of(RelBuilder.Config.DEFAULT.withSimplify(false))));

  private static HepProgram program(RelBuilderFactory builder) {
    return new HepProgramBuilder()
        .addRuleCollection(List.of(
            CoreRules.FILTER_MERGE.config.withRelBuilderFactory(builder).toRule(),
            CoreRules.PROJECT_MERGE.config.withRelBuilderFactory(builder).toRule(),
            CoreRules.PROJECT_REMOVE))
        .build();
  }

  private static final CalciteConnectionConfig CONNECTION =
      new CalciteConnectionConfigImpl(new Properties())
          .set(CalciteConnectionProperty.CASE_SENSITIVE, "true");

  private static final SqlToRelConverter.Config SQL_TO_REL = SqlToRelConverter.config()
      .withTrimUnusedFields(false)
      .withInSubQueryThreshold(Integer.MAX_VALUE);

  private static final SqlToRelConverter.Config DEEP_SQL_TO_REL =
      SQL_TO_REL.addRelBuilderConfigTransform(
          c -> c.withSimplify(false).withSimplifyValues(false));

  private static final RelOptTable.ViewExpander NO_VIEWS = (rowType, query, schema, path) -> {
    throw QuiverException.notSupported("views");
  };

  private final Store store;
  private final QuiverTypeFactory types = new QuiverTypeFactory();

  private static final CatalogView EMPTY = new CatalogView() {
    @Override
    public java.util.Optional<io.quiverdb.storage.TableDef> table(String schema, String name) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<io.quiverdb.storage.TableDef> tableById(long id) {
      return java.util.Optional.empty();
    }

    @Override
    public List<io.quiverdb.storage.TableDef> tables() {
      return List.of();
    }

    @Override
    public long version() {
      return 0;
    }
  };

  /** @param store the store; null for a planner that only {@link #warmUp}s. */
  CalcitePlanner(Store store) {
    this.store = store;
  }

  void warmUp() {
    prepare(new Statement.QueryStatement(new Query.Select(false,
        List.of(new Query.SelectItem(new Expr.Literal(Expr.LiteralKind.INTEGER, "1",
            io.quiverdb.sql.ast.Pos.NONE), null, io.quiverdb.sql.ast.Pos.NONE)),
        List.of(), null, List.of(), null, List.of(), null, null, io.quiverdb.sql.ast.Pos.NONE),
        io.quiverdb.sql.ast.Pos.NONE), List.of(), store == null ? EMPTY : store.catalog(),
        PlanningBudget.unlimited())
        .execute(new Object[0], null)
        .close();
  }

  PreparedQuery prepare(Statement statement, List<ColumnType> declared, CatalogView catalog,
      PlanningBudget budget) {
    long version = catalog.version();
    CalciteSchema root = CalciteSchema.createRootSchema(false, false);
    root.add("public", new QuiverSchema(store, catalog, "public"));
    CalciteCatalogReader reader =
        new CalciteCatalogReader(root, List.of("public"), types, CONNECTION);
    QuiverValidator validator = new QuiverValidator(QuiverOperators.TABLE, reader, types, budget);
    AstToSqlNode toSql = new AstToSqlNode((table, column) -> catalog.table("public", table)
        .or(() -> SystemViews.table(table))
        .map(t -> t.columnIndex(column) < 0 ? null : t.columns().get(t.columnIndex(column)).type())
        .orElse(null), declared, budget);

    SqlNode node;
    Query query = null;
    if (statement instanceof Statement.QueryStatement qs) {
      query = qs.query();
      node = toSql.query(query);
    } else if (statement instanceof Statement.Update u) {
      rejectReturning(u.returning());
      node = toSql.update(u);
    } else {
      Statement.Delete d = (Statement.Delete) statement;
      rejectReturning(d.returning());
      node = toSql.delete(d);
    }
    SqlNode validated = validator.validate(node);
    if (query != null && validator.getValidatedNodeType(validated).getFieldCount()
        > ParseLimits.MAX_TARGET_LIST) {
      throw ParseLimits.tooManyTargetEntries();
    }
    List<ColumnType> parameterTypes = parameterTypes(validated, validator, declared);

    boolean deep = toSql.maxDepth() > SIMPLIFY_MAX_DEPTH;
    HepPlanner hep = new BudgetedHepPlanner(deep ? DEEP_PROGRAM : PROGRAM, budget);
    RexBuilder rexBuilder = new RexBuilder(types);
    RelOptCluster cluster = RelOptCluster.create(hep, rexBuilder);
    cluster.setMetadataQuerySupplier(() -> new RelMetadataQuery(
        new ProxyingMetadataHandlerProvider(DefaultRelMetadataProvider.INSTANCE)));
    SqlToRelConverter toRel = new SqlToRelConverter(NO_VIEWS, validator, reader, cluster,
        new BudgetedConvertletTable(StandardConvertletTable.INSTANCE, budget),
        deep ? DEEP_SQL_TO_REL : SQL_TO_REL);
    RelRoot relRoot = toRel.convertQuery(validated, false, true);
    RelNode rel = query != null ? relRoot.project() : relRoot.rel;
    budget.check();
    hep.setRoot(rel);
    rel = hep.findBestExp();
    budget.check();

    ExecBuilder builder = new ExecBuilder(rexBuilder, budget);
    if (rel instanceof TableModify modify) {
      return modifyPlan(modify, builder, version, parameterTypes);
    }
    List<ResultColumn> columns = columns(rel, relRoot.validatedRowType, query, cluster);
    return new SelectPlan(store, version, builder.build(rel), parameterTypes, columns);
  }

  private static void rejectReturning(List<Query.SelectItem> returning) {
    if (!returning.isEmpty()) {
      throw QuiverException.notSupported("RETURNING")
          .withPosition(returning.get(0).pos().errorPosition());
    }
  }

  /**
   * $1..$n: declared where the client said, else as the validator inferred them; a LIMIT or
   * OFFSET parameter is a bigint, as PostgreSQL infers it.
   */
  private static List<ColumnType> parameterTypes(SqlNode validated, SqlValidator validator,
      List<ColumnType> declared) {
    List<ColumnType> out = new ArrayList<>();
    if (declared != null) {
      out.addAll(declared);
    }
    java.util.Set<SqlNode> counts = new java.util.HashSet<>();
    validated.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call instanceof SqlSelect s) {
          counts.add(s.getFetch());
          counts.add(s.getOffset());
        } else if (call instanceof org.apache.calcite.sql.SqlOrderBy o) {
          counts.add(o.fetch);
          counts.add(o.offset);
        }
        return super.visit(call);
      }

      @Override
      public SqlNode visit(SqlDynamicParam param) {
        int i = param.getIndex();
        while (out.size() <= i) {
          out.add(null);
        }
        ColumnType current = out.get(i);
        if (current == null || current.type() == PgType.UNKNOWN) {
          RelDataType t = validator.getValidatedNodeTypeIfKnown(param);
          if (counts.contains(param)) {
            out.set(i, ColumnType.BIGINT);
          } else if (t != null
              && t.getSqlTypeName() != org.apache.calcite.sql.type.SqlTypeName.UNKNOWN) {
            out.set(i, TypeMapping.fromCalcite(t));
          }
        }
        return param;
      }
    });
    out.replaceAll(Planner::textIfUnknown);
    return out;
  }

  private PreparedQuery modifyPlan(TableModify modify, ExecBuilder builder, long version,
      List<ColumnType> parameterTypes) {
    QuiverSchema.QuiverTable table = modify.getTable().unwrap(QuiverSchema.QuiverTable.class);
    TableDef def = table.def();
    if (SystemViews.isSystem(def)) {
      throw new QuiverException(SqlState.WRONG_OBJECT_TYPE,
          "cannot change view \"" + def.name() + "\"");
    }
    ExecNode source = builder.build(modify.getInput());
    checkStreamsFromScanOf(source, def);
    int width = def.columns().size();
    if (modify.isDelete()) {
      return new ModifyPlan(store, version, def, source, true, new int[0], new PgType[0],
          parameterTypes);
    }
    if (!modify.isUpdate()) {
      throw QuiverException.notSupported("this kind of table modification");
    }
    List<String> names = modify.getUpdateColumnList();
    List<RelDataTypeField> fields = modify.getInput().getRowType().getFieldList();
    if (fields.size() != width + names.size()) {
      throw QuiverException.notSupported("this form of UPDATE");
    }
    int[] columns = new int[names.size()];
    PgType[] valueTypes = new PgType[names.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = def.columnIndex(names.get(i));
      valueTypes[i] = TypeMapping.engineType(fields.get(width + i).getType());
    }
    return new ModifyPlan(store, version, def, source, false, columns, valueTypes,
        parameterTypes);
  }

  /** UPDATE and DELETE find row keys through the scan: only streaming operators may be above it. */
  private static void checkStreamsFromScanOf(ExecNode node, TableDef table) {
    if (node instanceof ScanNode scan && scan.table().id() == table.id()) {
      return;
    }
    if (node instanceof KeyLookupNode) {
      return; // built only over a scan of the modified table
    }
    if ((node instanceof FilterNode || node instanceof ProjectNode)
        && node.inputs().size() == 1) {
      checkStreamsFromScanOf(node.inputs().get(0), table);
      return;
    }
    throw QuiverException.notSupported("UPDATE or DELETE with this WHERE clause");
  }

  /** Result columns named as PostgreSQL names them, with their table origin where plain. */
  private static List<ResultColumn> columns(RelNode rel, RelDataType rowType, Query query,
      RelOptCluster cluster) {
    List<RelDataTypeField> fields = rowType.getFieldList();
    List<String> names = pgNames(query, fields);
    RelMetadataQuery mq = cluster.getMetadataQuery();
    List<ResultColumn> out = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      ColumnType type = TypeMapping.fromCalcite(fields.get(i).getType());
      int tableOid = 0;
      int columnNumber = 0;
      try {
        RelColumnOrigin origin = mq.getColumnOrigin(rel, i);
        if (origin != null && !origin.isDerived()) {
          QuiverSchema.QuiverTable t =
              origin.getOriginTable().unwrap(QuiverSchema.QuiverTable.class);
          if (t != null) {
            tableOid = t.def().oid();
            columnNumber = origin.getOriginColumnOrdinal() + 1;
          }
        }
      } catch (RuntimeException e) {
        // Origins are a courtesy for clients' metadata; a plan without them still runs.
      }
      out.add(new ResultColumn(names.get(i), type, tableOid, columnNumber));
    }
    return out;
  }

  /** PostgreSQL's FigureColname: a column's name, a function's name, a cast's type, or ?column?. */
  private static List<String> pgNames(Query query, List<RelDataTypeField> fields) {
    List<String> names = new ArrayList<>(fields.size());
    if (query instanceof Query.Select s
        && s.items().stream().noneMatch(i -> i.expr() instanceof Expr.Star)
        && s.items().size() == fields.size()) {
      for (Query.SelectItem item : s.items()) {
        names.add(item.alias() != null ? item.alias() : figureName(item.expr()));
      }
      return names;
    }
    for (RelDataTypeField f : fields) {
      names.add(f.getName().startsWith("EXPR$") ? "?column?" : f.getName());
    }
    return names;
  }

  private static String figureName(Expr e) {
    if (e instanceof Expr.ColumnRef c) {
      return c.parts().get(c.parts().size() - 1);
    }
    if (e instanceof Expr.FunctionCall f) {
      return f.name().name();
    }
    if (e instanceof Expr.Cast c) {
      String inner = figureName(c.operand());
      return inner.equals("?column?") ? c.type().name() : inner;
    }
    if (e instanceof Expr.Case) {
      return "case";
    }
    return "?column?";
  }

}
