package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.InDoubtException;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store does when its own machinery fails: a group-commit thread hit by an Error, a
 * compaction racing a new snapshot, an index build that fails.
 */
class StoreFailuresTest {
  @TempDir Path dir;
  private final TestFaults faults = new TestFaults();
  private Store store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private TableDef open(StorageConfig config) {
    store = Store.open(dir, config.withFaults(faults));
    return store.catalog().table("public", "items").orElseGet(() ->
        store.catalog().createTable("public", "items", List.of(
            new ColumnDef("id", ColumnType.BIGINT, false),
            new ColumnDef("embedding", ColumnType.vector(3), false)), List.of(0)));
  }

  private CompletableFuture<Void> insertAsync(TableDef t, long id) {
    Transaction txn = store.begin();
    txn.insert(t, new Object[] {id, new float[] {id, 1, 2}});
    return txn.commitAsync();
  }

  private long count(TableDef t) {
    try (Transaction txn = store.begin(); RowCursor c = txn.scan(t)) {
      long n = 0;
      while (c.next()) {
        n++;
      }
      return n;
    }
  }

  @Test
  void an_error_on_the_commit_thread_fails_every_queued_and_later_commit_as_in_doubt()
      throws Exception {
    TableDef items = open(StorageConfig.DEFAULT);
    java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    faults.at("wal.sync.before", () -> {
      reached.countDown();
      try {
        go.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new OutOfMemoryError("Java heap space (injected)");
    });
    CompletableFuture<Void> first = insertAsync(items, 1);
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Void>> queued = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      queued.add(insertAsync(items, i)); // queued behind the failing group
    }
    go.countDown();
    List<CompletableFuture<Void>> all = new ArrayList<>(queued);
    all.add(0, first);
    for (CompletableFuture<Void> f : all) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InDoubtException.class);
    }
    assertThatThrownBy(() -> insertAsync(items, 5).get(10, TimeUnit.SECONDS))
        .isInstanceOf(InDoubtException.class);
    assertThat(count(items)).as("reads go on; in-doubt commits never became visible").isZero();
    assertThat(store.workers()).anyMatch(w -> w.name().equals("quiver-store")
        && w.state().equals("failed"));
    assertThat(store.workers()).anyMatch(w -> w.name().equals("quiver-group-commit")
        && w.failures() > 0 && w.lastError().contains("OutOfMemoryError"));
  }

  @Test
  void compaction_never_purges_what_a_snapshot_being_taken_will_read() throws Exception {
    TableDef items = open(new StorageConfig(true, 1000, 0, 0)); // retention 0, manual compaction
    try (Transaction txn = store.begin()) {
      txn.insert(items, new Object[] {1L, new float[] {1, 1, 1}});
      txn.commit();
    }
    Transaction del = store.begin();
    long row = del.find(items, new Object[] {1L});
    TestFaults.Gate gate = faults.block("snapshot.begin");
    CompletableFuture<Transaction> reader = CompletableFuture.supplyAsync(store::begin);
    gate.awaitReached(); // it read the visible timestamp and has not registered its snapshot
    faults.clear("snapshot.begin");
    del.delete(items, row);
    del.commit(); // ends the version the reader's snapshot sees
    CompletableFuture<Store.CompactionResult> compaction =
        CompletableFuture.supplyAsync(store::compact);
    try {
      compaction.get(500, TimeUnit.MILLISECONDS); // the fixed store makes it wait for the reader
    } catch (java.util.concurrent.TimeoutException expected) {
      // compaction waits for the snapshot being registered
    }
    gate.open();
    try (Transaction r = reader.get(10, TimeUnit.SECONDS)) {
      compaction.get(10, TimeUnit.SECONDS);
      assertThat(r.get(items, new Object[] {1L})).as("the version the reader's snapshot sees")
          .isNotNull();
    }
  }

  @Test
  void a_failed_index_build_fails_create_index_and_leaves_no_index() {
    TableDef items = open(StorageConfig.DEFAULT);
    try (Transaction txn = store.begin()) {
      for (long i = 0; i < 100; i++) {
        txn.insert(items, new Object[] {i, new float[] {i, 1, 2}});
      }
      txn.commit();
    }
    faults.at("index.build", () -> {
      throw new IllegalStateException("injected build failure");
    });
    try (Transaction txn = store.begin()) {
      txn.createIndex(items, "items_embedding_idx", 1, Metric.L2, 16, 64, false);
      assertThatThrownBy(txn::commit).isInstanceOf(QuiverException.class)
          .hasMessageContaining("could not build index \"items_embedding_idx\"")
          .extracting(e -> ((QuiverException) e).state()).isEqualTo(SqlState.INTERNAL_ERROR);
    }
    assertThat(store.catalog().table("public", "items").orElseThrow().indexes()).isEmpty();
    faults.clear("index.build");
    try (Transaction txn = store.begin()) {
      txn.createIndex(items, "items_embedding_idx", 1, Metric.L2, 16, 64, false);
      txn.commit();
    }
    assertThat(store.catalog().table("public", "items").orElseThrow().indexes()).hasSize(1);
  }
}
