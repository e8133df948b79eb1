package io.quiverdb.sql.ast;

import java.util.List;

/**
 * One SQL statement of our PostgreSQL dialect. {@code pos} is where the statement starts in the
 * text given to the parser; {@link io.quiverdb.sql.parser.ParsedStatement} also keeps its text.
 */
public sealed interface Statement {
  Pos pos();

  /** A query: SELECT, VALUES or a set operation. */
  record QueryStatement(Query query, Pos pos) implements Statement {}

  /** One column in CREATE TABLE. */
  record ColumnDefinition(String name, TypeName type, boolean notNull, boolean primaryKey,
      Expr defaultValue, Pos pos) {}

  /**
   * {@code CREATE TABLE [IF NOT EXISTS] name (columns…, [PRIMARY KEY (cols)])}. {@code primaryKey}
   * holds the table-level PRIMARY KEY columns (empty when none was written at table level).
   */
  record CreateTable(QualifiedName name, boolean ifNotExists, List<ColumnDefinition> columns,
      List<String> primaryKey, Pos pos) implements Statement {
    public CreateTable {
      columns = List.copyOf(columns);
      primaryKey = List.copyOf(primaryKey);
    }
  }

  /** {@code DROP TABLE [IF EXISTS] a, b [CASCADE|RESTRICT]}. */
  record DropTable(List<QualifiedName> names, boolean ifExists, Pos pos) implements Statement {
    public DropTable {
      names = List.copyOf(names);
    }
  }

  /**
   * {@code CREATE INDEX [IF NOT EXISTS] [name] ON table USING method (column opclass) [WITH (k =
   * v, …)]}; {@code name}, {@code method} and {@code opclass} may be null (defaults).
   */
  record CreateIndex(String name, boolean ifNotExists, QualifiedName table, String method,
      String column, String opclass, java.util.Map<String, String> options, Pos pos)
      implements Statement {
    public CreateIndex {
      options = java.util.Map.copyOf(options);
    }
  }

  /**
   * {@code COPY table [(columns)] | (query) FROM STDIN | TO STDOUT [[WITH] (options)]}: {@code
   * query} is null for a table, {@code table} for a query. Options are in the order written, the
   * legacy forms ({@code WITH CSV HEADER}, {@code BINARY}, {@code DELIMITER ','}) turned into the
   * option they stand for.
   */
  record Copy(QualifiedName table, List<String> columns, Query query, boolean from,
      List<CopyOption> options, Pos pos) implements Statement {
    public Copy {
      columns = List.copyOf(columns);
      options = List.copyOf(options);
    }
  }

  /**
   * One COPY option: its lower-case name and its value as written (identifiers and keywords in
   * lower case), or null when the option has no value ({@code HEADER}).
   */
  record CopyOption(String name, String value, Pos pos) {
    public CopyOption {
      if (name == null || pos == null) {
        throw new IllegalArgumentException("a COPY option needs a name and a position");
      }
    }
  }

  /** {@code DROP INDEX [IF EXISTS] a, b}. */
  record DropIndex(List<QualifiedName> names, boolean ifExists, Pos pos) implements Statement {
    public DropIndex {
      names = List.copyOf(names);
    }
  }

  /** {@code column = value} in UPDATE or ON CONFLICT DO UPDATE. */
  record Assignment(String column, Expr value, Pos pos) {}

  /** {@code ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET … [WHERE …]}. */
  record OnConflict(List<String> columns, boolean doNothing, List<Assignment> assignments,
      Expr where, Pos pos) {
    public OnConflict {
      columns = List.copyOf(columns);
      assignments = List.copyOf(assignments);
    }
  }

  /**
   * {@code INSERT INTO t [(cols)] VALUES … | SELECT … [ON CONFLICT …] [RETURNING …]}. columns is
   * empty when not listed; onConflict null when absent; returning empty when absent.
   */
  record Insert(QualifiedName table, List<String> columns, Query source, OnConflict onConflict,
      List<Query.SelectItem> returning, Pos pos) implements Statement {
    public Insert {
      columns = List.copyOf(columns);
      returning = List.copyOf(returning);
    }
  }

  /** {@code UPDATE t [AS a] SET … [WHERE …] [RETURNING …]}. */
  record Update(QualifiedName table, String alias, List<Assignment> assignments, Expr where,
      List<Query.SelectItem> returning, Pos pos) implements Statement {
    public Update {
      assignments = List.copyOf(assignments);
      returning = List.copyOf(returning);
    }
  }

  /** {@code DELETE FROM t [AS a] [WHERE …] [RETURNING …]}. */
  record Delete(QualifiedName table, String alias, Expr where, List<Query.SelectItem> returning,
      Pos pos) implements Statement {
    public Delete {
      returning = List.copyOf(returning);
    }
  }

  /** {@code CREATE EXTENSION [IF NOT EXISTS] name [...]}. */
  record CreateExtension(String name, boolean ifNotExists, Pos pos) implements Statement {}

  /** Transaction control statements. */
  enum TransactionKind {
    BEGIN,
    COMMIT,
    ROLLBACK
  }

  /**
   * {@code BEGIN [WORK|TRANSACTION] [ISOLATION LEVEL …] [READ ONLY|READ WRITE]}, {@code START
   * TRANSACTION …}, {@code COMMIT}/{@code END}, {@code ROLLBACK}/{@code ABORT}. isolationLevel is
   * the words as written in lower case ("repeatable read"), or null.
   */
  record Transaction(TransactionKind kind, String isolationLevel, Pos pos) implements Statement {}

  /**
   * {@code SET [SESSION|LOCAL] name {TO|=} value[, …] | DEFAULT}, {@code SET TIME ZONE …}. Values
   * are kept as text: identifiers and keywords as written (folded), strings unquoted, numbers as
   * written. An empty list means DEFAULT. name is folded and may be dotted ({@code hnsw.ef_search}).
   */
  record SetVariable(String name, List<String> values, boolean local, Pos pos)
      implements Statement {
    public SetVariable {
      values = List.copyOf(values);
    }
  }

  /** {@code SHOW name} or {@code SHOW ALL} (name "all"). */
  record Show(String name, Pos pos) implements Statement {}

  /** {@code RESET name} or {@code RESET ALL} (name "all"). */
  record Reset(String name, Pos pos) implements Statement {}

  /** {@code EXPLAIN [ANALYZE] [VERBOSE] statement} or {@code EXPLAIN (ANALYZE, …) statement}. */
  record Explain(Statement statement, boolean analyze, boolean verbose, Pos pos)
      implements Statement {}

  /** An empty statement ({@code ;} alone or only comments): answered with EmptyQueryResponse. */
  record Empty(Pos pos) implements Statement {}
}
