package io.quiverdb.planner.calcite;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/** Our column types as Calcite types and back. */
public final class TypeMapping {
  private TypeMapping() {}

  /** The Calcite type of a column (or parameter) of our type. */
  public static RelDataType toCalcite(QuiverTypeFactory f, ColumnType type, boolean nullable) {
    RelDataType t = switch (type.type()) {
      case INT8 -> f.createSqlType(SqlTypeName.BIGINT);
      case INT4, OID, REGCLASS, REGTYPE, REGPROC -> f.createSqlType(SqlTypeName.INTEGER);
      case INT2 -> f.createSqlType(SqlTypeName.SMALLINT);
      case TEXT, NAME, CHAR, UNKNOWN -> f.createSqlType(SqlTypeName.VARCHAR);
      case VARCHAR -> type.modifier() > 0
          ? f.createSqlType(SqlTypeName.VARCHAR, type.modifier())
          : f.createSqlType(SqlTypeName.VARCHAR);
      case BOOL -> f.createSqlType(SqlTypeName.BOOLEAN);
      case FLOAT4 -> f.createSqlType(SqlTypeName.REAL);
      case FLOAT8 -> f.createSqlType(SqlTypeName.DOUBLE);
      case NUMERIC -> f.createSqlType(SqlTypeName.DECIMAL, 1000, 500);
      case DATE -> f.createSqlType(SqlTypeName.DATE);
      case TIMESTAMP -> f.createSqlType(SqlTypeName.TIMESTAMP, 6);
      case TIMESTAMPTZ -> f.createSqlType(SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE, 6);
      case VECTOR -> f.vector(type.modifier(), nullable);
      case BYTEA -> f.createSqlType(SqlTypeName.VARBINARY);
    };
    return f.createTypeWithNullability(t, nullable);
  }

  /** The type a client sees for a Calcite-typed result column or parameter. */
  public static ColumnType fromCalcite(RelDataType type) {
    if (type instanceof VectorType v) {
      return v.dim() > 0 ? ColumnType.vector(v.dim()) : ColumnType.of(PgType.VECTOR);
    }
    return switch (type.getSqlTypeName()) {
      case BIGINT -> ColumnType.BIGINT;
      case INTEGER -> ColumnType.INTEGER;
      case SMALLINT, TINYINT -> ColumnType.SMALLINT;
      case BOOLEAN -> ColumnType.BOOLEAN;
      case REAL -> ColumnType.REAL;
      case DOUBLE, FLOAT -> ColumnType.DOUBLE;
      case DECIMAL -> ColumnType.NUMERIC;
      case DATE -> ColumnType.DATE;
      case TIMESTAMP -> ColumnType.TIMESTAMP;
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE, TIMESTAMP_TZ -> ColumnType.TIMESTAMPTZ;
      case VARCHAR -> type.getPrecision() > 0 && type.getPrecision() < 10_485_760
          ? ColumnType.varchar(type.getPrecision()) : ColumnType.TEXT;
      case CHAR, NULL, SYMBOL -> ColumnType.TEXT;
      case VARBINARY, BINARY -> ColumnType.of(PgType.BYTEA);
      default -> throw QuiverException.notSupported("values of type " + type.getFullTypeString());
    };
  }

  /** True for the Calcite types our executor evaluates as the given engine type. */
  public static PgType engineType(RelDataType type) {
    try {
      return fromCalcite(type).type();
    } catch (QuiverException e) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, e.getMessage());
    }
  }
}
