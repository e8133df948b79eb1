package io.quiverdb.server;

import static io.quiverdb.server.WalkingSkeletonPgTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.storage.StorageConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reclaiming space: after most rows are deleted and the (short) retention window has passed,
 * compaction drops the dead versions, {@code quiver_segments} shows it, and the disk space comes
 * back, while queries keep returning the right rows.
 */
class RetentionPgTest {
  private static final int ROWS = 100_000;

  @RegisterExtension
  static final QuiverServerExtension SERVER = new QuiverServerExtension(c -> c.withStorage(
      new StorageConfig(true, 32_768, 1_000_000, 200)));

  /** table_name, segments, versions, live, dead, reclaimed, bytes of table {@code t}. */
  private static long[] stats(Statement s, String t) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT count(*), sum(versions), sum(live_rows),"
        + " sum(dead_rows), sum(reclaimed_rows), sum(bytes) FROM quiver_segments"
        + " WHERE table_name = '" + t + "'")) {
      rs.next();
      long[] out = new long[6];
      for (int i = 0; i < 6; i++) {
        out[i] = rs.getLong(i + 1);
      }
      return out;
    }
  }

  @Test
  void deleting_most_rows_gives_the_space_back_after_the_retention_window() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE big (id bigint PRIMARY KEY, embedding vector(8))");
      StringBuilder sql = new StringBuilder();
      for (int id = 0; id < ROWS; id++) {
        if (sql.length() == 0) {
          sql.append("INSERT INTO big VALUES ");
        } else {
          sql.append(',');
        }
        sql.append('(').append(id).append(", '[").append(id % 97).append(",1,2,3,4,5,6,")
            .append(id % 13).append("]')");
        if (id % 2000 == 1999) {
          s.execute(sql.toString());
          sql.setLength(0);
        }
      }
      long[] loaded = stats(s, "big");
      assertThat(loaded[0]).as("segments").isEqualTo(4);
      assertThat(loaded[2]).as("live").isEqualTo(ROWS);
      assertThat(loaded[3]).as("dead").isZero();

      assertThat(s.executeUpdate("DELETE FROM big WHERE id % 10 <> 0")).isEqualTo(90_000);
      long[] deleted = stats(s, "big");
      assertThat(deleted[2]).as("live").isEqualTo(10_000);
      assertThat(deleted[3]).as("dead, kept for the retention window").isEqualTo(90_000);

      long[] now = deleted;
      long deadline = System.currentTimeMillis() + 30_000;
      while ((now[3] > 0 || now[5] >= loaded[5] / 2) && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        now = stats(s, "big");
      }
      assertThat(now[3]).as("dead after compaction").isZero();
      assertThat(now[4]).as("reclaimed").isEqualTo(90_000);
      assertThat(now[5]).as("bytes: before %d, after %d", loaded[5], now[5])
          .isLessThan(loaded[5] / 2);

      try (ResultSet rs = s.executeQuery("SELECT count(*), sum(id), min(id), max(id) FROM big")) {
        assertThat(rows(rs)).containsExactly("10000|499950000|0|99990");
      }
      try (ResultSet rs = s.executeQuery(
          "SELECT id FROM big ORDER BY embedding <-> '[30,1,2,3,4,5,6,10]' LIMIT 3")) {
        List<String> ids = rows(rs);
        assertThat(ids).hasSize(3).allSatisfy(id -> {
          long n = Long.parseLong(id);
          assertThat(n % 10).as("a surviving row").isZero();
          assertThat(n % 97 == 30 && n % 13 == 10).as("at distance 0").isTrue();
        });
      }
    }
    SERVER.restart();
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM big")) {
        assertThat(rows(rs)).containsExactly("10000");
      }
      assertThat(stats(s, "big")[3]).isZero();
    }
  }
}
