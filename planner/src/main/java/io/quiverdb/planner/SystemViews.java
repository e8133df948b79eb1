package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.storage.ColumnDef;
import io.quiverdb.storage.RowCursor;
import io.quiverdb.storage.SegmentStats;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only views over the engine's state, queried like tables. {@code quiver_segments}: one row
 * per segment of every table (versions, live and dead rows, rows reclaimed by compaction, bytes on
 * disk). Their ids lie below the first id the catalog hands out, so they never clash.
 */
public final class SystemViews {
  private static final TableDef SEGMENTS = new TableDef(1, "public", "quiver_segments", List.of(
      new ColumnDef("table_name", ColumnType.TEXT, true),
      new ColumnDef("segment", ColumnType.of(io.quiverdb.common.types.PgType.INT4), true),
      new ColumnDef("state", ColumnType.TEXT, true),
      new ColumnDef("versions", ColumnType.of(io.quiverdb.common.types.PgType.INT8), true),
      new ColumnDef("live_rows", ColumnType.of(io.quiverdb.common.types.PgType.INT8), true),
      new ColumnDef("dead_rows", ColumnType.of(io.quiverdb.common.types.PgType.INT8), true),
      new ColumnDef("reclaimed_rows", ColumnType.of(io.quiverdb.common.types.PgType.INT8), true),
      new ColumnDef("bytes", ColumnType.of(io.quiverdb.common.types.PgType.INT8), true)),
      List.of());

  private SystemViews() {}

  public static List<TableDef> all() {
    return List.of(SEGMENTS);
  }

  public static Optional<TableDef> table(String name) {
    return name.equals(SEGMENTS.name()) ? Optional.of(SEGMENTS) : Optional.empty();
  }

  public static boolean isSystem(TableDef t) {
    return t.id() < io.quiverdb.storage.Catalog.FIRST_TABLE_ID;
  }

  /** The rows of a system view, computed now. */
  public static RowCursor scan(Store store, TableDef view) {
    List<Object[]> rows = new ArrayList<>();
    for (SegmentStats s : store.segmentStats()) {
      rows.add(new Object[] {s.table().name(), s.segment(), s.sealed() ? "sealed" : "growing",
          s.versions(), s.live(), s.dead(), s.reclaimed(), s.bytes()});
    }
    return new RowCursor() {
      private int at = -1;

      @Override
      public boolean next() {
        return ++at < rows.size();
      }

      @Override
      public Object[] row() {
        return rows.get(at);
      }

      @Override
      public long rowId() {
        return at;
      }

      @Override
      public void close() {}
    };
  }
}
