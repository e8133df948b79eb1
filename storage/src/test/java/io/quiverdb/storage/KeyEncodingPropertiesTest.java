package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.types.ColumnType;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/**
 * Properties of the key encodings: memcomparable keys sort as their values do and decode back to
 * them; row addresses and version keys sort by (segment, offset); change records round-trip.
 */
class KeyEncodingPropertiesTest {
  private static int sign(int c) {
    return Integer.signum(c);
  }

  private static byte[] key(ColumnType type, Object v) {
    return KeyCodec.encode(List.of(type), new Object[] {v});
  }

  @Property
  void bigints_sort_and_round_trip(@ForAll long a, @ForAll long b) {
    byte[] ka = key(ColumnType.BIGINT, a);
    assertThat(sign(Arrays.compareUnsigned(ka, key(ColumnType.BIGINT, b))))
        .isEqualTo(sign(Long.compare(a, b)));
    assertThat(KeyCodec.decode(List.of(ColumnType.BIGINT), ka, 0)).containsExactly(a);
  }

  @Property
  void a_bigint_primary_key_of_a_row_is_the_general_encoding(@ForAll long id,
      @ForAll @IntRange(min = 1, max = 1_000_000) int tableId) {
    TableDef t = new TableDef(tableId, "public", "t", List.of(
        new ColumnDef("v", ColumnType.vector(2), false),
        new ColumnDef("id", ColumnType.BIGINT, false)), List.of(1));
    assertThat(KeyCodec.primaryKeyOfRow(t, new Object[] {new float[] {1, 2}, id}))
        .isEqualTo(KeyCodec.primaryKey(t, new Object[] {id}));
  }

  @Property
  void doubles_sort_as_sql_compares_them(@ForAll double a, @ForAll double b) {
    int expected = (a == b) ? 0 : sign(Double.compare(a, b)); // -0 = +0, NaN sorts last
    assertThat(sign(Arrays.compareUnsigned(key(ColumnType.DOUBLE, a), key(ColumnType.DOUBLE, b))))
        .isEqualTo(expected);
  }

  @Property
  void text_sorts_by_code_point_and_round_trips(@ForAll String a, @ForAll String b) {
    byte[] ka = key(ColumnType.TEXT, a);
    int expected = sign(Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
    if (isWellFormed(a) && isWellFormed(b)) {
      assertThat(sign(Arrays.compareUnsigned(ka, key(ColumnType.TEXT, b)))).isEqualTo(expected);
      assertThat(KeyCodec.decode(List.of(ColumnType.TEXT), ka, 0)).containsExactly(a);
    }
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  @Property
  void numerics_sort_by_value_whatever_their_scale(
      @ForAll @Scale(4) @BigRange(min = "-1e12", max = "1e12") BigDecimal a,
      @ForAll @Scale(2) @BigRange(min = "-1e12", max = "1e12") BigDecimal b) {
    assertThat(sign(Arrays.compareUnsigned(key(ColumnType.NUMERIC, a),
        key(ColumnType.NUMERIC, b)))).isEqualTo(sign(a.compareTo(b)));
  }

  @Property
  void composite_keys_sort_lexicographically(@ForAll int a1, @ForAll String a2,
      @ForAll int b1, @ForAll String b2) {
    List<ColumnType> types = List.of(ColumnType.INTEGER, ColumnType.TEXT);
    byte[] ka = KeyCodec.encode(types, new Object[] {a1, a2});
    byte[] kb = KeyCodec.encode(types, new Object[] {b1, b2});
    if (isWellFormed(a2) && isWellFormed(b2)) {
      int expected = a1 != b1 ? Integer.compare(a1, b1)
          : Arrays.compare(a2.codePoints().toArray(), b2.codePoints().toArray());
      assertThat(sign(Arrays.compareUnsigned(ka, kb))).isEqualTo(sign(expected));
    }
  }

  @Property
  void version_keys_sort_by_segment_then_offset(
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int s1,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int o1,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int s2,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int o2) {
    long a = Segment.address(s1, o1);
    long b = Segment.address(s2, o2);
    assertThat(Segment.segmentOf(a)).isEqualTo(s1);
    assertThat(Segment.offsetOf(a)).isEqualTo(o1);
    int expected = s1 != s2 ? Integer.compare(s1, s2) : Integer.compare(o1, o2);
    assertThat(sign(Arrays.compareUnsigned(Store.versionKey(7, a), Store.versionKey(7, b))))
        .isEqualTo(sign(expected));
    byte[] end = Store.endKey(7, a);
    assertThat(Arrays.compareUnsigned(end, Store.versionKey(7, a))).isPositive();
    if (expected < 0) {
      assertThat(Arrays.compareUnsigned(end, Store.versionKey(7, b)))
          .as("an end stamp sorts right after its version").isNegative();
    }
  }

  @Property
  void change_records_round_trip(@ForAll long lsn, @ForAll @IntRange(min = 0) int index,
      @ForAll long ts, @ForAll long table, @ForAll byte[] before, @ForAll byte[] after) {
    ChangeRecord r = ChangeRecord.decode(ChangeRecord.key(lsn, index),
        ChangeRecord.value(ts, table, 'u', before, after));
    assertThat(r.lsn()).isEqualTo(lsn);
    assertThat(r.index()).isEqualTo(index);
    assertThat(r.commitTs()).isEqualTo(ts);
    assertThat(r.tableId()).isEqualTo(table);
    assertThat(r.op()).isEqualTo('u');
    assertThat(r.before()).isEqualTo(before);
    assertThat(r.after()).isEqualTo(after);
  }
}
