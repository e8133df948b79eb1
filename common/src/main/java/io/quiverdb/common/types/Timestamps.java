package io.quiverdb.common.types;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

/**
 * Text forms of timestamp, timestamptz and date in PostgreSQL's ISO DateStyle; values are
 * microseconds since 1970-01-01 00:00 (wall clock for timestamp, UTC for timestamptz) and days since
 * 1970-01-01 for date.
 */
public final class Timestamps {
  private Timestamps() {}

  private static final DateTimeFormatter INPUT =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:mm", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH", "Z")
          .optionalEnd()
          .toFormatter();

  /** Parses timestamp input; a zone given in the text is ignored, as PostgreSQL does. */
  public static long parseTimestamp(String text) {
    try {
      var parsed = INPUT.parse(text.trim());
      LocalDate date = LocalDate.from(parsed);
      LocalDateTime t =
          parsed.isSupported(ChronoField.HOUR_OF_DAY)
              ? LocalDateTime.of(date, java.time.LocalTime.from(parsed))
              : date.atStartOfDay();
      return toMicros(t.toInstant(ZoneOffset.UTC));
    } catch (DateTimeException e) {
      throw invalid("timestamp without time zone", text);
    }
  }

  /** Parses timestamptz input; text without a zone is read in {@code sessionZone}. */
  public static long parseTimestamptz(String text, ZoneId sessionZone) {
    try {
      var parsed = INPUT.parse(text.trim());
      LocalDate date = LocalDate.from(parsed);
      LocalDateTime t =
          parsed.isSupported(ChronoField.HOUR_OF_DAY)
              ? LocalDateTime.of(date, java.time.LocalTime.from(parsed))
              : date.atStartOfDay();
      Instant instant =
          parsed.isSupported(ChronoField.OFFSET_SECONDS)
              ? t.toInstant(ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)))
              : ZonedDateTime.of(t, sessionZone).toInstant();
      return toMicros(instant);
    } catch (DateTimeException e) {
      throw invalid("timestamp with time zone", text);
    }
  }

  /** Parses a date ({@code 2026-11-24}) to days since the epoch. */
  public static int parseDate(String text) {
    try {
      return (int) LocalDate.parse(text.trim()).toEpochDay();
    } catch (DateTimeException e) {
      throw invalid("date", text);
    }
  }

  /** {@code 2026-11-24 10:00:00.5}: ISO DateStyle, fraction without trailing zeros. */
  public static String formatTimestamp(long micros) {
    LocalDateTime t = LocalDateTime.ofInstant(fromMicros(micros), ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder(32);
    appendDateTime(sb, t);
    return sb.toString();
  }

  /** {@code 2026-11-24 10:00:00+00} in the session's time zone, offset as PostgreSQL prints it. */
  public static String formatTimestamptz(long micros, ZoneId sessionZone) {
    OffsetDateTime t = OffsetDateTime.ofInstant(fromMicros(micros), sessionZone);
    StringBuilder sb = new StringBuilder(40);
    appendDateTime(sb, t.toLocalDateTime());
    int offset = t.getOffset().getTotalSeconds();
    sb.append(offset < 0 ? '-' : '+');
    offset = Math.abs(offset);
    append2(sb, offset / 3600);
    if (offset % 3600 != 0) {
      sb.append(':');
      append2(sb, offset % 3600 / 60);
      if (offset % 60 != 0) {
        sb.append(':');
        append2(sb, offset % 60);
      }
    }
    return sb.toString();
  }

  public static String formatDate(int days) {
    return LocalDate.ofEpochDay(days).toString();
  }

  public static long toMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  public static Instant fromMicros(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static void appendDateTime(StringBuilder sb, LocalDateTime t) {
    sb.append(t.toLocalDate()).append(' ');
    append2(sb, t.getHour());
    sb.append(':');
    append2(sb, t.getMinute());
    sb.append(':');
    append2(sb, t.getSecond());
    int micros = t.getNano() / 1000;
    if (micros != 0) {
      String frac = String.format("%06d", micros);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(frac, 0, end);
    }
  }

  private static void append2(StringBuilder sb, int v) {
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }

  private static QuiverException invalid(String type, String text) {
    return new QuiverException(
        SqlState.INVALID_DATETIME_FORMAT,
        "invalid input syntax for type " + type + ": \"" + text + "\"");
  }
}
