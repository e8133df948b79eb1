package io.quiverdb.server;

import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.sql.parser.SqlParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Server-wide cache of parsed query strings and their plans, shared by all sessions. The key is the
 * query text plus the declared parameter types, so a repeated simple query or an unnamed Parse of
 * the same text skips both parsing and planning; a plan is reused only while it is still valid for
 * the catalog version (see {@link io.quiverdb.planner.PreparedQuery#isValid()}).
 */
final class PlanCache {
  /** A parsed query string and one plan slot per statement, filled on first execution. */
  record Entry(List<ParsedStatement> statements, AtomicReferenceArray<Object> plans) {}

  private final int capacity;
  private final Map<String, Entry> entries;

  PlanCache(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > PlanCache.this.capacity;
      }
    };
  }

  /** The cached entry for this text and parameter declaration, parsing on a miss. */
  Entry lookup(String sql, String parameterKey) {
    String key = parameterKey.isEmpty() ? sql : parameterKey + '\u0000' + sql;
    synchronized (entries) {
      Entry e = entries.get(key);
      if (e != null) {
        return e;
      }
    }
    List<ParsedStatement> statements = SqlParser.parse(sql);
    Entry fresh = new Entry(statements, new AtomicReferenceArray<>(statements.size()));
    synchronized (entries) {
      Entry raced = entries.putIfAbsent(key, fresh);
      return raced != null ? raced : fresh;
    }
  }
}
