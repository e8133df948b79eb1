package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.types.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The row encoding sizes its buffer before writing (so a commit can encode straight into a
 * reused one): the computed size is exactly what is written, for any text (surrogates, paired
 * or not, included) and any numeric.
 */
class RowCodecPropertiesTest {
  private static final List<ColumnDef> COLUMNS = List.of(
      new ColumnDef("t", ColumnType.TEXT, false), new ColumnDef("n", ColumnType.NUMERIC, false));

  @Property
  void the_computed_size_is_the_written_size(@ForAll String text, @ForAll BigInteger unscaled,
      @ForAll byte scale) {
    BigDecimal n = new BigDecimal(unscaled, scale);
    byte[] encoded = RowCodec.encode(COLUMNS, new Object[] {text, n});
    int expected = 3 + 1 + 4 + text.getBytes(StandardCharsets.UTF_8).length
        + 8 + unscaled.toByteArray().length;
    assertThat(encoded).hasSize(expected);
    Object[] back = RowCodec.decode(COLUMNS, encoded);
    assertThat(back[0]).isEqualTo(new String(text.getBytes(StandardCharsets.UTF_8),
        StandardCharsets.UTF_8));
    assertThat(back[1]).isEqualTo(n);
  }
}
