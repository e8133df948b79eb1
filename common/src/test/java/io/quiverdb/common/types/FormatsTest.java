package io.quiverdb.common.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Text formats clients compare byte for byte: float4/float8, pgvector's vectors, timestamps. */
class FormatsTest {
  private static String state(Runnable r) {
    try {
      r.run();
    } catch (QuiverException e) {
      return e.state().code();
    }
    throw new AssertionError("no error");
  }

  @Test
  void float8_prints_as_postgres_does() {
    assertThat(FloatFormat.formatDouble(Math.sqrt(5), 1)).isEqualTo("2.23606797749979");
    assertThat(FloatFormat.formatDouble(Math.sqrt(6), 1)).isEqualTo("2.449489742783178");
    assertThat(FloatFormat.formatDouble(Math.sqrt(2), 0)).isEqualTo("1.4142135623731");
    assertThat(FloatFormat.formatDouble(1e20, 1)).isEqualTo("1e+20");
    assertThat(FloatFormat.formatDouble(0.0001, 1)).isEqualTo("0.0001");
    assertThat(FloatFormat.formatDouble(Double.NaN, 1)).isEqualTo("NaN");
    assertThat(FloatFormat.formatDouble(Double.NEGATIVE_INFINITY, 1)).isEqualTo("-Infinity");
  }

  @Test
  void vectors_print_and_parse_as_pgvector_does() {
    assertThat(Vectors.format(new float[] {0.1f, 1e-7f, 1.5e20f, -3})).isEqualTo(
        "[0.1,1e-07,1.5e+20,-3]");
    assertThat(Vectors.parse(" [1, 2.5 ,-3e-1] ", 3)).containsExactly(1f, 2.5f, -0.3f);
    assertThat(state(() -> Vectors.parse("[1,2", -1))).isEqualTo("22P02");
    assertThat(state(() -> Vectors.parse("1,2,3", -1))).isEqualTo("22P02");
    assertThat(state(() -> Vectors.parse("[1,2]", 3))).isEqualTo("22000");
    assertThat(state(() -> Vectors.parse("[1,NaN]", -1))).isIn("22000", "22P02");
    assertThatThrownBy(() -> Vectors.parse("[1,2]", 3)).hasMessage(
        "expected 3 dimensions, not 2");
  }

  @Test
  void timestamps_round_trip_through_text() {
    long micros = Timestamps.parseTimestamp("2024-01-02 03:04:05.123456");
    assertThat(Timestamps.formatTimestamp(micros)).isEqualTo("2024-01-02 03:04:05.123456");
    assertThat(Timestamps.formatTimestamptz(0L, ZoneId.of("UTC")))
        .isEqualTo("1970-01-01 00:00:00+00");
    assertThat(Timestamps.formatDate(Timestamps.parseDate("2024-02-29"))).isEqualTo("2024-02-29");
  }

  @Test
  void varchar_typmod_counts_the_header_as_postgres_does() {
    assertThat(ColumnType.varchar(10).typmod()).isEqualTo(14);
    assertThat(ColumnType.vector(3).typmod()).isEqualTo(3);
    assertThat(ColumnType.BIGINT.typmod()).isEqualTo(-1);
  }
}
