package io.quiverdb.server;

import static io.quiverdb.server.PgAssert.error;
import static io.quiverdb.server.PgAssert.sqlState;
import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.util.ServerErrorMessage;

/** Transactions over pgJDBC: isolation, conflicts, aborted blocks, atomic DDL, keys, upserts. */
class TransactionsPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      return String.join(",", rows(rs));
    }
  }

  private static TransactionState state(Connection c) {
    return ((BaseConnection) c).getTransactionState();
  }

  @Test
  void concurrent_updates_of_one_row_let_the_first_committer_win() throws Exception {
    try (Connection setup = SERVER.connect(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE acct (id int PRIMARY KEY, balance bigint)");
      s.execute("INSERT INTO acct VALUES (1, 100), (2, 100)");
    }
    try (Connection c1 = SERVER.connect(); Connection c2 = SERVER.connect();
        Statement s1 = c1.createStatement(); Statement s2 = c2.createStatement()) {
      c1.setAutoCommit(false);
      c2.setAutoCommit(false);
      assertThat(one(s1, "SELECT balance FROM acct WHERE id = 1")).isEqualTo("100");
      assertThat(one(s2, "SELECT balance FROM acct WHERE id = 1")).isEqualTo("100");
      assertThat(s1.executeUpdate("UPDATE acct SET balance = balance - 10 WHERE id = 1"))
          .isEqualTo(1);
      assertThat(s2.executeUpdate("UPDATE acct SET balance = balance + 50 WHERE id = 1"))
          .isEqualTo(1);
      assertThat(one(s1, "SELECT balance FROM acct WHERE id = 1")).isEqualTo("90");
      assertThat(one(s2, "SELECT balance FROM acct WHERE id = 1")).isEqualTo("150");
      c1.commit();
      assertThat(one(s2, "SELECT balance FROM acct WHERE id = 1"))
          .as("c2 keeps its snapshot").isEqualTo("150");
      ServerErrorMessage e = error(c2::commit);
      assertThat(e.getSQLState()).isEqualTo("40001");
      assertThat(e.getMessage()).isEqualTo("could not serialize access due to concurrent update");
      assertThat(state(c2)).isEqualTo(TransactionState.IDLE);
      // the loser retries and succeeds on the new state
      assertThat(s2.executeUpdate("UPDATE acct SET balance = balance + 50 WHERE id = 1"))
          .isEqualTo(1);
      c2.commit();
      assertThat(one(s1, "SELECT balance FROM acct WHERE id = 1")).isEqualTo("140");
      c1.commit();
    }
  }

  @Test
  void an_update_of_a_row_changed_after_the_snapshot_fails_at_once_and_aborts_the_block()
      throws Exception {
    try (Connection setup = SERVER.connect(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE late (id int PRIMARY KEY, v text)");
      s.execute("INSERT INTO late VALUES (1, 'a')");
    }
    try (Connection c1 = SERVER.connect(); Connection c2 = SERVER.connect();
        Statement s1 = c1.createStatement(); Statement s2 = c2.createStatement()) {
      s1.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
      assertThat(one(s1, "SELECT v FROM late")).isEqualTo("a");
      s2.execute("UPDATE late SET v = 'b' WHERE id = 1");
      assertThat(one(s1, "SELECT v FROM late")).isEqualTo("a");
      assertThat(sqlState(() -> s1.execute("DELETE FROM late WHERE id = 1"))).isEqualTo("40001");
      assertThat(state(c1)).isEqualTo(TransactionState.FAILED);
      ServerErrorMessage e = error(() -> s1.executeQuery("SELECT 1"));
      assertThat(e.getSQLState()).isEqualTo("25P02");
      assertThat(e.getMessage()).isEqualTo(
          "current transaction is aborted, commands ignored until end of transaction block");
      s1.execute("ROLLBACK");
      assertThat(state(c1)).isEqualTo(TransactionState.IDLE);
      assertThat(one(s1, "SELECT v FROM late")).isEqualTo("b");
      assertThat(sqlState(() -> s1.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")))
          .isEqualTo("0A000");
    }
  }

  @Test
  void uncommitted_writes_are_invisible_and_rollback_undoes_them() throws Exception {
    try (Connection c1 = SERVER.connect(); Connection c2 = SERVER.connect();
        Statement s1 = c1.createStatement(); Statement s2 = c2.createStatement()) {
      s1.execute("CREATE TABLE vis (id int PRIMARY KEY, embedding vector(2))");
      s1.execute("BEGIN");
      assertThat(state(c1)).isEqualTo(TransactionState.OPEN);
      s1.execute("INSERT INTO vis VALUES (1, '[1,1]'), (2, '[2,2]')");
      s1.execute("DELETE FROM vis WHERE id = 2");
      assertThat(one(s1, "SELECT id FROM vis ORDER BY embedding <-> '[0,0]' LIMIT 5"))
          .isEqualTo("1");
      assertThat(one(s2, "SELECT count(*) FROM vis")).isEqualTo("0");
      s1.execute("ROLLBACK");
      assertThat(one(s1, "SELECT count(*) FROM vis")).isEqualTo("0");
      s1.execute("START TRANSACTION");
      s1.execute("INSERT INTO vis VALUES (3, '[3,3]')");
      s1.execute("COMMIT");
      assertThat(one(s2, "SELECT id FROM vis")).isEqualTo("3");
    }
  }

  @Test
  void errors_in_a_block_abort_it_and_nothing_of_it_is_written() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE blk (id int PRIMARY KEY)");
      s.execute("INSERT INTO blk VALUES (1)");
      s.execute("BEGIN");
      s.execute("INSERT INTO blk VALUES (2)");
      ServerErrorMessage dup = error(() -> s.execute("INSERT INTO blk VALUES (1)"));
      assertThat(dup.getSQLState()).isEqualTo("23505");
      assertThat(dup.getDetail()).isEqualTo("Key (id)=(1) already exists.");
      assertThat(sqlState(() -> s.execute("INSERT INTO blk VALUES (3)"))).isEqualTo("25P02");
      s.execute("COMMIT"); // of a failed block: rolls back
      assertThat(one(s, "SELECT id FROM blk")).isEqualTo("1");
    }
  }

  @Test
  void ddl_in_a_transaction_is_atomic_with_its_rows() throws Exception {
    try (Connection c1 = SERVER.connect(); Connection c2 = SERVER.connect();
        Statement s1 = c1.createStatement(); Statement s2 = c2.createStatement()) {
      s1.execute("BEGIN");
      s1.execute("CREATE TABLE ddl_t (id int PRIMARY KEY, embedding vector(2))");
      s1.execute("INSERT INTO ddl_t VALUES (1, '[1,2]')");
      assertThat(one(s1, "SELECT count(*) FROM ddl_t")).isEqualTo("1");
      assertThat(sqlState(() -> s2.executeQuery("SELECT * FROM ddl_t"))).isEqualTo("42P01");
      s1.execute("ROLLBACK");
      assertThat(sqlState(() -> s1.executeQuery("SELECT * FROM ddl_t"))).isEqualTo("42P01");

      s1.execute("BEGIN");
      s1.execute("CREATE TABLE ddl_t (id int PRIMARY KEY, embedding vector(2))");
      s1.execute("INSERT INTO ddl_t VALUES (1, '[1,2]')");
      s1.execute("COMMIT");
      assertThat(one(s2, "SELECT id, embedding FROM ddl_t")).isEqualTo("1|[1,2]");

      s1.execute("BEGIN");
      s1.execute("DROP TABLE ddl_t");
      assertThat(one(s2, "SELECT count(*) FROM ddl_t")).isEqualTo("1");
      s1.execute("ROLLBACK");
      assertThat(one(s1, "SELECT count(*) FROM ddl_t")).isEqualTo("1");
    }
  }

  @Test
  void a_statement_that_violates_the_key_writes_none_of_its_rows() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE pk (id int PRIMARY KEY, v text)");
      s.execute("INSERT INTO pk VALUES (1, 'a')");
      ServerErrorMessage e = error(() -> s.execute("INSERT INTO pk VALUES (2, 'b'), (1, 'x')"));
      assertThat(e.getSQLState()).isEqualTo("23505");
      assertThat(e.getMessage()).isEqualTo(
          "duplicate key value violates unique constraint \"pk_pkey\"");
      s.execute("INSERT INTO pk VALUES (3, 'c'), (4, 'd')");
      assertThat(sqlState(() -> s.execute("UPDATE pk SET id = id - 2 WHERE id >= 3")))
          .isEqualTo("23505");
      assertThat(s.executeUpdate("UPDATE pk SET id = id + 10 WHERE id >= 3")).isEqualTo(2);
      assertThat(one(s, "SELECT id, v FROM pk ORDER BY id")).isEqualTo("1|a,13|c,14|d");
    }
  }

  @Test
  void a_pipelined_batch_in_autocommit_is_one_implicit_transaction() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE batch (id int PRIMARY KEY)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch VALUES (?)")) {
        for (int id : new int[] {1, 2, 1, 3}) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        assertThatThrownBy(ps::executeBatch).isInstanceOf(BatchUpdateException.class);
        for (int id : new int[] {4, 5}) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      assertThat(one(s, "SELECT id FROM batch ORDER BY id")).isEqualTo("4,5");
    }
  }

  @Test
  void on_conflict_do_nothing_and_do_update_upsert_by_primary_key() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE up (id int PRIMARY KEY, tag text, hits int, embedding vector(2))");
      s.execute("INSERT INTO up VALUES (1, 'a', 1, '[1,1]')");
      assertThat(s.executeUpdate("INSERT INTO up VALUES (1, 'x', 9, '[9,9]'), (2, 'b', 1,"
          + " '[2,2]') ON CONFLICT DO NOTHING")).isEqualTo(1);
      assertThat(s.executeUpdate("INSERT INTO up VALUES (1, 'x', 9, '[9,9]') ON CONFLICT (id)"
          + " DO NOTHING")).isZero();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO up AS u VALUES (?, ?, 1, ?)"
          + " ON CONFLICT (id) DO UPDATE SET tag = EXCLUDED.tag, embedding = excluded.embedding,"
          + " hits = 7")) {
        ps.setInt(1, 2);
        ps.setString(2, "b2");
        ps.setObject(3, "[5,5]", java.sql.Types.OTHER);
        assertThat(ps.executeUpdate()).isEqualTo(1);
        ps.setInt(1, 3);
        ps.setString(2, "c");
        ps.setObject(3, "[3,3]", java.sql.Types.OTHER);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(one(s, "SELECT id, tag, hits, embedding FROM up ORDER BY id"))
          .isEqualTo("1|a|1|[1,1],2|b2|7|[5,5],3|c|1|[3,3]");
      assertThat(sqlState(() -> s.execute(
          "INSERT INTO up VALUES (1, 'a', 1, '[1,1]') ON CONFLICT (tag) DO NOTHING")))
          .isEqualTo("42P10");
      assertThat(sqlState(() -> s.execute(
          "INSERT INTO up VALUES (1, 'a', 1, '[1,1]') ON CONFLICT (id) DO UPDATE SET hits = 1"
              + " WHERE up.hits > 0"))).isEqualTo("0A000");
    }
  }

  @Test
  void tables_without_a_primary_key_keep_duplicate_rows_apart() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE nopk (v text)");
      s.execute("INSERT INTO nopk VALUES ('x'), ('x'), ('y')");
      assertThat(s.executeUpdate("UPDATE nopk SET v = 'z' WHERE v = 'x'")).isEqualTo(2);
      assertThat(one(s, "SELECT v, count(*) FROM nopk GROUP BY v ORDER BY v"))
          .isEqualTo("y|1,z|2");
    }
  }
}
