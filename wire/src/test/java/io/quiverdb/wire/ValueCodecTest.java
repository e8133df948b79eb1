package io.quiverdb.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.FormatSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueCodecTest {
  private static final FormatSettings DEFAULT = FormatSettings.DEFAULT;

  private static String hex(Object v, PgType type) {
    ByteBuf b = Unpooled.buffer();
    ValueCodec.write(b, v, type, true, DEFAULT);
    return ByteBufUtil.hexDump(b);
  }

  private static String text(Object v, PgType type, FormatSettings s) {
    ByteBuf b = Unpooled.buffer();
    ValueCodec.write(b, v, type, false, s);
    int length = b.readInt();
    return b.readCharSequence(length, java.nio.charset.StandardCharsets.UTF_8).toString();
  }

  @Test
  void text_output_matches_postgres() {
    assertThat(text(Math.sqrt(5), PgType.FLOAT8, DEFAULT)).isEqualTo("2.23606797749979");
    assertThat(text(Math.sqrt(2), PgType.FLOAT8, new FormatSettings(0, ZoneId.of("UTC"))))
        .isEqualTo("1.4142135623731");
    assertThat(text(true, PgType.BOOL, DEFAULT)).isEqualTo("t");
    assertThat(text(new float[] {1, 0.5f, 1e-7f}, PgType.VECTOR, DEFAULT))
        .isEqualTo("[1,0.5,1e-07]");
    assertThat(text(0L, PgType.TIMESTAMPTZ, new FormatSettings(1, ZoneId.of("UTC"))))
        .isEqualTo("1970-01-01 00:00:00+00");
  }

  @Test
  void binary_vector_is_pgvector_wire_form() {
    // length 12, dim 2, unused 0, 1.0f, 2.0f
    assertThat(hex(new float[] {1, 2}, PgType.VECTOR))
        .isEqualTo("0000000c" + "0002" + "0000" + "3f800000" + "40000000");
    ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000200003f80000040000000"));
    assertThat((float[]) ValueCodec.decode(in, 12, ColumnType.vector(2), true, DEFAULT))
        .containsExactly(1f, 2f);
  }

  @Test
  void binary_vector_of_the_wrong_dimension_is_22000() {
    ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000200003f80000040000000"));
    assertThatThrownBy(() -> ValueCodec.decode(in, 12, ColumnType.vector(3), true, DEFAULT))
        .isInstanceOfSatisfying(QuiverException.class,
            e -> assertThat(e.state().code()).isEqualTo("22000"));
  }

  @Test
  void binary_dates_and_timestamps_count_from_2000() {
    assertThat(hex(946_684_800_000_000L, PgType.TIMESTAMP)).isEqualTo("00000008" + "0".repeat(16));
    assertThat(hex(10_958, PgType.DATE)).isEqualTo("00000004" + "00000001");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "5.0", "0.05", "12345.678", "-1.5", "10000", "123456789012345678901234567890.12",
      "0.00001"})
  void binary_numeric_round_trips(String value) {
    BigDecimal v = new BigDecimal(value);
    ByteBuf b = Unpooled.buffer();
    ValueCodec.writeNumeric(b, v);
    int length = b.readInt();
    assertThat(length).isEqualTo(b.readableBytes());
    BigDecimal back = ValueCodec.readNumeric(b);
    assertThat(back).isEqualByComparingTo(v);
    assertThat(back.scale()).isEqualTo(Math.max(0, v.scale()));
  }

  @Test
  void binary_numeric_layout_matches_postgres() {
    // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
    ByteBuf b = Unpooled.buffer();
    ValueCodec.writeNumeric(b, new BigDecimal("12345.678"));
    assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0000000e" + "0003" + "0001" + "0000" + "0003"
        + "0001" + "0929" + "1a7c");
  }

  @Test
  void text_parameters_use_postgres_errors() {
    assertThatThrownBy(() -> ValueCodec.parseText("abc", ColumnType.INTEGER, DEFAULT))
        .hasMessage("invalid input syntax for type integer: \"abc\"");
    assertThatThrownBy(() -> ValueCodec.parseText("[1,2", ColumnType.vector(2), DEFAULT))
        .isInstanceOfSatisfying(QuiverException.class,
            e -> assertThat(e.state().code()).isEqualTo("22P02"));
    assertThat(ValueCodec.parseText("42", ColumnType.BIGINT, DEFAULT)).isEqualTo(42L);
    assertThat(ValueCodec.parseText("yes", ColumnType.BOOLEAN, DEFAULT)).isEqualTo(true);
  }

  @Test
  void binary_integers_accept_any_integer_width() {
    ByteBuf in = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 7});
    assertThat(ValueCodec.decode(in, 4, ColumnType.BIGINT, true, DEFAULT)).isEqualTo(7L);
  }
}
