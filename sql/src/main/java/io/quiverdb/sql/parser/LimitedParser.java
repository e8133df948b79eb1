package io.quiverdb.sql.parser;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import java.util.Arrays;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

/**
 * The generated parser with a depth limit, counted while it parses so that a deep statement stops
 * at the limit instead of after reading all of it (or overflowing the stack).
 *
 * <p>Invariant: {@code depth} is the depth, in tree levels (see {@link ParseLimits}), of the
 * innermost node being parsed. Entering {@code statement}, {@code selectStatement} or {@code expr},
 * or a parenthesized FROM item, adds one; so does every operator token of a chain ({@code 1+1+1}
 * nests to the left, {@code - - 1} to the right), every further iteration of a left-recursive rule
 * (UNION, INTERSECT and JOIN chains) and every cast. A rule's exit restores the depth its entry
 * saw, so an operator counts for the rest of the rule that consumed it; one consumed by a small
 * operator rule ({@code comparisonOperator}, {@code otherOperator}, {@code isSuffix}) counts for
 * the rule that called it. Every cycle of the grammar passes through a counted rule or token, so
 * the parser's own recursion is at most a few frames per level too. AND and OR do not count: the
 * AstBuilder makes balanced trees of them.
 *
 * <p>It also counts the entries of each SELECT list and VALUES row, to stop at PostgreSQL's 1664th.
 */
final class LimitedParser extends QuiverSqlParser {
  private final ParseLimits limits;
  private final CancelToken cancel;
  private int depth;
  /** The depth to restore when each open rule exits, innermost last. */
  private int[] saved = new int[64];
  /** The select items or VALUES items each open rule has so far, innermost last. */
  private int[] items = new int[64];
  private int frames;
  private int entries;

  LimitedParser(TokenStream input, ParseLimits limits, CancelToken cancel) {
    super(input);
    this.limits = limits;
    this.cancel = cancel;
  }

  static QuiverException tooDeep(ParseLimits limits) {
    return QuiverException.stackDepthExceeded("Expressions, sub-queries and set operations may"
        + " nest at most " + limits.maxDepth() + " levels deep (max_parse_depth).");
  }

  private void push(int ruleIndex) {
    if (frames == saved.length) {
      saved = Arrays.copyOf(saved, frames * 2);
      items = Arrays.copyOf(items, frames * 2);
    }
    switch (ruleIndex) {
      case RULE_selectItem, RULE_valuesItem -> {
        if (frames > 0 && ++items[frames - 1] > ParseLimits.MAX_TARGET_LIST) {
          throw ParseLimits.tooManyTargetEntries();
        }
      }
      default -> { }
    }
    items[frames] = 0;
    saved[frames++] = depth;
    switch (ruleIndex) {
      case RULE_statement, RULE_selectStatement, RULE_expr -> deeper();
      default -> { }
    }
    if ((++entries & 1023) == 0) {
      cancel.check();
    }
  }

  private void deeper() {
    if (++depth > limits.maxDepth()) {
      throw tooDeep(limits);
    }
  }

  @Override
  public void enterRule(ParserRuleContext localctx, int state, int ruleIndex) {
    push(ruleIndex);
    super.enterRule(localctx, state, ruleIndex);
  }

  @Override
  public void enterOuterAlt(ParserRuleContext localctx, int alt) {
    if (localctx instanceof ParenthesizedFromContext) {
      deeper();
    }
    super.enterOuterAlt(localctx, alt);
  }

  @Override
  public void exitRule() {
    depth = saved[--frames];
    trimChildren();
    super.exitRule();
  }

  /**
   * In a long query string, shrinks the finished rule's child list to its size: ANTLR's lists
   * start with room for ten children and most rules of an expression have one, so a flat list of
   * literals keeps a quarter less parse tree per token (an 80,000-element IN list parses in a
   * 128 MB heap; 60,000 did before). Short strings skip it: it would cost them a tenth of their
   * parse time.
   */
  private void trimChildren() {
    if (_input.index() > 4096 && _ctx.children instanceof java.util.ArrayList<?> list) {
      list.trimToSize();
    }
  }

  @Override
  public void enterRecursionRule(ParserRuleContext localctx, int state, int ruleIndex,
      int precedence) {
    push(ruleIndex);
    super.enterRecursionRule(localctx, state, ruleIndex, precedence);
  }

  @Override
  public void pushNewRecursionContext(ParserRuleContext localctx, int state, int ruleIndex) {
    deeper();
    super.pushNewRecursionContext(localctx, state, ruleIndex);
  }

  @Override
  public void unrollRecursionContexts(ParserRuleContext parentctx) {
    depth = saved[--frames];
    trimChildren();
    super.unrollRecursionContexts(parentctx);
  }

  @Override
  public Token consume() {
    Token t = super.consume();
    if (nests(t.getType())) {
      deeper();
      int rule = _ctx.getRuleIndex();
      if (rule == RULE_comparisonOperator || rule == RULE_otherOperator
          || rule == RULE_isSuffix) {
        saved[frames - 1]++;
      }
    }
    return t;
  }

  /** Operators that put their operand one level deeper in the tree. */
  private static boolean nests(int tokenType) {
    return switch (tokenType) {
      case PLUS, MINUS, STAR, SLASH, PERCENT, NOT, DOUBLE_COLON, IS, ISNULL, NOTNULL,
          EQ, NE, NE2, LT, LE, GT, GE, L2_DISTANCE, NEGATIVE_INNER_PRODUCT, COSINE_DISTANCE,
          L1_DISTANCE, CONCAT, TILDE, NOT_TILDE, TILDE_STAR, NOT_TILDE_STAR -> true;
      default -> false;
    };
  }
}
