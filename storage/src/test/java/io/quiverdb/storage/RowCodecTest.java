package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowCodecTest {
  private static final List<ColumnDef> ALL_TYPES =
      List.of(
          new ColumnDef("b", ColumnType.BOOLEAN, false),
          new ColumnDef("s", ColumnType.SMALLINT, false),
          new ColumnDef("i", ColumnType.INTEGER, false),
          new ColumnDef("l", ColumnType.BIGINT, false),
          new ColumnDef("f", ColumnType.REAL, false),
          new ColumnDef("d", ColumnType.DOUBLE, false),
          new ColumnDef("t", ColumnType.TEXT, false),
          new ColumnDef("vc", ColumnType.varchar(10), false),
          new ColumnDef("n", ColumnType.NUMERIC, false),
          new ColumnDef("ts", ColumnType.TIMESTAMP, false),
          new ColumnDef("tz", ColumnType.TIMESTAMPTZ, false),
          new ColumnDef("dt", ColumnType.DATE, false),
          new ColumnDef("by", ColumnType.of(PgType.BYTEA), false),
          new ColumnDef("v", ColumnType.vector(3), false));

  private static Object[] roundTrip(List<ColumnDef> cols, Object[] row) {
    return RowCodec.decode(cols, RowCodec.encode(cols, row));
  }

  @Test
  void round_trips_every_type() {
    Object[] row = {
      true,
      (short) -3,
      Integer.MIN_VALUE,
      Long.MAX_VALUE,
      -0.0f,
      -0.0,
      "héllo \u0000 wörld 😀",
      "",
      new BigDecimal("-12345678901234567890.000123"),
      1_700_000_000_000_000L,
      -1L,
      -719_528,
      new byte[] {0, (byte) 0xFF, 7},
      new float[] {1.5f, -0.0f, Float.MIN_VALUE}
    };
    Object[] back = roundTrip(ALL_TYPES, row);
    assertThat(back).isNotSameAs(row);
    assertThat(back).containsExactly(row);
    assertThat(Float.floatToRawIntBits((Float) back[4])).isEqualTo(0x8000_0000);
    assertThat(Double.doubleToRawLongBits((Double) back[5])).isEqualTo(Long.MIN_VALUE);
    assertThat(((BigDecimal) back[8]).scale()).isEqualTo(6);
    assertThat(Float.floatToRawIntBits(((float[]) back[13])[1])).isEqualTo(0x8000_0000);
    assertThat(back[1]).isInstanceOf(Short.class);
    assertThat(back[11]).isInstanceOf(Integer.class);
  }

  @Test
  void round_trips_nulls_in_every_position() {
    Random r = new Random(42);
    System.out.println("RowCodecTest nulls seed=42");
    for (int mask = 0; mask < 200; mask++) {
      Object[] row = {
        false, (short) 1, 2, 3L, 4f, 5d, "x", "y", BigDecimal.TEN, 6L, 7L, 8, new byte[0],
        new float[] {1, 2, 3}
      };
      for (int i = 0; i < row.length; i++) {
        if (r.nextBoolean()) {
          row[i] = null;
        }
      }
      assertThat(roundTrip(ALL_TYPES, row)).containsExactly(row);
    }
    Object[] allNull = new Object[ALL_TYPES.size()];
    assertThat(roundTrip(ALL_TYPES, allNull)).containsOnlyNulls();
  }

  @Test
  void round_trips_vectors_of_dimension_1_and_2000() {
    List<ColumnDef> cols = List.of(new ColumnDef("v", new ColumnType(PgType.VECTOR, -1), false));
    float[] big = new float[2000];
    Random r = new Random(7);
    for (int i = 0; i < big.length; i++) {
      big[i] = r.nextFloat() * 2 - 1;
    }
    assertThat((float[]) roundTrip(cols, new Object[] {new float[] {42f}})[0])
        .containsExactly(42f);
    assertThat((float[]) roundTrip(cols, new Object[] {big})[0]).containsExactly(big);
  }

  @Test
  void zero_column_rows_round_trip() {
    assertThat(roundTrip(List.of(), new Object[0])).isEmpty();
  }

  @Test
  void rows_written_before_a_column_was_added_read_it_as_null() {
    List<ColumnDef> one = ALL_TYPES.subList(0, 1);
    byte[] old = RowCodec.encode(one, new Object[] {true});
    assertThat(RowCodec.decode(ALL_TYPES.subList(0, 3), old)).containsExactly(true, null, null);
  }

  @Test
  void rejects_value_of_wrong_class_naming_the_column() {
    assertThatThrownBy(() -> RowCodec.encode(ALL_TYPES.subList(3, 4), new Object[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"l\"")
        .hasMessageContaining("java.lang.Integer");
  }

  @Test
  void rejects_unknown_format_byte() {
    byte[] b = RowCodec.encode(ALL_TYPES.subList(0, 1), new Object[] {true});
    b[0] = 9;
    assertThatThrownBy(() -> RowCodec.decode(ALL_TYPES.subList(0, 1), b))
        .hasMessageContaining("format 9");
  }

  @Test
  void decodes_ten_thousand_vector_rows_quickly() {
    List<ColumnDef> cols =
        List.of(
            new ColumnDef("id", ColumnType.BIGINT, true),
            new ColumnDef("title", ColumnType.TEXT, false),
            new ColumnDef("v", ColumnType.vector(128), false));
    List<byte[]> rows = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      rows.add(RowCodec.encode(cols, new Object[] {(long) i, "row " + i, new float[128]}));
    }
    ValueKind[] kinds = ValueKind.of(cols);
    long best = Long.MAX_VALUE;
    for (int rep = 0; rep < 20; rep++) {
      long t0 = System.nanoTime();
      long sum = 0;
      for (byte[] b : rows) {
        sum += ((float[]) RowCodec.decode(kinds, b)[2]).length;
      }
      best = Math.min(best, System.nanoTime() - t0);
      assertThat(sum).isEqualTo(1_280_000);
    }
    System.out.printf("decode of 10,000 rows x vector(128): best %.2f ms%n", best / 1e6);
    assertThat(best).isLessThan(50_000_000L);
  }
}
