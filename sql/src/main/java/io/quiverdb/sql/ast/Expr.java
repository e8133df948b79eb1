package io.quiverdb.sql.ast;

import java.util.List;

/** A scalar expression; every node knows where it starts in the text. */
public sealed interface Expr {
  Pos pos();

  /** Literal kinds as the lexer saw them; numbers keep their text so no precision is lost. */
  enum LiteralKind {
    NULL,
    BOOLEAN,
    /** An integer literal that fits the digits given ({@code 42}); text holds the digits. */
    INTEGER,
    /** A numeric literal with a point or exponent ({@code 1.5}, {@code 1e-3}). */
    DECIMAL,
    /** A quoted string ({@code 'abc'}, {@code E'a\n'} already unescaped): type unknown until used. */
    STRING
  }

  /** A literal. {@code text} is the value's text (null for NULL; "true"/"false" for BOOLEAN). */
  record Literal(LiteralKind kind, String text, Pos pos) implements Expr {}

  /** A positional parameter {@code $n}; index is 1-based as written. */
  record Parameter(int index, Pos pos) implements Expr {}

  /** A column reference: {@code id}, {@code t.id}, {@code s.t.id}. */
  record ColumnRef(List<String> parts, Pos pos) implements Expr {
    public ColumnRef {
      parts = List.copyOf(parts);
    }
  }

  /** {@code *} or {@code t.*} in a select list or {@code count(*)}; qualifier may be empty. */
  record Star(List<String> qualifier, Pos pos) implements Expr {
    public Star {
      qualifier = List.copyOf(qualifier);
    }
  }

  /** Unary operators. */
  enum UnaryOp {
    NOT,
    NEGATE,
    PLUS
  }

  record Unary(UnaryOp op, Expr operand, Pos pos) implements Expr {}

  /**
   * Binary operators. The four pgvector distance operators are first-class: {@code <->} L2,
   * {@code <#>} negative inner product, {@code <=>} cosine distance, {@code <+>} L1.
   */
  enum BinaryOp {
    OR("OR"),
    AND("AND"),
    EQ("="),
    NE("<>"),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    PLUS("+"),
    MINUS("-"),
    MULTIPLY("*"),
    DIVIDE("/"),
    MODULO("%"),
    CONCAT("||"),
    L2_DISTANCE("<->"),
    NEGATIVE_INNER_PRODUCT("<#>"),
    COSINE_DISTANCE("<=>"),
    L1_DISTANCE("<+>"),
    /** POSIX regex match {@code ~}; {@code !~}, {@code ~*} come as REGEX_* below. */
    REGEX_MATCH("~"),
    REGEX_NOT_MATCH("!~"),
    REGEX_IMATCH("~*"),
    REGEX_NOT_IMATCH("!~*");

    private final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** {@code pos} is where the operator token is (PostgreSQL points errors at the operator). */
  record Binary(BinaryOp op, Expr left, Expr right, Pos pos) implements Expr {}

  /**
   * A function call: {@code count(*)} has star = true and no args; {@code count(DISTINCT x)} has
   * distinct = true. Name parts are folded like identifiers ({@code pg_catalog.version}).
   */
  record FunctionCall(QualifiedName name, List<Expr> args, boolean distinct, boolean star, Pos pos)
      implements Expr {
    public FunctionCall {
      args = List.copyOf(args);
    }
  }

  /** {@code x::type} or {@code CAST(x AS type)}; also {@code type 'literal'} (e.g. timestamp '…'). */
  record Cast(Expr operand, TypeName type, Pos pos) implements Expr {}

  /** {@code x IS [NOT] NULL}. */
  record IsNull(Expr operand, boolean negated, Pos pos) implements Expr {}

  /** {@code x IS [NOT] TRUE / FALSE}. */
  record IsBoolean(Expr operand, boolean value, boolean negated, Pos pos) implements Expr {}

  /** {@code x [NOT] IN (a, b, …)}. */
  record InList(Expr operand, List<Expr> values, boolean negated, Pos pos) implements Expr {
    public InList {
      values = List.copyOf(values);
    }
  }

  /** {@code x [NOT] IN (SELECT …)}. */
  record InSubquery(Expr operand, Query query, boolean negated, Pos pos) implements Expr {}

  /** {@code [NOT] EXISTS (SELECT …)}. */
  record Exists(Query query, boolean negated, Pos pos) implements Expr {}

  /** A scalar sub-query {@code (SELECT …)}. */
  record ScalarSubquery(Query query, Pos pos) implements Expr {}

  /** {@code x [NOT] BETWEEN low AND high}. */
  record Between(Expr operand, Expr low, Expr high, boolean negated, Pos pos) implements Expr {}

  /** {@code x [NOT] LIKE / ILIKE pattern [ESCAPE e]}; escape may be null. */
  record Like(Expr operand, Expr pattern, Expr escape, boolean negated, boolean caseInsensitive,
      Pos pos) implements Expr {}

  /** One {@code WHEN cond THEN result} arm. */
  record When(Expr condition, Expr result) {}

  /** {@code CASE [operand] WHEN … THEN … [ELSE …] END}; operand and elseResult may be null. */
  record Case(Expr operand, List<When> whens, Expr elseResult, Pos pos) implements Expr {
    public Case {
      whens = List.copyOf(whens);
    }
  }

  /** {@code ARRAY[a, b]}. */
  record ArrayConstructor(List<Expr> elements, Pos pos) implements Expr {
    public ArrayConstructor {
      elements = List.copyOf(elements);
    }
  }

  /** {@code x = ANY (array)} and friends; op is a comparison. */
  record AnyAll(Expr operand, BinaryOp op, Expr array, boolean all, Pos pos) implements Expr {}
}
