package io.quiverdb.server;

import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.sql.parser.SqlParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Server-wide cache of parsed query strings and their plans, shared by all sessions. The key is the
 * query text plus the declared parameter types, so a repeated simple query or an unnamed Parse of
 * the same text skips both parsing and planning; a plan is reused only while it is still valid for
 * the catalog version (see {@link io.quiverdb.planner.PreparedQuery#isValid()}).
 *
 * <p>Its memory is bounded by the text it holds as well as by entries: a text over {@link
 * #MAX_CACHED_CHARS} is parsed but not kept (a huge literal or a long IN list is rarely sent
 * twice, and its tree is as large as its text), and the least recently used entries go when the
 * texts together pass {@link #MAX_TOTAL_CHARS}.
 */
final class PlanCache {
  /** A parsed query string and one plan slot per statement, filled on first execution. */
  record Entry(List<ParsedStatement> statements, AtomicReferenceArray<Object> plans) {}

  static final int MAX_CACHED_CHARS = 64 * 1024;
  static final long MAX_TOTAL_CHARS = 8L << 20;

  private final int capacity;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  /** The length of the cached keys together; guarded by {@code entries}. */
  private long totalChars;

  PlanCache(int capacity) {
    this.capacity = capacity;
  }

  /** The cached entry for this text and parameter declaration, or null; never parses. */
  Entry peek(String sql, String parameterKey) {
    String key = parameterKey.isEmpty() ? sql : parameterKey + '\u0000' + sql;
    synchronized (entries) {
      return entries.get(key);
    }
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
    if (key.length() > MAX_CACHED_CHARS) {
      return fresh;
    }
    synchronized (entries) {
      Entry raced = entries.putIfAbsent(key, fresh);
      if (raced != null) {
        return raced;
      }
      totalChars += key.length();
      var eldest = entries.entrySet().iterator();
      while ((entries.size() > capacity || totalChars > MAX_TOTAL_CHARS) && eldest.hasNext()) {
        totalChars -= eldest.next().getKey().length();
        eldest.remove();
      }
      return fresh;
    }
  }
}
