package io.quiverdb.common.types;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;

/**
 * A column's logical type: a {@link PgType} and its modifier (the {@code n} of {@code varchar(n)}
 * or {@code vector(n)}; -1 when there is none).
 */
public record ColumnType(PgType type, int modifier) {
  public static final ColumnType BIGINT = new ColumnType(PgType.INT8, -1);
  public static final ColumnType INTEGER = new ColumnType(PgType.INT4, -1);
  public static final ColumnType SMALLINT = new ColumnType(PgType.INT2, -1);
  public static final ColumnType TEXT = new ColumnType(PgType.TEXT, -1);
  public static final ColumnType BOOLEAN = new ColumnType(PgType.BOOL, -1);
  public static final ColumnType REAL = new ColumnType(PgType.FLOAT4, -1);
  public static final ColumnType DOUBLE = new ColumnType(PgType.FLOAT8, -1);
  public static final ColumnType NUMERIC = new ColumnType(PgType.NUMERIC, -1);
  public static final ColumnType TIMESTAMP = new ColumnType(PgType.TIMESTAMP, -1);
  public static final ColumnType TIMESTAMPTZ = new ColumnType(PgType.TIMESTAMPTZ, -1);
  public static final ColumnType DATE = new ColumnType(PgType.DATE, -1);
  public static final ColumnType UNKNOWN = new ColumnType(PgType.UNKNOWN, -1);

  public ColumnType {
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    if (type == PgType.VECTOR && modifier != -1 && (modifier < 1 || modifier > PgType.VECTOR_MAX_DIM)) {
      throw new QuiverException(
          modifier < 1 ? SqlState.DATA_EXCEPTION : SqlState.PROGRAM_LIMIT_EXCEEDED,
          modifier < 1
              ? "dimensions for type vector must be at least 1"
              : "dimensions for type vector cannot exceed " + PgType.VECTOR_MAX_DIM);
    }
    if (type == PgType.VARCHAR && modifier != -1 && modifier < 1) {
      throw new QuiverException(SqlState.SYNTAX_ERROR, "length for type varchar must be at least 1");
    }
  }

  public static ColumnType vector(int dim) {
    return new ColumnType(PgType.VECTOR, dim);
  }

  public static ColumnType varchar(int length) {
    return new ColumnType(PgType.VARCHAR, length);
  }

  public static ColumnType of(PgType type) {
    return new ColumnType(type, -1);
  }

  /** {@code pg_attribute.atttypmod} as PostgreSQL reports it (varchar adds the 4-byte header). */
  public int typmod() {
    if (modifier < 0) {
      return -1;
    }
    return type == PgType.VARCHAR ? modifier + 4 : modifier;
  }

  /** The type as {@code format_type} and psql's {@code \d} print it. */
  public String displayName() {
    return switch (type) {
      case INT8 -> "bigint";
      case INT4 -> "integer";
      case INT2 -> "smallint";
      case BOOL -> "boolean";
      case FLOAT4 -> "real";
      case FLOAT8 -> "double precision";
      case TIMESTAMP -> "timestamp without time zone";
      case TIMESTAMPTZ -> "timestamp with time zone";
      case VARCHAR -> modifier < 0 ? "character varying" : "character varying(" + modifier + ")";
      case VECTOR -> modifier < 0 ? "vector" : "vector(" + modifier + ")";
      default -> type.typname();
    };
  }

  @Override
  public String toString() {
    return displayName();
  }
}
