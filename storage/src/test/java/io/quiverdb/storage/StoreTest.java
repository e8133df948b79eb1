package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;
  private Store store;
  private TableDef items;

  @BeforeEach
  void open() {
    store = Store.open(dir, StorageConfig.DEFAULT);
    items = createItems(store);
  }

  @AfterEach
  void close() {
    if (store != null) {
      assertThat(store.openResourceCount()).as("leaked resources").isZero();
      store.close();
    }
  }

  private static TableDef createItems(Store s) {
    return s.catalog()
        .createTable(
            "public",
            "items",
            List.of(
                new ColumnDef("id", ColumnType.BIGINT, false),
                new ColumnDef("title", ColumnType.TEXT, false),
                new ColumnDef("embedding", ColumnType.vector(3), false)),
            List.of(0));
  }

  private static Object[] item(long id, String title) {
    return new Object[] {id, title, new float[] {id, 0.5f, -1}};
  }

  private void insert(TableDef t, Object[]... rows) {
    try (WriteTxn txn = store.beginWrite()) {
      for (Object[] r : rows) {
        txn.insert(t, r);
      }
      txn.commit();
    }
  }

  private List<Object[]> scan(TableDef t) {
    try (ReadView view = store.readView()) {
      return scan(view, t);
    }
  }

  private static List<Object[]> scan(ReadView view, TableDef t) {
    List<Object[]> out = new ArrayList<>();
    try (RowCursor c = view.scan(t)) {
      while (c.next()) {
        out.add(c.row());
      }
    }
    return out;
  }

  private static List<Object> ids(List<Object[]> rows) {
    return rows.stream().map(r -> r[0]).toList();
  }

  private static void assertState(ThrowingCallable call, SqlState state, String message) {
    assertThatThrownBy(call)
        .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(state);
              assertThat(e.getMessage()).isEqualTo(message);
            });
  }

  @Test
  void inserts_scans_in_key_order_and_gets_by_primary_key() {
    insert(items, item(3, "c"), item(-1, "a"), item(2, "ünïcode 😀"));
    List<Object[]> rows = scan(items);
    assertThat(ids(rows)).containsExactly(-1L, 2L, 3L);
    assertThat(rows.get(1)).containsExactly(2L, "ünïcode 😀", new float[] {2, 0.5f, -1});
    try (ReadView view = store.readView()) {
      assertThat(view.get(items, new Object[] {3L})).containsExactly(item(3, "c"));
      assertThat(view.get(items, new Object[] {4L})).isNull();
      assertThatThrownBy(() -> view.get(items, new Object[] {3}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("id");
    }
    assertThat(store.estimatedRowCount(items)).isEqualTo(3);
  }

  @Test
  void updates_and_deletes_by_cursor_key() {
    insert(items, item(1, "a"), item(2, "b"), item(3, "c"));
    try (ReadView view = store.readView();
        RowCursor c = view.scan(items);
        WriteTxn txn = store.beginWrite()) {
      while (c.next()) {
        long id = (Long) c.row()[0];
        if (id == 1) {
          txn.update(items, c.key(), item(1, "A"));
        } else if (id == 2) {
          txn.delete(items, c.key());
        }
      }
      assertThat(txn.pendingCount()).isEqualTo(2);
      txn.commit();
    }
    List<Object[]> rows = scan(items);
    assertThat(ids(rows)).containsExactly(1L, 3L);
    assertThat(rows.get(0)[1]).isEqualTo("A");
    assertThat(store.estimatedRowCount(items)).isEqualTo(2);
  }

  @Test
  void update_changing_the_primary_key_moves_the_row() {
    insert(items, item(1, "a"), item(2, "b"));
    byte[] key1 = keyOf(items, 1L);
    try (WriteTxn txn = store.beginWrite()) {
      assertState(
          () -> txn.update(items, key1, item(2, "x")),
          SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"items_pkey\"");
      assertThat(txn.pendingCount()).isZero();
      txn.update(items, key1, item(10, "moved"));
      assertThat(txn.pendingCount()).isEqualTo(2);
      txn.commit();
    }
    assertThat(ids(scan(items))).containsExactly(2L, 10L);
    assertThat(store.estimatedRowCount(items)).isEqualTo(2);
  }

  private byte[] keyOf(TableDef t, Object id) {
    try (ReadView view = store.readView();
        RowCursor c = view.scan(t)) {
      while (c.next()) {
        if (c.row()[0].equals(id)) {
          return c.key();
        }
      }
    }
    throw new AssertionError("no row " + id);
  }

  @Test
  void duplicate_primary_key_fails_and_writes_nothing() {
    insert(items, item(1, "a"));
    try (WriteTxn txn = store.beginWrite()) {
      txn.insert(items, item(2, "b"));
      assertThatThrownBy(() -> txn.insert(items, item(1, "again")))
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(
              e -> {
                assertThat(e.state()).isEqualTo(SqlState.UNIQUE_VIOLATION);
                assertThat(e.getMessage())
                    .isEqualTo("duplicate key value violates unique constraint \"items_pkey\"");
                assertThat(e.detail()).isEqualTo("Key (id)=(1) already exists.");
              });
      assertState(
          () -> txn.insert(items, item(2, "same txn")),
          SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"items_pkey\"");
      assertThat(txn.pendingCount()).isEqualTo(1);
      txn.commit();
    }
    List<Object[]> rows = scan(items);
    assertThat(ids(rows)).containsExactly(1L, 2L);
    assertThat(rows.get(0)[1]).isEqualTo("a");
  }

  @Test
  void duplicate_found_at_commit_writes_nothing_of_the_transaction() {
    try (WriteTxn a = store.beginWrite()) {
      a.insert(items, item(5, "a5"));
      a.insert(items, item(6, "a6"));
      insert(items, item(5, "b5"));
      assertThatThrownBy(a::commit)
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(
              e -> {
                assertThat(e.state()).isEqualTo(SqlState.UNIQUE_VIOLATION);
                assertThat(e.detail()).isEqualTo("Key (id)=(5) already exists.");
              });
      assertThatThrownBy(() -> a.insert(items, item(7, "late")))
          .isInstanceOf(IllegalStateException.class);
    }
    assertThat(scan(items)).extracting(r -> r[1]).containsExactly("b5");
    assertThat(store.estimatedRowCount(items)).isEqualTo(1);
  }

  @Test
  void composite_primary_keys_order_and_look_up() {
    TableDef t =
        store
            .catalog()
            .createTable(
                "public",
                "pairs",
                List.of(
                    new ColumnDef("v", ColumnType.DOUBLE, false),
                    new ColumnDef("k", ColumnType.TEXT, false),
                    new ColumnDef("n", ColumnType.INTEGER, false)),
                List.of(1, 2));
    insert(
        t,
        new Object[] {1.0, "b", 1},
        new Object[] {2.0, "a", 2},
        new Object[] {3.0, "a", -1},
        new Object[] {4.0, "a\u0000", 0});
    assertThat(ids(scan(t))).containsExactly(3.0, 2.0, 4.0, 1.0);
    try (ReadView view = store.readView()) {
      assertThat(view.get(t, new Object[] {"a", 2})).containsExactly(2.0, "a", 2);
      assertThat(view.get(t, new Object[] {"a", 3})).isNull();
    }
    try (WriteTxn txn = store.beginWrite()) {
      assertState(
          () -> txn.insert(t, new Object[] {9.0, "a", 2}),
          SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"pairs_pkey\"");
    }
  }

  @Test
  void delete_then_reinsert_in_one_transaction_is_allowed() {
    insert(items, item(1, "a"));
    byte[] key = keyOf(items, 1L);
    try (WriteTxn txn = store.beginWrite()) {
      txn.delete(items, key);
      txn.insert(items, item(1, "again"));
      txn.commit();
    }
    assertThat(scan(items).get(0)[1]).isEqualTo("again");
    assertThat(store.estimatedRowCount(items)).isEqualTo(1);
  }

  @Test
  void rejects_null_in_not_null_column() {
    TableDef t =
        store
            .catalog()
            .createTable(
                "public",
                "people",
                List.of(
                    new ColumnDef("name", ColumnType.TEXT, true),
                    new ColumnDef("age", ColumnType.INTEGER, false)),
                List.of());
    try (WriteTxn txn = store.beginWrite()) {
      txn.insert(t, new Object[] {"ann", null});
      assertState(
          () -> txn.insert(t, new Object[] {null, 3}),
          SqlState.NOT_NULL_VIOLATION,
          "null value in column \"name\" of relation \"people\" violates not-null constraint");
      assertState(
          () -> txn.insert(items, new Object[] {null, "x", null}),
          SqlState.NOT_NULL_VIOLATION,
          "null value in column \"id\" of relation \"items\" violates not-null constraint");
      txn.commit();
    }
    assertThat(scan(t)).hasSize(1);
  }

  @Test
  void rejects_bad_vectors() {
    try (WriteTxn txn = store.beginWrite()) {
      assertState(
          () -> txn.insert(items, new Object[] {1L, "x", new float[] {1, 2}}),
          SqlState.DATA_EXCEPTION,
          "expected 3 dimensions, not 2");
      assertState(
          () -> txn.insert(items, new Object[] {1L, "x", new float[] {1, Float.NaN, 2}}),
          SqlState.DATA_EXCEPTION,
          "NaN not allowed in vector");
      assertThatThrownBy(() -> txn.insert(items, new Object[] {1L, 5, null}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"title\"")
          .hasMessageContaining("java.lang.Integer");
      assertThat(txn.pendingCount()).isZero();
      txn.commit();
    }
    assertThat(scan(items)).isEmpty();
  }

  @Test
  void tables_without_primary_key_use_hidden_row_ids() {
    TableDef log =
        store
            .catalog()
            .createTable(
                "public", "log", List.of(new ColumnDef("msg", ColumnType.TEXT, false)), List.of());
    insert(log, new Object[] {"a"}, new Object[] {"a"}, new Object[] {null});
    assertThat(ids(scan(log))).containsExactly("a", "a", null);
    try (ReadView view = store.readView()) {
      assertThatThrownBy(() -> view.get(log, new Object[] {1L}))
          .isInstanceOf(IllegalArgumentException.class);
    }
    store.close();
    store = Store.open(dir, StorageConfig.DEFAULT);
    TableDef reopened = store.catalog().table("public", "log").orElseThrow();
    insert(reopened, new Object[] {"after reopen"});
    List<Object[]> rows = scan(reopened);
    assertThat(ids(rows)).containsExactly("a", "a", null, "after reopen");
    assertThat(store.estimatedRowCount(reopened)).isEqualTo(4);
  }

  @Test
  void rows_survive_reopen() {
    insert(items, item(1, "a"), item(2, "b"));
    store.close();
    store = Store.open(dir, new StorageConfig(false));
    TableDef t = store.catalog().table("public", "items").orElseThrow();
    assertThat(t).isEqualTo(items);
    insert(t, item(3, "c"));
    store.close();
    store = Store.open(dir, StorageConfig.DEFAULT);
    assertThat(scan(t)).extracting(r -> r[1]).containsExactly("a", "b", "c");
    assertThat(store.estimatedRowCount(t)).isEqualTo(3);
  }

  @Test
  void dropped_table_rows_are_gone() {
    insert(items, item(1, "a"), item(2, "b"));
    try (ReadView before = store.readView()) {
      store.catalog().dropTable(items);
      assertThat(scan(before, items)).hasSize(2);
    }
    assertThat(scan(items)).isEmpty();
    TableDef again = createItems(store);
    assertThat(again.id()).isNotEqualTo(items.id());
    assertThat(scan(again)).isEmpty();
    assertThat(store.estimatedRowCount(again)).isZero();
  }

  @Test
  void commit_to_a_dropped_table_fails() {
    try (WriteTxn txn = store.beginWrite()) {
      txn.insert(items, item(1, "a"));
      store.catalog().dropTable(items);
      assertState(txn::commit, SqlState.UNDEFINED_TABLE, "relation \"items\" does not exist");
    }
    TableDef again = createItems(store);
    assertThat(scan(again)).isEmpty();
  }

  @Test
  void read_view_does_not_see_later_commits() {
    insert(items, item(1, "a"));
    try (ReadView view = store.readView()) {
      insert(items, item(2, "b"));
      try (WriteTxn txn = store.beginWrite()) {
        txn.delete(items, keyOf(items, 1L));
        txn.commit();
      }
      assertThat(ids(scan(view, items))).containsExactly(1L);
      assertThat(view.get(items, new Object[] {2L})).isNull();
      assertThat(view.get(items, new Object[] {1L})).isNotNull();
    }
    assertThat(ids(scan(items))).containsExactly(2L);
  }

  @Test
  void uncommitted_writes_are_invisible_and_abandoned_on_close() {
    try (WriteTxn txn = store.beginWrite()) {
      txn.insert(items, item(1, "a"));
      assertThat(scan(items)).isEmpty();
    }
    assertThat(scan(items)).isEmpty();
    assertThat(store.estimatedRowCount(items)).isZero();
  }

  @Test
  void concurrent_inserts_of_the_same_key_let_exactly_one_commit() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        long id = 1000 + round;
        CountDownLatch bothInserted = new CountDownLatch(2);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          results.add(
              pool.submit(
                  () -> {
                    try (WriteTxn txn = store.beginWrite()) {
                      txn.insert(items, item(id, Thread.currentThread().getName()));
                      bothInserted.countDown();
                      assertThat(bothInserted.await(10, TimeUnit.SECONDS)).isTrue();
                      txn.commit();
                      return true;
                    } catch (QuiverException e) {
                      assertThat(e.state()).isEqualTo(SqlState.UNIQUE_VIOLATION);
                      return false;
                    }
                  }));
        }
        int committed = 0;
        for (Future<Boolean> f : results) {
          committed += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(committed).as("round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(scan(items)).hasSize(20);
    assertThat(store.estimatedRowCount(items)).isEqualTo(20);
  }

  @Test
  void store_close_closes_leaked_resources() {
    ReadView view = store.readView();
    RowCursor cursor = view.scan(items);
    WriteTxn txn = store.beginWrite();
    assertThat(store.openResourceCount()).isEqualTo(3);
    cursor.close();
    assertThat(store.openResourceCount()).isEqualTo(2);
    store.close();
    assertThat(store.openResourceCount()).isZero();
    assertThatThrownBy(() -> view.scan(items)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> txn.insert(items, item(1, "a")))
        .isInstanceOf(IllegalStateException.class);
    view.close();
    txn.close();
    store = null;
  }

  @Test
  void scans_ten_thousand_vector_rows() {
    TableDef vecs =
        store
            .catalog()
            .createTable(
                "public",
                "vecs",
                List.of(
                    new ColumnDef("id", ColumnType.INTEGER, false),
                    new ColumnDef("v", ColumnType.vector(128), false)),
                List.of(0));
    try (WriteTxn txn = store.beginWrite()) {
      for (int i = 0; i < 10_000; i++) {
        float[] v = new float[128];
        v[i % 128] = i;
        txn.insert(vecs, new Object[] {i, v});
      }
      txn.commit();
    }
    long best = Long.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      List<Object[]> rows = scan(vecs);
      best = Math.min(best, System.nanoTime() - t0);
      assertThat(rows).hasSize(10_000);
      assertThat(((float[]) rows.get(9999)[1])[9999 % 128]).isEqualTo(9999f);
    }
    System.out.printf("scan of 10,000 rows x vector(128): best %.2f ms%n", best / 1e6);
    assertThat(store.estimatedRowCount(vecs)).isEqualTo(10_000);
  }
}
