package io.quiverdb.common.types;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The allocation-free decimal reader agrees with Float.parseFloat wherever it answers. */
class DecimalParsePropertiesTest {
  private static void agrees(String s) {
    float fast = Vectors.parseDecimal(s, 0, s.length());
    if (!Float.isNaN(fast)) {
      assertThat(Float.floatToRawIntBits(fast)).as(s)
          .isEqualTo(Float.floatToRawIntBits(Float.parseFloat(s)));
    }
  }

  @Property(tries = 5000)
  void shortest_float_strings(@ForAll float f) {
    if (!Float.isNaN(f) && !Float.isInfinite(f)) {
      agrees(Float.toString(f));
      assertThat(Vectors.parseDecimal(Float.toString(f), 0, Float.toString(f).length()))
          .isIn(f, Float.NaN);
    }
  }

  @Property(tries = 5000)
  void arbitrary_decimals(@ForAll @LongRange(min = 0, max = 999_999_999_999L) long digits,
      @ForAll @IntRange(min = 0, max = 12) int point, @ForAll @IntRange(min = -30, max = 30) int e,
      @ForAll boolean negative) {
    String d = Long.toString(digits);
    String s = (negative ? "-" : "") + (point < d.length()
        ? d.substring(0, d.length() - point) + "." + d.substring(d.length() - point) : d);
    agrees(s);
    agrees(s + "e" + e);
  }

  @Test
  void reads_the_common_forms_itself_and_leaves_the_rest() {
    assertThat(Vectors.parseDecimal("0.5", 0, 3)).isEqualTo(0.5f);
    assertThat(Vectors.parseDecimal("-1.25e2", 0, 7)).isEqualTo(-125f);
    assertThat(Vectors.parseDecimal("-0", 0, 2)).isEqualTo(-0f);
    assertThat(Vectors.parseDecimal("1e-45", 0, 5)).isNaN(); // subnormal: exact parser
    assertThat(Vectors.parseDecimal("1e", 0, 2)).isNaN();
    assertThat(Vectors.parseDecimal(".", 0, 1)).isNaN();
    assertThat(Vectors.parseDecimal("inf", 0, 3)).isNaN();
    assertThat(Vectors.parse("[1.5, -2e3,0.1]", 3)).containsExactly(1.5f, -2000f, 0.1f);
  }
}
