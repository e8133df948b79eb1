package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Commits of different connections, each waiting on its own statement thread until its commit is
 * durable, still share write-ahead-log syncs (group commit).
 */
class GroupCommitPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @Test
  void concurrent_commits_of_different_connections_share_syncs() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE commits (id bigint PRIMARY KEY)");
    }
    int connections = 8;
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      long[] before = SERVER.server().store().commitCounts();
      for (int t = 0; t < connections; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          try (Connection c = SERVER.connect();
              PreparedStatement ps = c.prepareStatement("INSERT INTO commits VALUES (?)")) {
            start.await();
            for (int i = 0; i < each; i++) {
              ps.setLong(1, id * 1000L + i);
              ps.executeUpdate();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      long[] after = SERVER.server().store().commitCounts();
      long syncs = after[0] - before[0];
      long commits = after[1] - before[1];
      System.out.printf("%d commits, %d syncs%n", commits, syncs);
      assertThat(commits).isEqualTo(connections * each);
      assertThat(syncs).isLessThan(commits);
    } finally {
      pool.shutdownNow();
    }
  }
}
