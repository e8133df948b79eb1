package io.quiverdb.wire.spi;

/**
 * The form of COPY data: PostgreSQL's text format (one line per row, tab-separated by default,
 * {@code \N} for NULL, backslash escapes), CSV (quoted fields, empty unquoted field for NULL), or
 * binary (a signature header, then per row a field count and length-prefixed values in each
 * type's binary send form). The session checks the options the way PostgreSQL does before it
 * builds one.
 */
public record CopyFormat(Kind kind, char delimiter, String nullString, Header header, char quote,
    char escape) {
  /** The three formats. */
  public enum Kind { TEXT, CSV, BINARY }

  /**
   * The first line of text or CSV data: absent, column names (skipped on input), or column names
   * that input must match ({@code HEADER MATCH}).
   */
  public enum Header { NONE, PRESENT, MATCH }

  /** PostgreSQL's defaults: text, tab, {@code \N}, no header. */
  public static final CopyFormat TEXT =
      new CopyFormat(Kind.TEXT, '\t', "\\N", Header.NONE, '"', '"');

  public CopyFormat {
    if (kind == null || nullString == null || header == null) {
      throw new IllegalArgumentException("kind, null string and header are required");
    }
  }

  public boolean binary() {
    return kind == Kind.BINARY;
  }

  public boolean csv() {
    return kind == Kind.CSV;
  }
}
