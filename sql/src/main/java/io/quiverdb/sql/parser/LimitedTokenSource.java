package io.quiverdb.sql.parser;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * The lexer as the parser sees it, with the limits of {@link ParseLimits} applied as tokens are
 * made: at most {@code maxTokens} tokens (ANTLR's token stream keeps every one), brackets nested
 * at most {@code maxDepth} deep (so that the parser's look-ahead over a run of {@code (((…} stops
 * there instead of scanning the whole run), and a check of the cancel token every 1024 tokens.
 */
final class LimitedTokenSource implements TokenSource {
  private final TokenSource lexer;
  private final ParseLimits limits;
  private final CancelToken cancel;
  private long count;
  private int brackets;

  LimitedTokenSource(TokenSource lexer, ParseLimits limits, CancelToken cancel) {
    this.lexer = lexer;
    this.limits = limits;
    this.cancel = cancel;
  }

  @Override
  public Token nextToken() {
    Token t = lexer.nextToken();
    if (++count > limits.maxTokens()) {
      throw new QuiverException(SqlState.PROGRAM_LIMIT_EXCEEDED,
          "query string has more than " + limits.maxTokens() + " tokens",
          null, "The server parses at most " + limits.maxTokens() + " tokens per query string"
              + " (max_parse_tokens); send the rows in several statements or with COPY.",
          t.getStartIndex() + 1);
    }
    if ((count & 1023) == 0) {
      cancel.check();
    }
    switch (t.getType()) {
      case QuiverSqlLexer.LPAREN, QuiverSqlLexer.LBRACKET -> {
        if (++brackets > limits.maxDepth()) {
          throw LimitedParser.tooDeep(limits);
        }
      }
      case QuiverSqlLexer.RPAREN, QuiverSqlLexer.RBRACKET -> brackets = Math.max(0, brackets - 1);
      default -> { }
    }
    return t;
  }

  @Override
  public int getLine() {
    return lexer.getLine();
  }

  @Override
  public int getCharPositionInLine() {
    return lexer.getCharPositionInLine();
  }

  @Override
  public CharStream getInputStream() {
    return lexer.getInputStream();
  }

  @Override
  public String getSourceName() {
    return lexer.getSourceName();
  }

  @Override
  public void setTokenFactory(TokenFactory<?> factory) {
    lexer.setTokenFactory(factory);
  }

  @Override
  public TokenFactory<?> getTokenFactory() {
    return lexer.getTokenFactory();
  }
}
