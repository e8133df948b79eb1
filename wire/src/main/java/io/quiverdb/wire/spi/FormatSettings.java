package io.quiverdb.wire.spi;

import java.time.ZoneId;

/** Session settings that change how values print as text. */
public record FormatSettings(int extraFloatDigits, ZoneId timeZone) {
  public static final FormatSettings DEFAULT = new FormatSettings(1, ZoneId.of("UTC"));
}
