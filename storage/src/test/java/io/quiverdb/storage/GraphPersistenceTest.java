package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.vector.Metric;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.KvBatch;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted graphs against the rows: a graph file never covers rows that are not durable, a
 * graph past the rows recovery found is cut back, and a damaged graph file is rebuilt from the
 * rows.
 */
class GraphPersistenceTest {
  private static final int ROWS = 3000;
  @TempDir Path dir;
  private final TestFaults faults = new TestFaults();
  private Store store;
  private TableDef items;
  private IndexDef index;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private void open() {
    store = Store.open(dir, StorageConfig.DEFAULT.withFaults(faults));
    items = store.catalog().table("public", "items").orElse(null);
    if (items == null) {
      items = store.catalog().createTable("public", "items", List.of(
          new ColumnDef("id", ColumnType.BIGINT, false),
          new ColumnDef("embedding", ColumnType.vector(4), false)), List.of(0));
      try (Transaction txn = store.begin()) {
        txn.createIndex(items, "items_idx", 1, Metric.L2, 8, 32, false);
        txn.commit();
      }
      items = store.catalog().table("public", "items").orElseThrow();
    }
    index = items.indexes().get(0);
  }

  private static float[] vector(long id, float offset) {
    return new float[] {offset + id % 97, id % 89, id % 83 + 0.5f, id % 7};
  }

  private CompletableFuture<Void> insert(long from, long to, float offset) {
    Transaction txn = store.begin();
    for (long i = from; i < to; i++) {
      txn.insert(items, new Object[] {i, vector(i, offset)});
    }
    return txn.commitAsync();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Waits until the indexer covers every row, so that closing persists the whole graph. */
  private void awaitIndexed(int rows) throws InterruptedException {
    VectorIndex vi = store.vectorIndex(index.id());
    await(() -> vi.graph(0) != null && vi.graph(0).indexed == rows, "the indexer covers the rows");
  }

  private int persistedWatermark() {
    VectorIndex.SegmentGraph g = store.indexes().codec().read(store.vectorIndex(index.id()), 0,
        Integer.MAX_VALUE);
    return g == null ? 0 : g.indexed;
  }

  @Test
  void a_graph_is_persisted_only_as_far_as_its_rows_are_durable() throws Exception {
    open();
    TestFaults.Gate sync = faults.block("wal.sync.before");
    CompletableFuture<Void> commit = insert(0, ROWS, 0); // applied and written, not yet synced
    sync.awaitReached();
    VectorIndex vi = store.vectorIndex(index.id());
    await(() -> vi.graph(0) != null && vi.graph(0).indexed == ROWS, "the indexer covers the rows");
    long rounds = indexerRounds();
    await(() -> indexerRounds() > rounds + 1, "the indexer had rounds to persist in");
    assertThat(persistedWatermark()).as("graph persisted while its rows were not durable")
        .isZero();
    faults.clear("wal.sync.before");
    sync.open();
    commit.get(10, TimeUnit.SECONDS);
    store.close();
    store = null;
    open();
    assertThat(persistedWatermark()).isEqualTo(ROWS);
  }

  private long indexerRounds() {
    return store.workers().stream().filter(w -> w.name().equals("quiver-indexer"))
        .mapToLong(Store.WorkerStatus::rounds).sum();
  }

  @Test
  void a_graph_past_the_recovered_rows_is_cut_back_and_new_rows_at_those_offsets_are_found()
      throws Exception {
    open();
    insert(0, ROWS, 0).get(10, TimeUnit.SECONDS);
    awaitIndexed(ROWS);
    store.close(); // persists the graph of all ROWS
    store = null;
    long table = items.id();
    try (RocksKv kv = RocksKv.open(dir, EnumSet.of(Family.CATALOG, Family.ROWS, Family.LOG))) {
      try (KvBatch b = kv.newBatch()) {
        for (int off = ROWS - 100; off < ROWS; off++) { // the tail a crash lost
          b.delete(Family.ROWS, Store.versionKey(table, Segment.address(0, off)));
        }
        kv.write(b, true, "a simulated lost tail");
      }
    }
    open();
    long loaded = store.indexSize(index.id())[0];
    insert(ROWS, ROWS + 100, 10_000).get(10, TimeUnit.SECONDS); // reuses the lost offsets
    try (Transaction txn = store.begin()) {
      for (long id = ROWS; id < ROWS + 100; id += 7) {
        NearestRows near = txn.nearest(items, index, vector(id, 10_000), 1, 40, null);
        assertThat(near.size()).isEqualTo(1);
        assertThat(near.distance(0)).as("row %d found at its own vector", id).isZero();
        assertThat(txn.row(items, near.rowId(0))[0]).isEqualTo(id);
      }
    }
    assertThat(loaded).as("graph nodes loaded: cut back to the rows").isEqualTo(ROWS - 100);
  }

  @Test
  void a_damaged_graph_file_is_rebuilt_from_the_rows() throws Exception {
    open();
    insert(0, ROWS, 0).get(10, TimeUnit.SECONDS);
    awaitIndexed(ROWS);
    store.close();
    store = null;
    Path sst;
    try (RocksKv kv = RocksKv.open(dir.resolve("graphs"), EnumSet.of(Family.INDEX))) {
      sst = kv.tableFiles(Family.INDEX).get(0);
    }
    flipBytes(sst, Files.size(sst) / 3);
    open();
    awaitIndexed(ROWS);
    assertThat(store.indexSize(index.id())[2]).as("nodes rebuilt by this process")
        .isEqualTo(ROWS);
    try (Transaction txn = store.begin()) {
      NearestRows near = txn.nearest(items, index, vector(1234, 0), 1, 40, null);
      assertThat(near.distance(0)).isZero();
    }
  }

  @Test
  void a_graph_database_that_cannot_open_is_started_afresh() throws Exception {
    open();
    insert(0, ROWS, 0).get(10, TimeUnit.SECONDS);
    awaitIndexed(ROWS);
    store.close();
    store = null;
    Path current = dir.resolve("graphs").resolve("CURRENT");
    Files.writeString(current, "MANIFEST-999999\n"); // names a manifest that is not there
    open();
    try (Transaction txn = store.begin()) {
      NearestRows near = txn.nearest(items, index, vector(17, 0), 1, 40, null);
      assertThat(near.distance(0)).isZero();
    }
  }

  static Path newestFile(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(suffix))
          .max(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
    }
  }

  /** Inverts 16 bytes of {@code file} at {@code at}. */
  static void flipBytes(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] b = new byte[16];
      f.seek(at);
      f.readFully(b);
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) ~b[i];
      }
      f.seek(at);
      f.write(b);
    }
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.toList());
    }
  }
}
