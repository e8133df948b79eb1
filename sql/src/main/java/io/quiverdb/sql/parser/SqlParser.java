package io.quiverdb.sql.parser;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Parses a query string of our PostgreSQL dialect into statements. The whole string is parsed
 * before anything runs (as PostgreSQL does), so a syntax error in the third statement means none
 * runs. Fast path: SLL prediction with bail-out; only a failing text is parsed again with full LL
 * to find the error PostgreSQL would report. {@link ParseLimits} bound how deep and how long a
 * query string may be; a limit, a cancel or a stack overflow ends the parse at once, without
 * the second pass.
 */
public final class SqlParser {
  private SqlParser() {}

  /** The statements of {@code sql} under this JVM's {@link ParseLimits#defaults()}. */
  public static List<ParsedStatement> parse(String sql) {
    return parse(sql, ParseLimits.defaults(), CancelToken.NONE);
  }

  /**
   * The statements of {@code sql}, empty ones dropped.
   *
   * @param cancel checked every 1024 tokens and rules
   * @throws QuiverException 42601 with the position of the offending token; 54001 when the text
   *     nests deeper than {@code limits} allow (or than the stack holds); 54000 when it has more
   *     tokens than they allow; 57014 when cancelled
   */
  public static List<ParsedStatement> parse(String sql, ParseLimits limits, CancelToken cancel) {
    try {
      return parseUnguarded(sql, limits, cancel);
    } catch (StackOverflowError e) {
      throw QuiverException.stackDepthExceeded("The statement nests too deeply for the server's"
          + " stack; at most " + limits.maxDepth() + " levels are allowed (max_parse_depth).");
    }
  }

  private static List<ParsedStatement> parseUnguarded(String sql, ParseLimits limits,
      CancelToken cancel) {
    CharStream chars = CharStreams.fromString(sql);
    QuiverSqlParser.ScriptContext script;
    try {
      script = parse(chars, PredictionMode.SLL, limits, cancel);
    } catch (ParseCancellationException sllFailed) {
      script = parse(chars, PredictionMode.LL, limits, cancel);
    }
    AstBuilder builder = new AstBuilder(chars, cancel);
    List<ParsedStatement> out = new ArrayList<>();
    for (QuiverSqlParser.StatementContext st : script.statement()) {
      int start = st.getStart().getStartIndex();
      int stop = st.getStop().getStopIndex();
      String text = chars.getText(Interval.of(start, stop));
      out.add(new ParsedStatement(builder.statement(st), text, start));
    }
    return out;
  }

  private static QuiverSqlParser.ScriptContext parse(CharStream chars, PredictionMode mode,
      ParseLimits limits, CancelToken cancel) {
    chars.seek(0);
    QuiverSqlLexer lexer = new QuiverSqlLexer(chars);
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(new LimitedTokenSource(lexer, limits, cancel));
    QuiverSqlParser parser = new LimitedParser(tokens, limits, cancel);
    parser.removeErrorListeners();
    parser.getInterpreter().setPredictionMode(mode);
    if (mode == PredictionMode.SLL) {
      parser.setErrorHandler(new BailErrorStrategy());
    } else {
      parser.addErrorListener(new BaseErrorListener() {
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
            int charPositionInLine, String msg, RecognitionException e) {
          throw SqlParser.syntaxError((Token) offendingSymbol, chars);
        }
      });
    }
    return parser.script();
  }

  static QuiverException syntaxError(Token token, CharStream chars) {
    if (token == null || token.getType() == Token.EOF) {
      return new QuiverException(SqlState.SYNTAX_ERROR, "syntax error at end of input")
          .withPosition(chars.size() + 1);
    }
    int position = token.getStartIndex() + 1;
    if (token.getType() == QuiverSqlLexer.UNTERMINATED_STRING) {
      return new QuiverException(SqlState.SYNTAX_ERROR,
          "unterminated quoted string at or near \"" + token.getText() + "\"")
          .withPosition(position);
    }
    return new QuiverException(SqlState.SYNTAX_ERROR,
        "syntax error at or near \"" + token.getText() + "\"").withPosition(position);
  }
}
