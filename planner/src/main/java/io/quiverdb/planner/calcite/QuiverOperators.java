package io.quiverdb.planner.calcite;

import io.quiverdb.common.vector.Metric;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCallBinding;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperandCountRange;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorBinding;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlOperandCountRanges;
import org.apache.calcite.sql.type.SqlOperandTypeChecker;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlOperatorTables;

/**
 * pgvector's operators and functions, and the few PostgreSQL functions we answer ourselves,
 * registered with Calcite. The executor recognises them by identity ({@link #metricOf}).
 */
public final class QuiverOperators {
  private QuiverOperators() {}

  public static final SqlBinaryOperator L2_DISTANCE_OP = distanceOperator(Metric.L2);
  public static final SqlBinaryOperator NEGATIVE_INNER_PRODUCT_OP =
      distanceOperator(Metric.NEGATIVE_INNER_PRODUCT);
  public static final SqlBinaryOperator COSINE_DISTANCE_OP = distanceOperator(Metric.COSINE);
  public static final SqlBinaryOperator L1_DISTANCE_OP = distanceOperator(Metric.L1);

  public static final SqlFunction L2_DISTANCE = vectorFunction("l2_distance", 2);
  /** The positive inner product (the {@code <#>} operator is its negation). */
  public static final SqlFunction INNER_PRODUCT = vectorFunction("inner_product", 2);
  public static final SqlFunction COSINE_DISTANCE = vectorFunction("cosine_distance", 2);
  public static final SqlFunction L1_DISTANCE = vectorFunction("l1_distance", 2);
  public static final SqlFunction VECTOR_NORM = vectorFunction("vector_norm", 1);
  public static final SqlFunction VECTOR_DIMS = new SqlFunction("vector_dims",
      SqlKind.OTHER_FUNCTION, ReturnTypes.INTEGER_NULLABLE, QuiverOperators::inferVectors,
      new VectorOperands(1),
      SqlFunctionCategory.NUMERIC);

  /**
   * pgvector's input function: {@code vector_in(text, dim)} is what {@code '…'::vector(dim)}
   * becomes (a CAST to a type Calcite does not know would not validate). dim -1 checks nothing.
   */
  public static final SqlFunction VECTOR_IN = new SqlFunction("vector_in", SqlKind.OTHER_FUNCTION,
      QuiverOperators::vectorInType, QuiverOperators::inferText, new TextAndDim(),
      SqlFunctionCategory.SYSTEM);

  /** {@code version()}: the server's version string, as PostgreSQL's. */
  public static final SqlFunction VERSION = new SqlFunction("version", SqlKind.OTHER_FUNCTION,
      ReturnTypes.explicit(SqlTypeName.VARCHAR), null, OperandTypes.NILADIC,
      SqlFunctionCategory.SYSTEM);

  private static final Map<SqlOperator, Metric> METRICS = Map.of(
      L2_DISTANCE_OP, Metric.L2, NEGATIVE_INNER_PRODUCT_OP, Metric.NEGATIVE_INNER_PRODUCT,
      COSINE_DISTANCE_OP, Metric.COSINE, L1_DISTANCE_OP, Metric.L1,
      L2_DISTANCE, Metric.L2, COSINE_DISTANCE, Metric.COSINE, L1_DISTANCE, Metric.L1);

  /** Our operators chained after Calcite's standard and PostgreSQL library operators. */
  public static final SqlOperatorTable TABLE = SqlOperatorTables.chain(
      SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(
          SqlLibrary.STANDARD, SqlLibrary.POSTGRESQL),
      SqlOperatorTables.of(L2_DISTANCE_OP, NEGATIVE_INNER_PRODUCT_OP, COSINE_DISTANCE_OP,
          L1_DISTANCE_OP, L2_DISTANCE, INNER_PRODUCT, COSINE_DISTANCE, L1_DISTANCE, VECTOR_NORM,
          VECTOR_DIMS, VECTOR_IN, VERSION));

  /** The metric an operator or function computes, or null (inner_product is not a distance). */
  public static Metric metricOf(SqlOperator op) {
    return METRICS.get(op);
  }

  /** The distance operator for a metric. */
  public static SqlBinaryOperator operatorOf(Metric metric) {
    return switch (metric) {
      case L2 -> L2_DISTANCE_OP;
      case NEGATIVE_INNER_PRODUCT -> NEGATIVE_INNER_PRODUCT_OP;
      case COSINE -> COSINE_DISTANCE_OP;
      case L1 -> L1_DISTANCE_OP;
    };
  }

  private static SqlBinaryOperator distanceOperator(Metric metric) {
    // Precedence 34 (Calcite wants even ones): between comparison (30) and + - (40), as
    // PostgreSQL ranks its "other operators".
    return new SqlBinaryOperator(metric.operator(), SqlKind.OTHER, 34, true,
        ReturnTypes.DOUBLE_NULLABLE, QuiverOperators::inferVectors, new VectorOperands(2));
  }

  private static SqlFunction vectorFunction(String name, int arity) {
    return new SqlFunction(name, SqlKind.OTHER_FUNCTION, ReturnTypes.DOUBLE_NULLABLE,
        QuiverOperators::inferVectors, new VectorOperands(arity), SqlFunctionCategory.NUMERIC);
  }

  /** Operands of unknown type (parameters) of a vector operator are vectors of any dimension. */
  private static void inferVectors(SqlCallBinding binding, RelDataType returnType,
      RelDataType[] operandTypes) {
    QuiverTypeFactory types = (QuiverTypeFactory) binding.getTypeFactory();
    for (int i = 0; i < operandTypes.length; i++) {
      operandTypes[i] = types.vector(-1, true);
    }
  }

  /** {@code vector_in}'s parameters: text and an integer dimension. */
  private static void inferText(SqlCallBinding binding, RelDataType returnType,
      RelDataType[] operandTypes) {
    RelDataTypeFactory types = binding.getTypeFactory();
    if (binding.operand(0) instanceof SqlDynamicParam) {
      Integer dim = binding.getOperandLiteralValue(1, Integer.class);
      operandTypes[0] = ((QuiverTypeFactory) types).vector(dim == null || dim < 1 ? -1 : dim,
          true);
    } else {
      operandTypes[0] = types.createTypeWithNullability(types.createSqlType(SqlTypeName.VARCHAR),
          true);
    }
    if (operandTypes.length > 1) {
      operandTypes[1] = types.createSqlType(SqlTypeName.INTEGER);
    }
  }

  private static RelDataType vectorInType(SqlOperatorBinding binding) {
    QuiverTypeFactory types = (QuiverTypeFactory) binding.getTypeFactory();
    Integer dim = binding.getOperandLiteralValue(1, Integer.class);
    boolean nullable = binding.getOperandType(0).isNullable();
    return types.vector(dim == null ? -1 : dim, nullable);
  }

  /**
   * Operands that must all be vectors. A parameter ({@code $1}) becomes a {@code vector} of any
   * dimension (as in pgvector, a mismatch is reported by the operator): the validator checks ORDER
   * BY expressions before it infers parameter types, so the checker must type it itself.
   */
  private static final class VectorOperands implements SqlOperandTypeChecker {
    private final int count;

    VectorOperands(int count) {
      this.count = count;
    }

    @Override
    public boolean checkOperandTypes(SqlCallBinding binding, boolean throwOnFailure) {
      QuiverTypeFactory types = (QuiverTypeFactory) binding.getTypeFactory();
      for (int i = 0; i < count; i++) {
        SqlNode operand = binding.operand(i);
        if (operand instanceof SqlDynamicParam) {
          RelDataType current = binding.getValidator().getValidatedNodeTypeIfKnown(operand);
          if (!(current instanceof VectorType)) {
            binding.getValidator().setValidatedNodeType(operand,
                types.vector(-1, true));
          }
          continue;
        }
        RelDataType t = binding.getOperandType(i);
        if (!(t instanceof VectorType) && t.getSqlTypeName() != SqlTypeName.NULL) {
          if (throwOnFailure) {
            throw binding.newValidationSignatureError();
          }
          return false;
        }
      }
      return true;
    }

    @Override
    public SqlOperandCountRange getOperandCountRange() {
      return SqlOperandCountRanges.of(count);
    }

    @Override
    public String getAllowedSignatures(SqlOperator op, String opName) {
      if (op instanceof SqlBinaryOperator) {
        return "<VECTOR> " + opName + " <VECTOR>";
      }
      return opName + "(" + String.join(", ", java.util.Collections.nCopies(count, "<VECTOR>"))
          + ")";
    }
  }

  /**
   * {@code vector_in}'s operands: text and a dimension. An untyped parameter cast to vector
   * ({@code $1::vector}) is a vector parameter, as in PostgreSQL, so clients may send it in
   * pgvector's binary form.
   */
  private static final class TextAndDim implements SqlOperandTypeChecker {
    @Override
    public boolean checkOperandTypes(SqlCallBinding binding, boolean throwOnFailure) {
      SqlNode text = binding.operand(0);
      if (text instanceof SqlDynamicParam) {
        Integer dim = binding.getOperandLiteralValue(1, Integer.class);
        binding.getValidator().setValidatedNodeType(text, ((QuiverTypeFactory) binding
            .getTypeFactory()).vector(dim == null || dim < 1 ? -1 : dim, true));
        return true;
      }
      SqlTypeName t = binding.getOperandType(0).getSqlTypeName();
      boolean ok = t == SqlTypeName.CHAR || t == SqlTypeName.VARCHAR || t == SqlTypeName.NULL
          || binding.getOperandType(0) instanceof VectorType;
      if (!ok && throwOnFailure) {
        throw binding.newValidationSignatureError();
      }
      return ok;
    }

    @Override
    public SqlOperandCountRange getOperandCountRange() {
      return SqlOperandCountRanges.of(2);
    }

    @Override
    public String getAllowedSignatures(SqlOperator op, String opName) {
      return opName + "(<CHARACTER>, <INTEGER>)";
    }
  }

}
