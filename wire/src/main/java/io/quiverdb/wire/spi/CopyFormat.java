package io.quiverdb.wire.spi;

/**
 * The form of COPY data: PostgreSQL's text format (one line per row, tab-separated by default,
 * {@code \N} for NULL, backslash escapes), CSV, or binary (a signature header, then per row a
 * field count and length-prefixed values in each type's binary send form).
 */
public record CopyFormat(Kind kind, char delimiter, String nullString, boolean header, char quote,
    char escape) {
  public enum Kind { TEXT, CSV, BINARY }

  public static final CopyFormat TEXT = new CopyFormat(Kind.TEXT, '\t', "\\N", false, '"', '"');

  public boolean binary() {
    return kind == Kind.BINARY;
  }
}
