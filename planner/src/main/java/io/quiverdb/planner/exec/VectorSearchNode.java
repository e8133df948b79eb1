package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.IndexDef;
import io.quiverdb.storage.NearestRows;
import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.Transaction;
import java.util.List;

/**
 * An HNSW index scan: the {@code offset + limit} rows nearest to the query vector by the index's
 * metric, nearest first, among the rows the statement's snapshot sees and the filter (if any)
 * passes. The filter is checked inside the graph search, so it never starves the result of rows.
 * The sort above re-ranks these few rows by the exact distance expression.
 */
public final class VectorSearchNode implements ExecNode {
  private static final int DEFAULT_EF_SEARCH = 40;

  private final TableDef table;
  private final IndexDef index;
  private final String columnName;
  private final Eval query;
  private final Eval offset;
  private final Eval fetch;
  private final Eval filter;
  private final String filterText;
  private final String queryText;
  private final ExecNode fallback;

  /**
   * @param fallback what runs instead when the limit is NULL or the query vector is: the plain
   *     scan (and filter) this search replaces, whose rows the sort above orders exactly
   */
  public VectorSearchNode(TableDef table, IndexDef index, Eval query, String queryText,
      Eval offset, Eval fetch, Eval filter, String filterText, ExecNode fallback) {
    this.fallback = fallback;
    this.table = table;
    this.index = index;
    this.columnName = table.columns().get(index.column()).name();
    this.query = query;
    this.queryText = queryText;
    this.offset = offset;
    this.fetch = fetch;
    this.filter = filter;
    this.filterText = filterText;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    Object q = query.eval(null, ctx);
    long limit = count(fetch, ctx);
    if (q == null || limit < 0) {
      return fallback.open(ctx);
    }
    long k = limit + Math.max(0, count(offset, ctx));
    if (k == 0) {
      return RowIterator.EMPTY;
    }
    int ef = efSearch(ctx);
    Transaction txn = ctx.transaction();
    Transaction.RowFilter accept = filter == null ? null
        : row -> Boolean.TRUE.equals(filter.eval(row, ctx));
    NearestRows found = txn.nearest(table, index, (float[]) q, (int) Math.min(k, 1 << 20), ef,
        accept);
    ctx.analyzed(this, "Nodes Visited: " + found.nodesVisited() + "  Distances: "
        + found.distancesComputed() + "  Exact Rows: " + found.exactRows() + "  Graphs: "
        + found.graphsSearched() + (found.graphShortfalls() == 0 ? ""
            : " (" + found.graphShortfalls() + " short, scanned exactly)") + "  ef_search: " + ef);
    return new RowIterator() {
      private int next;

      @Override
      public Object[] next() {
        if (next >= found.size()) {
          return null;
        }
        long id = found.rowId(next++);
        ctx.setCurrentRowId(id);
        return txn.row(table, id);
      }

      @Override
      public void close() {}
    };
  }

  private static int efSearch(ExecContext ctx) {
    String v = ctx.session() == null ? null : ctx.session().setting("hnsw.ef_search");
    try {
      return v == null ? DEFAULT_EF_SEARCH : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return DEFAULT_EF_SEARCH;
    }
  }

  private static long count(Eval e, ExecContext ctx) {
    if (e == null) {
      return -1;
    }
    Object v = e.eval(null, ctx);
    if (v == null) {
      return -1;
    }
    long n = ((Number) v).longValue();
    if (n < 0) {
      throw new QuiverException(SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
          "LIMIT must not be negative");
    }
    return n;
  }

  @Override
  public String describe() {
    return "Index Scan using " + index.name() + " on " + table.name() + "  Order By: ("
        + columnName + " " + index.metric().operator() + " " + queryText + ")"
        + (filterText == null ? "" : "  Filter: " + filterText);
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of();
  }
}
