package io.quiverdb.storage;

import io.quiverdb.common.types.PgType;
import java.math.BigDecimal;

/** How a column's runtime value is stored: the physical kind behind each {@link PgType}. */
enum ValueKind {
  BOOL(Boolean.class),
  INT2(Short.class),
  INT4(Integer.class),
  INT8(Long.class),
  FLOAT4(Float.class),
  FLOAT8(Double.class),
  TEXT(String.class),
  BYTEA(byte[].class),
  NUMERIC(BigDecimal.class),
  VECTOR(float[].class);

  private final Class<?> javaClass;

  ValueKind(Class<?> javaClass) {
    this.javaClass = javaClass;
  }

  Class<?> javaClass() {
    return javaClass;
  }

  static ValueKind of(PgType type) {
    return switch (type) {
      case BOOL -> BOOL;
      case INT2 -> INT2;
      case INT4, DATE, OID, REGPROC, REGCLASS, REGTYPE -> INT4;
      case INT8, TIMESTAMP, TIMESTAMPTZ -> INT8;
      case FLOAT4 -> FLOAT4;
      case FLOAT8 -> FLOAT8;
      case TEXT, VARCHAR, CHAR, NAME, UNKNOWN -> TEXT;
      case BYTEA -> BYTEA;
      case NUMERIC -> NUMERIC;
      case VECTOR -> VECTOR;
    };
  }

  static ValueKind[] of(java.util.List<ColumnDef> columns) {
    ValueKind[] kinds = new ValueKind[columns.size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = of(columns.get(i).type().type());
    }
    return kinds;
  }

  /** Throws IllegalArgumentException naming the column when {@code v} is not of this kind. */
  void check(String column, Object v) {
    if (!javaClass.isInstance(v)) {
      throw new IllegalArgumentException(
          "column \""
              + column
              + "\" expects a "
              + javaClass.getSimpleName()
              + " but got a "
              + v.getClass().getName());
    }
  }
}
