package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Responses leave in the order of the requests whichever thread produced them: a batch whose Sync
 * arrives apart from its Execute (a client that flushes in between, or a segment boundary) has
 * its results written by a statement thread and its ReadyForQuery by the event loop, which must
 * never overtake them.
 */
class ResponseOrderPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @Test
  void ready_for_query_never_overtakes_the_results_of_its_batch() throws Exception {
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE ro (id bigint PRIMARY KEY, n int)");
      s.execute("INSERT INTO ro VALUES " + java.util.stream.IntStream.rangeClosed(1, 100)
          .mapToObj(i -> "(" + i + ", " + i + ")").collect(Collectors.joining(", ")));
    }
    long seed = System.nanoTime();
    System.out.println("ResponseOrderPgTest seed " + seed);
    Random random = new Random(seed);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    int rounds = 0;
    // other connections keep the event loops busy with bounded batches, so that a write handed
    // to a loop by a statement thread waits there while the loop reads
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> noise = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread t = new Thread(() -> {
        try (RawPgClient n = new RawPgClient(SERVER.port())) {
          while (!stop.get()) {
            for (int q = 0; q < 50; q++) {
              n.parseBindExecute("SELECT 1");
            }
            n.sync().flush();
            n.readUntilReady();
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      t.start();
      noise.add(t);
    }
    try (RawPgClient c = new RawPgClient(SERVER.port())) {
      while (System.nanoTime() < deadline) {
        // a scan (statement thread), then its Sync on its own after a short pause
        c.parseBindExecute("SELECT count(*) FROM ro").flush();
        spin(random.nextInt(300));
        c.sync().flush();
        List<String> types = c.readUntilReady().stream().map(m -> String.valueOf(m.type()))
            .collect(Collectors.toList());
        assertThat(types).as("round %d", rounds).containsExactly("1", "2", "T", "D", "C", "Z");
        rounds++;
      }
    }
    stop.set(true);
    for (Thread t : noise) {
      t.join();
    }
    System.out.println("ResponseOrderPgTest: " + rounds + " rounds in order");
  }

  private static void spin(int micros) {
    long until = System.nanoTime() + micros * 1000L;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
