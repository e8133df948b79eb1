package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class KeyCodecTest {
  private static final long SEED = 20261124L;
  private static final int N = 3000;

  private static Random random(String what) {
    long seed = SEED ^ what.hashCode();
    System.out.println("KeyCodecTest." + what + " seed=" + seed);
    return new Random(seed);
  }

  /** Checks order and round trip of {@code N} random values of one type. */
  private static <T> void checkType(
      ColumnType type, Function<Random, T> gen, Comparator<T> order, String what) {
    Random r = random(what);
    List<T> values = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      values.add(gen.apply(r));
    }
    for (int i = 0; i < N; i++) {
      T a = values.get(i);
      T b = values.get(r.nextInt(N));
      byte[] ka = KeyCodec.encode(List.of(type), new Object[] {a});
      byte[] kb = KeyCodec.encode(List.of(type), new Object[] {b});
      assertThat(Integer.signum(Arrays.compareUnsigned(ka, kb)))
          .as("%s vs %s", show(a), show(b))
          .isEqualTo(Integer.signum(order.compare(a, b)));
      Object back = KeyCodec.decode(List.of(type), ka, 0)[0];
      assertThat(order.compare(a, cast(back)))
          .as("round trip of %s", show(a))
          .isZero();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private static String show(Object o) {
    if (o instanceof float[]) {
      return Arrays.toString((float[]) o);
    }
    if (o instanceof byte[]) {
      return Arrays.toString((byte[]) o);
    }
    return String.valueOf(o);
  }

  @Test
  void integers_order_and_round_trip() {
    checkType(ColumnType.BIGINT, KeyCodecTest::edgyLong, Long::compare, "int8");
    checkType(ColumnType.INTEGER, r -> (int) edgyLong(r), Integer::compare, "int4");
    checkType(ColumnType.SMALLINT, r -> (short) edgyLong(r), Short::compare, "int2");
    checkType(ColumnType.DATE, r -> (int) edgyLong(r), Integer::compare, "date");
    checkType(ColumnType.TIMESTAMPTZ, KeyCodecTest::edgyLong, Long::compare, "timestamptz");
    checkType(ColumnType.BOOLEAN, Random::nextBoolean, Boolean::compare, "bool");
  }

  private static long edgyLong(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> Long.MIN_VALUE + r.nextInt(3);
      case 1 -> Long.MAX_VALUE - r.nextInt(3);
      case 2 -> r.nextInt(7) - 3;
      case 3 -> r.nextInt(70000) - 35000;
      default -> r.nextLong();
    };
  }

  /** SQL order for floats: -0 equals 0, NaN is greater than everything. */
  private static int sqlCompare(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
    }
    return a == b ? 0 : a < b ? -1 : 1;
  }

  @Test
  void floats_order_and_round_trip() {
    checkType(
        ColumnType.DOUBLE,
        KeyCodecTest::edgyDouble,
        (a, b) -> sqlCompare(a, b),
        "float8");
    checkType(
        ColumnType.REAL, r -> (float) edgyDouble(r), (a, b) -> sqlCompare(a, b), "float4");
  }

  private static double edgyDouble(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> -0.0;
      case 1 -> 0.0;
      case 2 -> Double.NaN;
      case 3 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      case 4 -> r.nextBoolean() ? Double.MIN_VALUE : -Double.MAX_VALUE;
      case 5 -> r.nextInt(5) - 2;
      default -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
    };
  }

  @Test
  void text_orders_by_code_point_and_round_trips() {
    checkType(ColumnType.TEXT, KeyCodecTest::edgyString, KeyCodecTest::codePointCompare, "text");
  }

  static String edgyString(Random r) {
    int len = r.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      switch (r.nextInt(6)) {
        case 0 -> sb.append('\u0000');
        case 1 -> sb.append('\u0001');
        case 2 -> sb.appendCodePoint(0x1F600 + r.nextInt(50));
        case 3 -> sb.append((char) (0xE000 + r.nextInt(0x1000)));
        case 4 -> sb.append((char) (0xFF + r.nextInt(2)));
        default -> sb.append((char) ('a' + r.nextInt(3)));
      }
    }
    return sb.toString();
  }

  private static int codePointCompare(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  @Test
  void bytea_orders_unsigned_and_round_trips() {
    checkType(
        ColumnType.of(PgType.BYTEA),
        r -> {
          byte[] b = new byte[r.nextInt(5)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) new int[] {0, 1, 0xFF, 0x7F, 0x80}[r.nextInt(5)];
          }
          return b;
        },
        Arrays::compareUnsigned,
        "bytea");
  }

  @Test
  void numeric_orders_by_value_and_round_trips() {
    checkType(
        ColumnType.NUMERIC,
        r -> {
          BigInteger unscaled = new BigInteger(r.nextInt(80) + 1, r);
          if (r.nextBoolean()) {
            unscaled = unscaled.negate();
          }
          if (r.nextInt(10) == 0) {
            unscaled = BigInteger.ZERO;
          }
          return new BigDecimal(unscaled, r.nextInt(40) - 20);
        },
        BigDecimal::compareTo,
        "numeric");
  }

  @Test
  void numeric_ignores_scale_but_not_value() {
    List<ColumnType> t = List.of(ColumnType.NUMERIC);
    assertThat(KeyCodec.encode(t, new Object[] {new BigDecimal("1.0")}))
        .isEqualTo(KeyCodec.encode(t, new Object[] {new BigDecimal("1.00")}));
    assertThat(KeyCodec.decode(t, KeyCodec.encode(t, new Object[] {new BigDecimal("-12.50")}), 0))
        .containsExactly(new BigDecimal("-12.5"));
  }

  @Test
  void vectors_order_element_wise_then_by_length() {
    checkType(
        new ColumnType(PgType.VECTOR, -1),
        r -> {
          float[] v = new float[r.nextInt(4)];
          for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(5) - 2 + (r.nextBoolean() ? 0.5f : 0f);
          }
          return v;
        },
        Arrays::compare,
        "vector");
  }

  @Test
  void composite_keys_compose() {
    List<ColumnType> types = List.of(ColumnType.TEXT, ColumnType.BIGINT, ColumnType.NUMERIC);
    Random r = random("composite");
    Comparator<Object[]> order =
        Comparator.<Object[], String>comparing(o -> (String) o[0], KeyCodecTest::codePointCompare)
            .thenComparing(o -> (Long) o[1])
            .thenComparing(o -> (BigDecimal) o[2]);
    for (int i = 0; i < N; i++) {
      Object[] a = {edgyString(r), (long) r.nextInt(3) - 1, BigDecimal.valueOf(r.nextInt(5), 1)};
      Object[] b = {edgyString(r), (long) r.nextInt(3) - 1, BigDecimal.valueOf(r.nextInt(5), 1)};
      if (r.nextBoolean()) {
        b[0] = a[0];
      }
      byte[] ka = KeyCodec.encode(types, a);
      byte[] kb = KeyCodec.encode(types, b);
      assertThat(Integer.signum(Arrays.compareUnsigned(ka, kb)))
          .as("%s vs %s", Arrays.toString(a), Arrays.toString(b))
          .isEqualTo(Integer.signum(order.compare(a, b)));
      Object[] back = KeyCodec.decode(types, ka, 0);
      assertThat(order.compare(a, back)).isZero();
    }
  }

  @Test
  void row_keys_carry_the_table_prefix() {
    byte[] k = KeyCodec.rowIdKey(16400, 7);
    assertThat(KeyCodec.tableIdOf(k)).isEqualTo(16400);
    assertThat(KeyCodec.rowIdOf(k)).isEqualTo(7);
    assertThat(Arrays.compareUnsigned(k, KeyCodec.tablePrefix(16400))).isPositive();
    assertThat(Arrays.compareUnsigned(k, KeyCodec.tableEnd(16400))).isNegative();
    assertThat(Arrays.compareUnsigned(KeyCodec.rowIdKey(16400, 8), k)).isPositive();
  }
}
