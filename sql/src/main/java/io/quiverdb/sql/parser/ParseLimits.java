package io.quiverdb.sql.parser;

/**
 * How much one query string may ask of the parser, so that no statement can overflow a statement
 * thread's stack or exhaust the heap: how deeply expressions, sub-queries and set operations may
 * nest, and how many tokens (comments and whitespace included) one query string may have.
 *
 * <p>Depth is counted in levels of the tree the statement becomes: a parenthesis, a function's
 * argument, a CASE branch, each operator of a chain such as {@code 1+1+1} (it nests to the left),
 * a unary sign, a cast, a sub-query, each UNION or JOIN of a chain. AND and OR chains do not count
 * per operator: they become balanced trees. The default, {@value #DEFAULT_MAX_DEPTH}, is what
 * every stage downstream (Calcite's validator and converter, our compiler and executor) survives
 * on a 16 MiB statement thread with room to spare, measured for each kind of nesting; PostgreSQL
 * refuses {@code 1+1+…} from about 5,000 terms with its 2 MB stack.
 *
 * <p>Tokens: ANTLR keeps every token of the string and the whole parse tree until the AST is
 * built; a flat list of literals (an IN list, VALUES rows, function arguments) peaks at about
 * 700 bytes per token while parsing (measured: 160,000 tokens of an IN list fit a 128 MB heap),
 * and planning stays below that. The default allows one query string
 * {@value #HEAP_FRACTION_PERCENT}% of the maximum heap at {@value #BYTES_PER_TOKEN} bytes a
 * token, and never fewer than {@value #MIN_TOKENS} tokens: a 10,000-row INSERT of vectors is
 * about 100,000.
 *
 * @param maxDepth the deepest nesting accepted (54001 beyond it)
 * @param maxTokens the most tokens of one query string (54000 beyond it)
 */
public record ParseLimits(int maxDepth, long maxTokens) {
  public static final int DEFAULT_MAX_DEPTH = 2500;

  /** The heap one query string's tokens may cost, in percent of the maximum heap. */
  static final int HEAP_FRACTION_PERCENT = 10;

  /** What a token of a flat list may cost from parse tree to plan, with room (bytes). */
  static final long BYTES_PER_TOKEN = 1024;

  /** The fewest tokens any heap allows. */
  static final long MIN_TOKENS = 131_072;

  /** PostgreSQL's cap on the entries of a target list (SELECT list, VALUES row, expanded *). */
  public static final int MAX_TARGET_LIST = 1664;

  public ParseLimits {
    if (maxDepth < 16) {
      throw new IllegalArgumentException("max_parse_depth must be at least 16, not " + maxDepth);
    }
    if (maxTokens < 1024) {
      throw new IllegalArgumentException(
          "max_parse_tokens must be at least 1024, not " + maxTokens);
    }
  }

  /** The default limits for a JVM whose heap may grow to {@code maxHeapBytes}. */
  public static ParseLimits forHeap(long maxHeapBytes) {
    long tokens = maxHeapBytes / 100 * HEAP_FRACTION_PERCENT / BYTES_PER_TOKEN;
    return new ParseLimits(DEFAULT_MAX_DEPTH, Math.max(MIN_TOKENS, tokens));
  }

  /** The default limits for this JVM's maximum heap. */
  public static ParseLimits defaults() {
    return forHeap(Runtime.getRuntime().maxMemory());
  }

  /** PostgreSQL's 54011 for a target list longer than {@link #MAX_TARGET_LIST}. */
  public static io.quiverdb.common.QuiverException tooManyTargetEntries() {
    return new io.quiverdb.common.QuiverException(io.quiverdb.common.SqlState.TOO_MANY_COLUMNS,
        "target lists can have at most " + MAX_TARGET_LIST + " entries");
  }

  public ParseLimits withMaxDepth(int depth) {
    return new ParseLimits(depth, maxTokens);
  }

  public ParseLimits withMaxTokens(long tokens) {
    return new ParseLimits(maxDepth, tokens);
  }
}
