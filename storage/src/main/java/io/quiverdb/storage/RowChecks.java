package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Vectors;
import java.util.List;

/** The checks a row passes before a transaction takes it: shape, types, NOT NULL, vectors. */
final class RowChecks {
  private RowChecks() {}

  /** Checks row length, value classes, NOT NULL and vector dimension and finiteness. */
  static void check(TableDef table, Object[] row) {
    List<ColumnDef> columns = table.columns();
    if (row == null || row.length != columns.size()) {
      throw new IllegalArgumentException(
          "row for " + table.qualifiedName() + " must have " + columns.size() + " values");
    }
    for (int i = 0; i < row.length; i++) {
      ColumnDef c = columns.get(i);
      Object v = row[i];
      if (v == null) {
        if (c.notNull()) {
          throw new QuiverException(
              SqlState.NOT_NULL_VIOLATION,
              "null value in column \"" + c.name() + "\" of relation \"" + table.name()
                  + "\" violates not-null constraint",
              ValueText.failingRow(table, row),
              null,
              0);
        }
        continue;
      }
      ValueKind.of(c.type().type()).check(c.name(), v);
      if (c.type().type() == PgType.VECTOR) {
        checkVector(c, (float[]) v);
      }
    }
  }

  private static void checkVector(ColumnDef c, float[] f) {
    if (f.length == 0) {
      throw new QuiverException(SqlState.DATA_EXCEPTION, "vector must have at least 1 dimension");
    }
    if (f.length > PgType.VECTOR_MAX_DIM) {
      throw new QuiverException(SqlState.PROGRAM_LIMIT_EXCEEDED,
          "vector cannot have more than " + PgType.VECTOR_MAX_DIM + " dimensions");
    }
    Vectors.checkDim(c.type().modifier(), f.length);
    Vectors.checkFinite(f);
  }
}
