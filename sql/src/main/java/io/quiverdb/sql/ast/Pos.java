package io.quiverdb.sql.ast;

/**
 * Where a node starts in the query text: a 0-based character offset into the whole text given to
 * the parser, and the 1-based line and column Calcite wants. ErrorResponse's P field is
 * {@code offset + 1}.
 */
public record Pos(int offset, int line, int column) {
  public static final Pos NONE = new Pos(-1, 0, 0);

  /** 1-based character position for the ErrorResponse P field; 0 when unknown. */
  public int errorPosition() {
    return offset < 0 ? 0 : offset + 1;
  }
}
