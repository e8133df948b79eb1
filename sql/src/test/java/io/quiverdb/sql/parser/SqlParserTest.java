package io.quiverdb.sql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlParserTest {
  private static Statement one(String sql) {
    List<ParsedStatement> all = SqlParser.parse(sql);
    assertThat(all).hasSize(1);
    return all.get(0).statement();
  }

  private static Query.Select select(String sql) {
    return (Query.Select) ((Statement.QueryStatement) one(sql)).query();
  }

  private static QuiverException syntaxError(String sql) {
    try {
      SqlParser.parse(sql);
    } catch (QuiverException e) {
      assertThat(e.state().code()).isEqualTo("42601");
      return e;
    }
    throw new AssertionError("parsed: " + sql);
  }

  @Test
  void splits_statements_with_texts_and_offsets() {
    String sql = "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3)); "
        + "INSERT INTO items VALUES (1,'[1,2,3]'),(2,'[4;5;6]'); ;"
        + " SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]'"
        + " LIMIT 2; -- done; really";
    List<ParsedStatement> all = SqlParser.parse(sql);
    assertThat(all).hasSize(3);
    assertThat(all.get(1).text()).isEqualTo("INSERT INTO items VALUES (1,'[1,2,3]'),(2,'[4;5;6]')");
    assertThat(all.get(1).offset()).isEqualTo(sql.indexOf("INSERT"));
    assertThat(all.get(2).statement()).isInstanceOf(Statement.QueryStatement.class);
    assertThat(SqlParser.parse(" ; -- nothing")).isEmpty();
  }

  @Test
  void create_table_normalises_types_and_keys() {
    Statement.CreateTable ct = (Statement.CreateTable) one("create table if not exists \"Docs\" ("
        + "ID int8 primary key, Title character varying(20) not null, score float8, r real,"
        + " at timestamp with time zone, e vector(768), flag bool)");
    assertThat(ct.name().name()).isEqualTo("Docs");
    assertThat(ct.ifNotExists()).isTrue();
    assertThat(ct.columns()).extracting(c -> c.name() + ":" + c.type().name() + c.type().modifiers())
        .containsExactly("id:bigint[]", "title:varchar[20]", "score:double precision[]",
            "r:real[]", "at:timestamptz[]", "e:vector[768]", "flag:boolean[]");
    assertThat(ct.columns().get(0).primaryKey()).isTrue();
    assertThat(ct.columns().get(1).notNull()).isTrue();
  }

  @Test
  void distance_operators_bind_tighter_than_comparison_and_looser_than_addition() {
    Query.Select s = select("SELECT id FROM t WHERE e <-> $1 < 0.5 + 0.1 ORDER BY e <=> '[1,2]'");
    Expr.Binary lt = (Expr.Binary) s.where();
    assertThat(lt.op()).isEqualTo(Expr.BinaryOp.LT);
    assertThat(((Expr.Binary) lt.left()).op()).isEqualTo(Expr.BinaryOp.L2_DISTANCE);
    assertThat(((Expr.Binary) lt.right()).op()).isEqualTo(Expr.BinaryOp.PLUS);
    assertThat(((Expr.Binary) s.orderBy().get(0).expr()).op())
        .isEqualTo(Expr.BinaryOp.COSINE_DISTANCE);
    // The operator's position is the operator token's (PostgreSQL points errors there).
    assertThat(((Expr.Binary) lt.left()).pos().offset()).isEqualTo(25);
  }

  @Test
  void and_binds_tighter_than_or_and_between_keeps_its_and() {
    Query.Select s = select("SELECT 1 FROM t WHERE a BETWEEN 1 AND 2 AND b OR NOT c IS NULL");
    Expr.Binary or = (Expr.Binary) s.where();
    assertThat(or.op()).isEqualTo(Expr.BinaryOp.OR);
    Expr.Binary and = (Expr.Binary) or.left();
    assertThat(and.left()).isInstanceOf(Expr.Between.class);
    assertThat(((Expr.Unary) or.right()).operand()).isInstanceOf(Expr.IsNull.class);
  }

  @Test
  void identifiers_fold_unless_quoted_and_keywords_serve_as_names() {
    Query.Select s = select("SELECT Name, \"MixedCase\", version, timestamp FROM Items i");
    assertThat(s.items()).extracting(i -> ((Expr.ColumnRef) i.expr()).parts().get(0))
        .containsExactly("name", "MixedCase", "version", "timestamp");
    assertThat(((Query.TableRef) s.from().get(0)).alias()).isEqualTo("i");
  }

  @Test
  void session_statements() {
    assertThat(one("SET extra_float_digits = 3")).isEqualTo(
        new Statement.SetVariable("extra_float_digits", List.of("3"),
            false, ((Statement.SetVariable) one("SET extra_float_digits = 3")).pos()));
    Statement.SetVariable app = (Statement.SetVariable) one(
        "SET application_name = 'PostgreSQL JDBC Driver'");
    assertThat(app.values()).containsExactly("PostgreSQL JDBC Driver");
    assertThat(((Statement.SetVariable) one("SET hnsw.ef_search TO DEFAULT")).values()).isEmpty();
    assertThat(((Statement.Show) one("SHOW hnsw.ef_search")).name()).isEqualTo("hnsw.ef_search");
    assertThat(((Statement.Transaction) one("begin isolation level repeatable read"))
        .isolationLevel()).isEqualTo("repeatable read");
    assertThat(one("CREATE EXTENSION IF NOT EXISTS vector"))
        .isInstanceOf(Statement.CreateExtension.class);
  }

  @Test
  void syntax_errors_point_at_the_offending_token() {
    assertThat(syntaxError("SELEC 1").getMessage()).isEqualTo("syntax error at or near \"SELEC\"");
    assertThat(syntaxError("SELEC 1").position()).isEqualTo(1);
    QuiverException e = syntaxError("SELECT id FROM items WHERE id = = 1");
    assertThat(e.getMessage()).isEqualTo("syntax error at or near \"=\"");
    assertThat(e.position()).isEqualTo(33);
    assertThat(syntaxError("SELECT (").getMessage()).isEqualTo("syntax error at end of input");
    assertThat(syntaxError("SELECT 'abc").getMessage())
        .isEqualTo("unterminated quoted string at or near \"'abc\"");
    assertThatThrownBy(() -> SqlParser.parse("SELECT 1; SELEC 2"))
        .isInstanceOf(QuiverException.class);
  }

  @Test
  void literals_and_casts() {
    Query.Select s = select("SELECT E'a\\nb', 'it''s', -1, 1.5e3, '[1,2]'::vector(2),"
        + " CAST(1 AS bigint), timestamp '2024-01-01', count(*), $2");
    List<Expr> e = s.items().stream().map(Query.SelectItem::expr).toList();
    assertThat(((Expr.Literal) e.get(0)).text()).isEqualTo("a\nb");
    assertThat(((Expr.Literal) e.get(1)).text()).isEqualTo("it's");
    assertThat(e.get(2)).isInstanceOf(Expr.Unary.class);
    assertThat(((Expr.Literal) e.get(3)).kind()).isEqualTo(Expr.LiteralKind.DECIMAL);
    assertThat(((Expr.Cast) e.get(4)).type().modifiers()).containsExactly(2);
    assertThat(((Expr.Cast) e.get(5)).type().name()).isEqualTo("bigint");
    assertThat(((Expr.Cast) e.get(6)).type().name()).isEqualTo("timestamp");
    assertThat(((Expr.FunctionCall) e.get(7)).star()).isTrue();
    assertThat(((Expr.Parameter) e.get(8)).index()).isEqualTo(2);
  }
}
