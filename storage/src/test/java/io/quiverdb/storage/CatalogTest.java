package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
  @TempDir Path dir;

  private static List<ColumnDef> columns() {
    return List.of(
        new ColumnDef("id", ColumnType.BIGINT, false),
        new ColumnDef("title", ColumnType.TEXT, false),
        new ColumnDef("embedding", ColumnType.vector(3), false));
  }

  @Test
  void creates_lists_and_drops_tables() {
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      Catalog c = store.catalog();
      assertThat(c.version()).isEqualTo(1);
      assertThat(c.tables()).isEmpty();
      TableDef items = c.createTable("public", "items", columns(), List.of(0));
      TableDef alpha = c.createTable("public", "alpha", columns(), List.of());
      TableDef other = c.createTable("app", "zeta", List.of(), List.of());
      assertThat(items.id()).isEqualTo(Catalog.FIRST_TABLE_ID);
      assertThat(items.oid()).isEqualTo(16400);
      assertThat(alpha.id()).isEqualTo(16401);
      assertThat(items.columns().get(0).notNull()).isTrue();
      assertThat(items.columns().get(1).notNull()).isFalse();
      assertThat(items.columnIndex("embedding")).isEqualTo(2);
      assertThat(items.columnIndex("nope")).isEqualTo(-1);
      assertThat(c.tables()).containsExactly(other, alpha, items);
      assertThat(c.table("public", "items")).contains(items);
      assertThat(c.table("other", "items")).isEmpty();
      assertThat(c.tableById(alpha.id())).contains(alpha);
      assertThat(c.version()).isEqualTo(4);

      c.dropTable(alpha);
      assertThat(c.tables()).containsExactly(other, items);
      assertThat(c.tableById(alpha.id())).isEmpty();
      assertThat(c.version()).isEqualTo(5);
      assertThatThrownBy(() -> c.dropTable(alpha))
          .isInstanceOf(QuiverException.class)
          .extracting(e -> ((QuiverException) e).state())
          .isEqualTo(SqlState.UNDEFINED_TABLE);
    }
  }

  @Test
  void rejects_duplicate_table() {
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      store.catalog().createTable("public", "items", columns(), List.of(0));
      long version = store.catalog().version();
      assertThatThrownBy(
              () -> store.catalog().createTable("public", "items", columns(), List.of()))
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(
              e -> {
                assertThat(e.state()).isEqualTo(SqlState.DUPLICATE_TABLE);
                assertThat(e.getMessage()).isEqualTo("relation \"items\" already exists");
              });
      assertThat(store.catalog().version()).isEqualTo(version);
    }
  }

  @Test
  void rejects_duplicate_column() {
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      List<ColumnDef> cols =
          List.of(
              new ColumnDef("a", ColumnType.BIGINT, false),
              new ColumnDef("a", ColumnType.TEXT, false));
      assertThatThrownBy(() -> store.catalog().createTable("public", "t", cols, List.of()))
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(
              e -> {
                assertThat(e.state()).isEqualTo(SqlState.DUPLICATE_COLUMN);
                assertThat(e.getMessage()).isEqualTo("column \"a\" specified more than once");
              });
      assertThat(store.catalog().tables()).isEmpty();
    }
  }

  @Test
  void survives_reopen_and_never_reuses_ids() {
    TableDef items;
    long version;
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      items = store.catalog().createTable("public", "items", columns(), List.of(0, 1));
      TableDef gone = store.catalog().createTable("public", "gone", columns(), List.of());
      store.catalog().dropTable(gone);
      version = store.catalog().version();
    }
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      assertThat(store.catalog().tables()).containsExactly(items);
      assertThat(store.catalog().version()).isEqualTo(version);
      TableDef next = store.catalog().createTable("public", "next", columns(), List.of());
      assertThat(next.id()).isEqualTo(items.id() + 2);
      assertThat(store.catalog().version()).isGreaterThan(version);
    }
  }

  @Test
  void second_open_of_the_same_directory_fails_clearly() {
    try (Store store = Store.open(dir, StorageConfig.DEFAULT)) {
      assertThatThrownBy(() -> Store.open(dir, StorageConfig.DEFAULT))
          .asInstanceOf(InstanceOfAssertFactories.type(QuiverException.class))
          .satisfies(
              e -> {
                assertThat(e.state()).isEqualTo(SqlState.IO_ERROR);
                assertThat(e.getMessage()).contains(dir.toAbsolutePath().toString());
                assertThat(e.getMessage()).containsIgnoringCase("lock");
              });
      assertThat(store.catalog().tables()).isEmpty();
    }
  }

  @Test
  void close_is_idempotent_and_refuses_new_work() {
    Store store = Store.open(dir, StorageConfig.DEFAULT);
    store.close();
    store.close();
    assertThatThrownBy(store::begin).isInstanceOf(QuiverException.class);
    assertThatThrownBy(() -> store.catalog().createTable("public", "t", columns(), List.of()))
        .isInstanceOf(QuiverException.class);
  }
}
