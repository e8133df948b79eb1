package io.quiverdb.storage;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.FloatFormat;
import io.quiverdb.common.types.Timestamps;
import io.quiverdb.common.types.Vectors;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.List;

/** PostgreSQL's text form of values for error details ("Key (id)=(1) already exists."). */
final class ValueText {
  private ValueText() {}

  /** {@code (a, b)=(1, x)} for the given columns of {@code row}. */
  static String keyDetail(TableDef table, Object[] row) {
    List<Integer> pk = table.primaryKey();
    StringBuilder names = new StringBuilder("Key (");
    StringBuilder values = new StringBuilder("(");
    for (int i = 0; i < pk.size(); i++) {
      ColumnDef c = table.columns().get(pk.get(i));
      if (i > 0) {
        names.append(", ");
        values.append(", ");
      }
      names.append(c.name());
      values.append(format(c.type(), row[pk.get(i)]));
    }
    return names.append(")=").append(values).append(") already exists.").toString();
  }

  /** {@code Failing row contains (1, null).} */
  static String failingRow(TableDef table, Object[] row) {
    StringBuilder sb = new StringBuilder("Failing row contains (");
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(format(table.columns().get(i).type(), row[i]));
    }
    return sb.append(").").toString();
  }

  static String format(ColumnType type, Object v) {
    if (v == null) {
      return "null";
    }
    return switch (type.type()) {
      case BOOL -> (Boolean) v ? "t" : "f";
      case FLOAT4 -> FloatFormat.formatFloat((Float) v);
      case FLOAT8 -> FloatFormat.formatDouble((Double) v);
      case NUMERIC -> ((BigDecimal) v).toPlainString();
      case TIMESTAMP -> Timestamps.formatTimestamp((Long) v);
      case TIMESTAMPTZ -> Timestamps.formatTimestamptz((Long) v, ZoneOffset.UTC);
      case DATE -> Timestamps.formatDate((Integer) v);
      case VECTOR -> Vectors.format((float[]) v);
      case BYTEA -> hex((byte[]) v);
      default -> String.valueOf(v);
    };
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(2 + 2 * b.length).append("\\x");
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }
}
