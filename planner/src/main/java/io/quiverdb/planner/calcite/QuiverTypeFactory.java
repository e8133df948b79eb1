package io.quiverdb.planner.calcite;

import java.util.List;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's type factory taught about {@link VectorType}. The base factory copies foreign types
 * unchanged, which would make a nullable and a NOT NULL vector the same object; the overrides here
 * keep nullability right. One instance serves the whole server (types are interned).
 */
public final class QuiverTypeFactory extends JavaTypeFactoryImpl {
  /** PostgreSQL's numeric allows 1000 digits; Calcite's default stops at 19. */
  private static final RelDataTypeSystem TYPE_SYSTEM = new RelDataTypeSystemImpl() {
    @Override
    public int getMaxPrecision(SqlTypeName typeName) {
      return typeName == SqlTypeName.DECIMAL ? 1000 : super.getMaxPrecision(typeName);
    }

    @Override
    public int getMaxScale(SqlTypeName typeName) {
      return typeName == SqlTypeName.DECIMAL ? 1000 : super.getMaxScale(typeName);
    }

    @Override
    public boolean shouldConvertRaggedUnionTypesToVarying() {
      return true;
    }
  };

  public QuiverTypeFactory() {
    super(TYPE_SYSTEM);
  }

  /** {@code vector(dim)}; dim -1 for a vector of unknown dimension. */
  public RelDataType vector(int dim, boolean nullable) {
    return canonize(new VectorType(dim, nullable));
  }

  @Override
  public RelDataType createTypeWithNullability(RelDataType type, boolean nullable) {
    if (type instanceof VectorType v) {
      return v.isNullable() == nullable ? v : vector(v.dim(), nullable);
    }
    return super.createTypeWithNullability(type, nullable);
  }

  @Override
  public RelDataType enforceTypeWithNullability(RelDataType type, boolean nullable) {
    if (type instanceof VectorType v) {
      return v.isNullable() == nullable ? v : vector(v.dim(), nullable);
    }
    return super.enforceTypeWithNullability(type, nullable);
  }

  @Override
  public RelDataType leastRestrictive(List<RelDataType> types) {
    if (!types.isEmpty() && types.stream().allMatch(t -> t instanceof VectorType)) {
      int dim = ((VectorType) types.get(0)).dim();
      boolean nullable = false;
      for (RelDataType t : types) {
        VectorType v = (VectorType) t;
        if (v.dim() != dim) {
          dim = -1;
        }
        nullable |= v.isNullable();
      }
      return vector(dim, nullable);
    }
    return super.leastRestrictive(types);
  }
}
