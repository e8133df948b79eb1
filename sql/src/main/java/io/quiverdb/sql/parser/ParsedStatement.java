package io.quiverdb.sql.parser;

import io.quiverdb.sql.ast.Statement;

/**
 * One statement cut from a query string: its AST, its own text (without the trailing semicolon) and
 * the 0-based offset of that text in the whole string (AST positions are relative to the whole
 * string, so error positions point into what the client sent).
 */
public record ParsedStatement(Statement statement, String text, int offset) {}
