package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
    store = Store.open(dir, StorageConfig.DEFAULT.withSegmentRows(4));
    items = createItems(store);
  }

  @AfterEach
  void close() {
    if (store != null) {
      assertThat(store.openTransactionCount()).as("transactions left open").isZero();
      store.close();
    }
  }

  private void reopen(StorageConfig config) {
    store.close();
    store = Store.open(dir, config);
    items = store.catalog().table("public", "items").orElseThrow();
  }

  private static TableDef createItems(Store s) {
    return s.catalog().createTable("public", "items", List.of(
        new ColumnDef("id", ColumnType.BIGINT, false),
        new ColumnDef("title", ColumnType.TEXT, false),
        new ColumnDef("embedding", ColumnType.vector(3), false)), List.of(0));
  }

  private static Object[] item(long id, String title) {
    return new Object[] {id, title, new float[] {id, 0.5f, -1}};
  }

  private void insert(TableDef t, Object[]... rows) {
    try (Transaction txn = store.begin()) {
      for (Object[] r : rows) {
        txn.insert(t, r);
      }
      txn.commit();
    }
  }

  private List<Object[]> scan(TableDef t) {
    try (Transaction txn = store.begin()) {
      return scan(txn, t);
    }
  }

  private static List<Object[]> scan(Transaction txn, TableDef t) {
    List<Object[]> out = new ArrayList<>();
    try (RowCursor c = txn.scan(t)) {
      while (c.next()) {
        out.add(c.row());
      }
    }
    return out;
  }

  /** The ids of the rows, sorted (scan order is storage order, not key order). */
  private static List<Object> ids(List<Object[]> rows) {
    return rows.stream().map(r -> r[0]).sorted(Comparator.comparing(o -> (Long) o)).toList();
  }

  private static void assertState(ThrowingCallable call, SqlState state, String message) {
    assertThatThrownBy(call)
        .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
        .satisfies(e -> {
          assertThat(e.state()).isEqualTo(state);
          assertThat(e.getMessage()).isEqualTo(message);
        });
  }

  private long rowIdOf(Transaction txn, TableDef t, long id) {
    long rowId = txn.find(t, new Object[] {id});
    assertThat(rowId).isNotEqualTo(Transaction.NO_ROW);
    return rowId;
  }

  @Test
  void inserts_scan_and_get_by_primary_key_without_scanning() {
    insert(items, item(3, "c"), item(1, "a"), item(2, "b"));
    assertThat(ids(scan(items))).containsExactly(1L, 2L, 3L);
    try (Transaction txn = store.begin()) {
      assertThat(txn.get(items, new Object[] {2L})[1]).isEqualTo("b");
      assertThat(txn.get(items, new Object[] {9L})).isNull();
    }
    assertThat(store.estimatedRowCount(items)).isEqualTo(3);
  }

  @Test
  void updates_and_deletes_end_old_versions_and_old_snapshots_keep_seeing_them() {
    insert(items, item(1, "a"), item(2, "b"));
    Transaction old = store.begin();
    try (Transaction txn = store.begin()) {
      txn.update(items, rowIdOf(txn, items, 1), item(1, "a2"));
      txn.delete(items, rowIdOf(txn, items, 2));
      txn.commit();
    }
    assertThat(scan(items)).extracting(r -> r[1]).containsExactly("a2");
    assertThat(scan(old, items)).extracting(r -> r[1]).containsExactlyInAnyOrder("a", "b");
    assertThat(old.get(items, new Object[] {1L})[1]).isEqualTo("a");
    old.close();
    assertThat(store.estimatedRowCount(items)).isEqualTo(1);
  }

  @Test
  void a_transaction_reads_its_own_writes_and_others_do_not() {
    insert(items, item(1, "a"));
    try (Transaction txn = store.begin(); Transaction other = store.begin()) {
      txn.insert(items, item(2, "b"));
      txn.update(items, rowIdOf(txn, items, 1), item(1, "a2"));
      assertThat(scan(txn, items)).extracting(r -> r[1]).containsExactlyInAnyOrder("a2", "b");
      assertThat(txn.get(items, new Object[] {2L})[1]).isEqualTo("b");
      long pending = rowIdOf(txn, items, 2);
      assertThat(pending).isNegative();
      txn.update(items, pending, item(2, "b2"));
      assertThat(txn.get(items, new Object[] {2L})[1]).isEqualTo("b2");
      assertThat(scan(other, items)).extracting(r -> r[1]).containsExactly("a");
      txn.commit();
      assertThat(scan(other, items)).extracting(r -> r[1]).containsExactly("a");
    }
    assertThat(scan(items)).extracting(r -> r[1]).containsExactlyInAnyOrder("a2", "b2");
  }

  @Test
  void rollback_writes_nothing() {
    try (Transaction txn = store.begin()) {
      txn.insert(items, item(1, "a"));
      txn.rollback();
    }
    assertThat(scan(items)).isEmpty();
  }

  @Test
  void first_committer_wins_on_the_same_row() {
    insert(items, item(1, "a"));
    try (Transaction t1 = store.begin(); Transaction t2 = store.begin()) {
      t1.update(items, rowIdOf(t1, items, 1), item(1, "t1"));
      t2.update(items, rowIdOf(t2, items, 1), item(1, "t2"));
      t1.commit();
      assertState(t2::commit, SqlState.SERIALIZATION_FAILURE,
          "could not serialize access due to concurrent update");
    }
    assertThat(scan(items)).extracting(r -> r[1]).containsExactly("t1");
    try (Transaction late = store.begin(); Transaction t3 = store.begin()) {
      t3.delete(items, rowIdOf(t3, items, 1));
      t3.commit();
      long id = rowIdOf(late, items, 1);
      assertState(() -> late.update(items, id, item(1, "late")),
          SqlState.SERIALIZATION_FAILURE, "could not serialize access due to concurrent update");
    }
  }

  @Test
  void duplicate_primary_keys_fail_and_write_nothing() {
    insert(items, item(1, "a"));
    try (Transaction txn = store.begin()) {
      txn.insert(items, item(2, "b"));
      assertThatThrownBy(() -> txn.insert(items, item(1, "dup")))
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(e -> {
            assertThat(e.state()).isEqualTo(SqlState.UNIQUE_VIOLATION);
            assertThat(e.getMessage()).isEqualTo(
                "duplicate key value violates unique constraint \"items_pkey\"");
            assertThat(e.detail()).isEqualTo("Key (id)=(1) already exists.");
          });
      assertState(() -> txn.insert(items, item(2, "dup")), SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"items_pkey\"");
    }
    try (Transaction t1 = store.begin(); Transaction t2 = store.begin()) {
      t1.insert(items, item(5, "t1"));
      t2.insert(items, item(5, "t2"));
      t2.insert(items, item(6, "t2"));
      t1.commit();
      assertState(t2::commit, SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"items_pkey\"");
    }
    assertThat(ids(scan(items))).containsExactly(1L, 5L);
  }

  @Test
  void on_conflict_sees_only_visible_rows() {
    insert(items, item(1, "a"));
    try (Transaction txn = store.begin(); Transaction other = store.begin()) {
      assertThat(txn.tryInsert(items, item(1, "x"))).isFalse();
      assertThat(txn.tryInsert(items, item(2, "b"))).isTrue();
      other.insert(items, item(3, "c"));
      other.commit();
      assertState(() -> txn.tryInsert(items, item(3, "x")), SqlState.SERIALIZATION_FAILURE,
          "could not serialize access due to concurrent update");
      txn.commit();
    }
    assertThat(ids(scan(items))).containsExactly(1L, 2L, 3L);
  }

  @Test
  void delete_then_reinsert_and_key_changing_update_in_one_transaction() {
    insert(items, item(1, "a"), item(2, "b"));
    try (Transaction txn = store.begin()) {
      txn.delete(items, rowIdOf(txn, items, 1));
      txn.insert(items, item(1, "again"));
      txn.update(items, rowIdOf(txn, items, 2), item(7, "moved"));
      assertState(() -> txn.update(items, rowIdOf(txn, items, 7), item(1, "clash")),
          SqlState.UNIQUE_VIOLATION,
          "duplicate key value violates unique constraint \"items_pkey\"");
      txn.commit();
    }
    try (Transaction txn = store.begin()) {
      assertThat(txn.get(items, new Object[] {1L})[1]).isEqualTo("again");
      assertThat(txn.get(items, new Object[] {2L})).isNull();
      assertThat(txn.get(items, new Object[] {7L})[1]).isEqualTo("moved");
    }
  }

  @Test
  void rejects_nulls_and_bad_vectors() {
    try (Transaction txn = store.begin()) {
      assertState(() -> txn.insert(items, new Object[] {null, "x", new float[] {1, 2, 3}}),
          SqlState.NOT_NULL_VIOLATION,
          "null value in column \"id\" of relation \"items\" violates not-null constraint");
      assertState(() -> txn.insert(items, new Object[] {1L, "x", new float[] {1, 2}}),
          SqlState.DATA_EXCEPTION, "expected 3 dimensions, not 2");
      assertState(() -> txn.insert(items, new Object[] {1L, "x", new float[] {1, Float.NaN, 2}}),
          SqlState.DATA_EXCEPTION, "NaN not allowed in vector");
    }
    assertThat(scan(items)).isEmpty();
  }

  @Test
  void versions_fill_segments_that_seal_and_survive_reopen() {
    for (int i = 0; i < 10; i++) {
      insert(items, item(i, "v" + i));
    }
    try (Transaction txn = store.begin()) {
      txn.update(items, rowIdOf(txn, items, 3), item(3, "v3b"));
      txn.delete(items, rowIdOf(txn, items, 4));
      txn.commit();
    }
    List<SegmentStats> stats = store.segmentStats();
    assertThat(stats).hasSize(3);
    assertThat(stats).extracting(SegmentStats::sealed).containsExactly(true, true, false);
    assertThat(stats.stream().mapToLong(SegmentStats::versions).sum()).isEqualTo(11);
    assertThat(stats.stream().mapToLong(SegmentStats::live).sum()).isEqualTo(9);
    assertThat(stats.stream().mapToLong(SegmentStats::dead).sum()).isEqualTo(2);
    reopen(StorageConfig.DEFAULT.withSegmentRows(4));
    assertThat(ids(scan(items))).containsExactly(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L);
    assertThat(store.segmentStats().stream().mapToLong(SegmentStats::dead).sum()).isEqualTo(2);
    try (Transaction txn = store.begin()) {
      assertThat(txn.get(items, new Object[] {3L})[1]).isEqualTo("v3b");
      txn.update(items, rowIdOf(txn, items, 3), item(3, "v3c"));
      txn.insert(items, item(4, "back"));
      txn.commit();
    }
    assertThat(store.estimatedRowCount(items)).isEqualTo(10);
    assertThat(store.segmentStats()).hasSize(4);
  }

  @Test
  void commit_timestamps_grow_and_survive_reopen() {
    insert(items, item(1, "a"));
    long first = store.visibleTs();
    insert(items, item(2, "b"));
    assertThat(store.visibleTs()).isGreaterThan(first);
    long before = store.visibleTs();
    reopen(StorageConfig.DEFAULT.withSegmentRows(4));
    assertThat(store.visibleTs()).isEqualTo(before);
    insert(items, item(3, "c"));
    assertThat(store.visibleTs()).isGreaterThan(before);
  }

  @Test
  void the_change_log_has_every_change_with_before_and_after() {
    insert(items, item(1, "a"), item(2, "b"));
    try (Transaction txn = store.begin()) {
      txn.update(items, rowIdOf(txn, items, 1), item(1, "a2"));
      txn.delete(items, rowIdOf(txn, items, 2));
      txn.commit();
    }
    List<ChangeRecord> log = store.changes(0, 100);
    List<ChangeRecord> rows = log.stream().filter(c -> c.tableId() == items.id()).toList();
    assertThat(rows).extracting(ChangeRecord::op).containsExactly('c', 'c', 'd', 'u');
    assertThat(rows.get(0).lsn()).isEqualTo(rows.get(1).lsn());
    assertThat(rows.get(2).lsn()).isEqualTo(rows.get(0).lsn() + 1);
    assertThat(rows.get(2).commitTs()).isGreaterThan(rows.get(0).commitTs());
    ChangeRecord u = rows.get(3);
    assertThat(RowCodec.decode(items.columns(), u.before())[1]).isEqualTo("a");
    assertThat(RowCodec.decode(items.columns(), u.after())[1]).isEqualTo("a2");
    assertThat(rows.get(2).after()).isNull();
  }

  @Test
  void a_bulk_insert_is_logged_as_runs_and_read_back_as_one_change_per_row() {
    insert(items, item(1, "a"));
    try (Transaction txn = store.begin()) {
      for (long id = 10; id < 19; id++) {
        txn.insert(items, item(id, "t" + id)); // 9 new rows over segments of 4: three runs
      }
      txn.update(items, rowIdOf(txn, items, 1), item(1, "a2"));
      txn.insert(items, item(20, "t20"));
      txn.commit();
    }
    List<ChangeRecord> rows = store.changes(0, 100).stream()
        .filter(c -> c.tableId() == items.id()).toList();
    assertThat(rows).extracting(ChangeRecord::op)
        .containsExactly('c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'u', 'c');
    List<ChangeRecord> last = rows.subList(1, rows.size());
    assertThat(last).extracting(ChangeRecord::index)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(last).extracting(c -> RowCodec.decode(items.columns(), c.after())[1]).containsExactly(
        "t10", "t11", "t12", "t13", "t14", "t15", "t16", "t17", "t18", "a2", "t20");
    assertThat(last).allSatisfy(c -> assertThat(c.lsn()).isEqualTo(last.get(0).lsn()));
    assertThat(store.changes(last.get(0).lsn(), 4)).extracting(ChangeRecord::index)
        .containsExactly(0, 1, 2, 3);
    reopen(StorageConfig.DEFAULT.withSegmentRows(4));
    List<ChangeRecord> again = store.changes(0, 100).stream()
        .filter(c -> c.tableId() == items.id()).toList();
    assertThat(again).extracting(c -> c.op() + ":" + c.index() + ":"
        + RowCodec.decode(items.columns(), c.after())[1])
        .isEqualTo(rows.stream().map(c -> c.op() + ":" + c.index() + ":"
            + RowCodec.decode(items.columns(), c.after())[1]).toList());
  }

  @Test
  void a_refused_insert_leaves_nothing_to_commit() {
    insert(items, item(1, "a"));
    long[] before = store.commitCounts();
    try (Transaction txn = store.begin()) {
      assertThat(txn.tryInsert(items, item(1, "again"))).isFalse();
      assertThat(txn.hasWrites()).isFalse();
      txn.commit();
    }
    assertThat(store.commitCounts()[1]).isEqualTo(before[1]);
    try (Transaction txn = store.begin()) {
      assertThat(txn.tryInsert(items, item(2, "b"))).isTrue();
      assertThat(txn.tryInsert(items, item(2, "b again"))).isFalse();
      txn.delete(items, rowIdOf(txn, items, 2));
      assertThat(txn.tryInsert(items, item(2, "b third"))).isTrue();
      txn.commit();
    }
    assertThat(scan(items)).extracting(r -> r[1]).containsExactlyInAnyOrder("a", "b third");
  }

  @Test
  void ddl_is_transactional() {
    try (Transaction txn = store.begin()) {
      TableDef t = txn.createTable("public", "tmp",
          List.of(new ColumnDef("id", ColumnType.BIGINT, false)), List.of(0));
      txn.insert(t, new Object[] {1L});
      assertThat(txn.catalog().table("public", "tmp")).isPresent();
      assertThat(store.catalog().table("public", "tmp")).isEmpty();
      assertThat(scan(txn, t)).hasSize(1);
      txn.rollback();
    }
    assertThat(store.catalog().table("public", "tmp")).isEmpty();
    try (Transaction txn = store.begin()) {
      TableDef t = txn.createTable("public", "tmp",
          List.of(new ColumnDef("id", ColumnType.BIGINT, false)), List.of(0));
      txn.insert(t, new Object[] {1L});
      txn.dropTable(items);
      txn.commit();
    }
    store.close();
    store = Store.open(dir, StorageConfig.DEFAULT);
    assertThat(store.catalog().table("public", "items")).isEmpty();
    TableDef t = store.catalog().table("public", "tmp").orElseThrow();
    assertThat(scan(t)).hasSize(1);
  }

  @Test
  void concurrent_ddl_conflicts_and_writes_to_a_dropped_table_fail() {
    try (Transaction a = store.begin(); Transaction b = store.begin()) {
      a.createTable("public", "x", List.of(new ColumnDef("id", ColumnType.BIGINT, false)),
          List.of());
      b.createTable("public", "y", List.of(new ColumnDef("id", ColumnType.BIGINT, false)),
          List.of());
      a.commit();
      assertState(b::commit, SqlState.SERIALIZATION_FAILURE,
          "could not serialize access due to concurrent DDL");
    }
    try (Transaction w = store.begin()) {
      w.insert(items, item(1, "a"));
      store.catalog().dropTable(items);
      assertState(w::commit, SqlState.UNDEFINED_TABLE, "relation \"items\" does not exist");
    }
  }

  @Test
  void tables_without_primary_key_use_row_addresses() {
    TableDef log = store.catalog().createTable("public", "log",
        List.of(new ColumnDef("msg", ColumnType.TEXT, false)), List.of());
    insert(log, new Object[] {"x"}, new Object[] {"x"});
    try (Transaction txn = store.begin()) {
      try (RowCursor c = txn.scan(log)) {
        assertThat(c.next()).isTrue();
        txn.delete(log, c.rowId());
      }
      txn.commit();
    }
    assertThat(scan(log)).hasSize(1);
  }

  @Test
  void compaction_drops_versions_past_retention_not_needed_by_open_snapshots() throws Exception {
    reopen(new StorageConfig(true, 1000, 0, 0));
    for (int i = 0; i < 50; i++) {
      insert(items, item(i, "r" + i));
    }
    Transaction reader = store.begin();
    try (Transaction txn = store.begin()) {
      for (int i = 0; i < 40; i++) {
        txn.delete(items, rowIdOf(txn, items, i));
      }
      txn.commit();
    }
    Thread.sleep(2);
    Store.CompactionResult first = store.compact();
    assertThat(first.versionsDropped()).as("the open reader still needs them").isZero();
    assertThat(first.changesDropped()).as("the inserts' changes are older than it").isEqualTo(50);
    assertThat(scan(reader, items)).hasSize(50);
    reader.close();
    Store.CompactionResult r = store.compact();
    assertThat(r.versionsDropped()).isEqualTo(40);
    assertThat(r.changesDropped()).isEqualTo(40);
    SegmentStats s = store.segmentStats().get(0);
    assertThat(s.dead()).isZero();
    assertThat(s.reclaimed()).isEqualTo(40);
    assertThat(ids(scan(items))).hasSize(10).first().isEqualTo(40L);
    reopen(new StorageConfig(true, 1000, 0, 0));
    assertThat(ids(scan(items))).hasSize(10);
    assertThat(store.segmentStats().get(0).dead()).as("dead after reopen").isZero();
    assertThat(store.segmentStats().get(0).reclaimed()).isEqualTo(40);
    try (Transaction txn = store.begin()) {
      txn.insert(items, item(0, "reused key"));
      txn.commit();
    }
    assertThat(ids(scan(items))).hasSize(11);
  }

  @Test
  void concurrent_commits_share_syncs_and_exactly_one_insert_of_a_key_wins() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        results.add(pool.submit(() -> {
          start.await();
          int ok = 0;
          for (int i = 0; i < 200; i++) {
            try (Transaction txn = store.begin()) {
              txn.insert(items, item(1_000_000L + i, "t" + id));
              txn.insert(items, item(id * 1000L + i, "own"));
              txn.commit();
              ok++;
            } catch (QuiverException e) {
              assertThat(e.state()).isEqualTo(SqlState.UNIQUE_VIOLATION);
            }
          }
          return ok;
        }));
      }
      long[] before = store.commitCounts();
      start.countDown();
      int committed = 0;
      for (Future<Integer> f : results) {
        committed += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(committed).isEqualTo(200);
      long[] after = store.commitCounts();
      assertThat(after[1] - before[1]).isEqualTo(200);
      assertThat(after[0] - before[0]).as("syncs").isLessThanOrEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    assertThat(scan(items)).hasSize(400);
  }

  @Test
  void close_refuses_new_work() {
    Store s = store;
    store = null;
    s.close();
    s.close();
    assertThatThrownBy(s::begin).isInstanceOf(QuiverException.class);
  }
}
