package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.RocksKv;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage below the store: a torn or extended write-ahead log, and a flipped bit in a table file.
 * The store starts with every commit before the tear, or reports the damage with XX001 naming the
 * file while the rest of the database works; it never returns wrong rows silently.
 */
class CorruptionTest {
  @TempDir Path dir;
  private Store store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private TableDef table(String name) {
    return store.catalog().table("public", name).orElseGet(() ->
        store.catalog().createTable("public", name, List.of(
            new ColumnDef("id", ColumnType.BIGINT, false),
            new ColumnDef("payload", ColumnType.TEXT, false)), List.of(0)));
  }

  private void commitRows(TableDef t, long from, long to) {
    for (long i = from; i < to; i++) {
      try (Transaction txn = store.begin()) {
        txn.insert(t, new Object[] {i, "row " + i + " " + "x".repeat(40)});
        txn.commit();
      }
    }
  }

  private TreeSet<Long> ids(TableDef t) {
    TreeSet<Long> out = new TreeSet<>();
    try (Transaction txn = store.begin(); RowCursor c = txn.scan(t)) {
      while (c.next()) {
        Object[] row = c.row();
        assertThat(row[1]).isEqualTo("row " + row[0] + " " + "x".repeat(40));
        out.add((Long) row[0]);
      }
    }
    return out;
  }

  private void reopen() {
    if (store != null) {
      store.close();
    }
    store = Store.open(dir, StorageConfig.DEFAULT);
  }

  @Test
  void a_torn_log_tail_loses_only_a_suffix_of_the_commits() throws Exception {
    reopen();
    commitRows(table("t"), 0, 300);
    store.close();
    store = null;
    Path wal = GraphPersistenceTest.newestFile(dir, ".log");
    long size = Files.size(wal);
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(size - 1500);
    }
    reopen();
    TreeSet<Long> ids = ids(table("t"));
    long seed = System.nanoTime();
    System.out.println("torn-tail test: " + ids.size() + " of 300 commits survived; seed " + seed);
    assertThat(ids).isNotEmpty();
    assertThat(ids.size()).isLessThan(300);
    assertThat(ids.last()).as("no gaps: a prefix of the commits").isEqualTo(ids.size() - 1L);
    commitRows(table("t"), ids.size(), ids.size() + 50); // writes go on after the tear
    reopen();
    assertThat(ids(table("t"))).hasSize(ids.size() + 50);
  }

  @Test
  void garbage_after_the_log_is_ignored() throws Exception {
    reopen();
    commitRows(table("t"), 0, 200);
    store.close();
    store = null;
    long seed = System.nanoTime();
    System.out.println("log garbage seed " + seed);
    Path wal = GraphPersistenceTest.newestFile(dir, ".log");
    byte[] junk = new byte[4096];
    new Random(seed).nextBytes(junk);
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.seek(f.length());
      f.write(junk);
    }
    reopen();
    assertThat(ids(table("t"))).hasSize(200);
  }

  @Test
  void a_damaged_table_file_is_reported_with_xx001_and_the_other_tables_work() throws Exception {
    reopen();
    TableDef big = table("big");
    try (Transaction txn = store.begin()) {
      for (long i = 0; i < 20_000; i++) {
        txn.insert(big, new Object[] {i, "row " + i + " " + "x".repeat(40)});
      }
      txn.commit();
    }
    TableDef small = table("small");
    commitRows(small, 0, 10);
    store.close();
    store = null;
    Path sst;
    try (RocksKv kv = RocksKv.open(dir, EnumSet.of(Family.CATALOG, Family.ROWS, Family.LOG))) {
      kv.compactRange(Family.ROWS, new byte[0], new byte[] {(byte) 0xFF}); // rows into a table file
      sst = kv.tableFiles(Family.ROWS).get(0);
    }
    GraphPersistenceTest.flipBytes(sst, Files.size(sst) / 4); // inside big's data blocks
    reopen();
    assertThat(ids(table("small"))).hasSize(10);
    assertThatThrownBy(() -> ids(table("big"))).isInstanceOfSatisfying(QuiverException.class,
        e -> {
          assertThat(e.state()).isEqualTo(SqlState.DATA_CORRUPTED);
          assertThat(e.getMessage()).contains("big").contains(sst.getFileName().toString());
        });
    commitRows(table("other"), 0, 5);
    assertThat(ids(table("other"))).hasSize(5);
  }
}
