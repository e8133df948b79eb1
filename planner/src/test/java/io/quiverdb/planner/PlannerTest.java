package io.quiverdb.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.sql.parser.SqlParser;
import io.quiverdb.storage.StorageConfig;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.Transaction;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner over a real store: plans, their validity across DDL, EXPLAIN and errors. */
class PlannerTest {
  @TempDir
  Path dir;

  private Store store;
  private Planner planner;
  private final List<Notice> notices = new ArrayList<>();
  private final SessionContext session = new SessionContext() {
    @Override
    public String user() {
      return "quiver";
    }

    @Override
    public String database() {
      return "quiver";
    }

    @Override
    public ZoneId timeZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public String setting(String name) {
      return name.equals("server_version") ? "16.4 (QuiverDB 0.1.0)" : null;
    }

    @Override
    public void notice(Notice notice) {
      notices.add(notice);
    }

    @Override
    public io.quiverdb.common.CancelToken cancelToken() {
      return io.quiverdb.common.CancelToken.NONE;
    }

    @Override
    public Transaction transaction() {
      if (txn == null) {
        txn = store.begin();
      }
      return txn;
    }

    @Override
    public CatalogView catalog() {
      return txn != null ? txn.catalog() : store.catalog();
    }
  };
  /** The autocommit transaction of the statement being run. */
  private Transaction txn;

  @BeforeEach
  void open() {
    store = Store.open(dir, StorageConfig.DEFAULT);
    planner = new Planner(store);
    run("CREATE TABLE docs (id bigint PRIMARY KEY, tag text, embedding vector(2))");
    run("INSERT INTO docs VALUES (1, 'a', '[0,0]'), (2, 'b', '[1,1]'), (3, 'a', '[2,2]'),"
        + " (4, NULL, '[3,3]')");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private PreparedQuery prepare(String sql, ColumnType... declared) {
    ParsedStatement parsed = SqlParser.parse(sql).get(0);
    return planner.prepare(parsed, Arrays.asList(declared), session);
  }

  private List<String> run(String sql, Object... params) {
    PreparedQuery q = prepare(sql);
    List<String> rows = new ArrayList<>();
    try (QueryResult r = q.execute(params, session)) {
      Object[] row;
      while ((row = r.next()) != null) {
        StringBuilder sb = new StringBuilder();
        for (Object v : row) {
          sb.append(sb.length() == 0 ? "" : "|")
              .append(v instanceof float[] f ? Arrays.toString(f) : String.valueOf(v));
        }
        rows.add(sb.toString());
      }
      rows.add(r.commandTag());
    } catch (RuntimeException e) {
      if (txn != null) {
        txn.rollback();
        txn = null;
      }
      throw e;
    }
    if (txn != null) {
      txn.commit();
      txn = null;
    }
    return rows;
  }

  @Test
  void nearest_neighbours_with_a_filter_use_a_top_k_sort() {
    assertThat(run("SELECT id FROM docs WHERE tag = 'a' ORDER BY embedding <-> '[2.1,2.1]' LIMIT 1"))
        .containsExactly("3", "SELECT 1");
    assertThat(run("EXPLAIN SELECT id FROM docs ORDER BY embedding <-> '[0,0]' LIMIT 2"))
        .anySatisfy(line -> assertThat(line).startsWith("  ->  Top-K Sort by $1"))
        .anySatisfy(line -> assertThat(line).contains("Seq Scan on docs"));
  }

  @Test
  void primary_key_equality_looks_the_row_up_instead_of_scanning() {
    assertThat(run("EXPLAIN SELECT tag FROM docs WHERE id = 2 AND tag <> 'z'"))
        .anySatisfy(line -> assertThat(line).contains("Index Scan using docs_pkey on docs"))
        .noneSatisfy(line -> assertThat(line).contains("Seq Scan"));
    assertThat(run("SELECT tag FROM docs WHERE id = 2 AND tag <> 'z'"))
        .containsExactly("b", "SELECT 1");
    assertThat(run("SELECT tag FROM docs WHERE 3 = id")).containsExactly("a", "SELECT 1");
    assertThat(run("SELECT tag FROM docs WHERE id = 2 AND tag = 'z'")).containsExactly("SELECT 0");
    assertThat(run("SELECT tag FROM docs WHERE id = 9")).containsExactly("SELECT 0");
    assertThat(run("SELECT tag FROM docs WHERE id = $1", 1L)).containsExactly("a", "SELECT 1");
    assertThat(run("UPDATE docs SET tag = 'c' WHERE id = 4")).containsExactly("UPDATE 1");
    assertThat(run("DELETE FROM docs WHERE id = 1")).containsExactly("DELETE 1");
    assertThat(run("SELECT id, tag FROM docs ORDER BY id"))
        .containsExactly("2|b", "3|a", "4|c", "SELECT 3");
  }

  @Test
  void parameters_take_their_types_from_context() {
    PreparedQuery q = prepare("SELECT id, embedding <=> $1 FROM docs WHERE id BETWEEN $2 AND $3"
        + " ORDER BY 2 LIMIT $4");
    // LIMIT takes a bigint, as in PostgreSQL
    assertThat(q.parameterTypes()).extracting(ColumnType::displayName)
        .containsExactly("vector", "bigint", "bigint", "bigint");
    assertThat(q.columns()).extracting(ResultColumn::name).containsExactly("id", "?column?");
    assertThat(q.columns().get(0).tableOid()).isEqualTo(
        store.catalog().table("public", "docs").orElseThrow().oid());
  }

  @Test
  void aggregates_group_and_count() {
    assertThat(run("SELECT tag, count(*), max(id) FROM docs GROUP BY tag ORDER BY tag"))
        .containsExactly("a|2|3", "b|1|2", "null|1|4", "SELECT 3");
    assertThat(run("SELECT count(*), sum(id) FROM docs WHERE id > 10"))
        .containsExactly("0|null", "SELECT 1");
  }

  @Test
  void a_plan_becomes_invalid_when_ddl_changes_the_catalog() {
    PreparedQuery q = prepare("SELECT count(*) FROM docs");
    assertThat(q.isValid(store.catalog())).isTrue();
    run("CREATE TABLE other (id integer)");
    assertThat(q.isValid(store.catalog())).isFalse();
  }

  @Test
  void update_and_delete_write_through_the_plan() {
    assertThat(run("UPDATE docs SET tag = upper(tag) WHERE tag IS NOT NULL AND id < 3"))
        .containsExactly("UPDATE 2");
    assertThat(run("DELETE FROM docs WHERE tag = 'a'")).containsExactly("DELETE 1");
    assertThat(run("SELECT id, tag FROM docs ORDER BY id"))
        .containsExactly("1|A", "2|B", "4|null", "SELECT 3");
  }

  @Test
  void errors_carry_postgres_codes_and_positions() {
    assertThatThrownBy(() -> prepare("SELECT nope FROM docs"))
        .isInstanceOfSatisfying(QuiverException.class, e -> {
          assertThat(e.state().code()).isEqualTo("42703");
          assertThat(e.position()).isEqualTo(8);
        });
    assertThatThrownBy(() -> prepare("SELECT id FROM docs ORDER BY embedding <-> 1"))
        .isInstanceOfSatisfying(QuiverException.class,
            e -> assertThat(e.state().code()).isEqualTo("42883"));
    assertThatThrownBy(() -> run("SELECT id FROM docs ORDER BY embedding <-> '[1,2,3]' LIMIT 1"))
        .isInstanceOfSatisfying(QuiverException.class,
            e -> assertThat(e.getMessage()).isEqualTo("different vector dimensions 2 and 3"));
    assertThatThrownBy(() -> run("INSERT INTO docs VALUES (9, 'x', '[1,2,3]')"))
        .isInstanceOfSatisfying(QuiverException.class,
            e -> assertThat(e.state().code()).isEqualTo("22000"));
    assertThat(run("SELECT count(*) FROM docs")).containsExactly("4", "SELECT 1");
  }

  @Test
  void create_if_not_exists_notices_instead_of_failing() {
    assertThat(run("CREATE TABLE IF NOT EXISTS docs (id bigint)")).containsExactly("CREATE TABLE");
    assertThat(notices).extracting(Notice::message)
        .containsExactly("relation \"docs\" already exists, skipping");
  }
}
