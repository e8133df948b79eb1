package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.sql.ast.TypeName;

/** Type names as written in DDL and casts, resolved to our column types. */
public final class TypeNames {
  private TypeNames() {}

  /**
   * The column type a type name denotes.
   *
   * @throws QuiverException 42704 for an unknown type, 0A000 for arrays and known but unsupported
   *     types, 22023 for a bad modifier
   */
  public static ColumnType columnType(TypeName name) {
    int position = name.pos().errorPosition();
    if (name.array()) {
      throw QuiverException.notSupported("array types").withPosition(position);
    }
    PgType type = switch (name.name()) {
      case "bigint" -> PgType.INT8;
      case "integer" -> PgType.INT4;
      case "smallint" -> PgType.INT2;
      case "text" -> PgType.TEXT;
      case "varchar" -> PgType.VARCHAR;
      case "boolean" -> PgType.BOOL;
      case "real" -> PgType.FLOAT4;
      case "double precision" -> PgType.FLOAT8;
      case "numeric" -> PgType.NUMERIC;
      case "timestamp" -> PgType.TIMESTAMP;
      case "timestamptz" -> PgType.TIMESTAMPTZ;
      case "date" -> PgType.DATE;
      case "vector" -> PgType.VECTOR;
      case "bytea" -> PgType.BYTEA;
      default -> null;
    };
    if (type == null) {
      throw new QuiverException(SqlState.UNDEFINED_OBJECT,
          "type \"" + name.name() + "\" does not exist").withPosition(position);
    }
    int modifier = -1;
    if (type == PgType.VARCHAR || type == PgType.VECTOR) {
      if (name.modifiers().size() > 1) {
        throw new QuiverException(SqlState.SYNTAX_ERROR,
            "invalid type modifier for " + name.name()).withPosition(position);
      }
      modifier = name.modifier();
      if (type == PgType.VECTOR && modifier != -1 && modifier < 1) {
        throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
            "dimensions for type vector must be at least 1").withPosition(position);
      }
      if (type == PgType.VECTOR && modifier > PgType.VECTOR_MAX_DIM) {
        throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
            "dimensions for type vector cannot exceed " + PgType.VECTOR_MAX_DIM)
            .withPosition(position);
      }
    } else if (!name.modifiers().isEmpty() && type != PgType.NUMERIC
        && type != PgType.TIMESTAMP && type != PgType.TIMESTAMPTZ) {
      throw new QuiverException(SqlState.SYNTAX_ERROR,
          "type modifier is not allowed for type \"" + name.name() + "\"")
          .withPosition(position);
    }
    try {
      return new ColumnType(type, modifier);
    } catch (QuiverException e) {
      throw e.withPosition(position);
    }
  }
}
