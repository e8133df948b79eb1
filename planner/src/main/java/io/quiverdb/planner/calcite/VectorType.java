package io.quiverdb.planner.calcite;

import org.apache.calcite.rel.type.RelDataTypeFamily;
import org.apache.calcite.rel.type.RelDataTypeImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * pgvector's {@code vector(n)} as a Calcite type. Its SQL type name is OTHER, so the validator
 * accepts it only where an operator of ours asks for it; the dimension travels as the precision
 * ({@code -1} for a plain {@code vector} without typmod).
 */
public final class VectorType extends RelDataTypeImpl {
  /** The family every vector type belongs to, whatever its dimension. */
  public enum Family implements RelDataTypeFamily {
    INSTANCE
  }

  private final int dim;
  private final boolean nullable;

  VectorType(int dim, boolean nullable) {
    this.dim = dim;
    this.nullable = nullable;
    computeDigest();
  }

  /** The dimension, or -1 when unknown. */
  public int dim() {
    return dim;
  }

  @Override
  protected void generateTypeString(StringBuilder sb, boolean withDetail) {
    sb.append("VECTOR");
    if (dim >= 0) {
      sb.append('(').append(dim).append(')');
    }
  }

  @Override
  public boolean isNullable() {
    return nullable;
  }

  @Override
  public SqlTypeName getSqlTypeName() {
    return SqlTypeName.OTHER;
  }

  @Override
  public RelDataTypeFamily getFamily() {
    return Family.INSTANCE;
  }

  @Override
  public int getPrecision() {
    return dim;
  }
}
