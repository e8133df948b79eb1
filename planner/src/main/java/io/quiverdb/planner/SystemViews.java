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
 * disk). {@code quiver_indexes}: one row per vector index (graph nodes, nodes this process built
 * rather than loaded, bytes in memory). {@code pg_stat_progress_create_index}: index builds
 * running now, with rows done out of rows to do. {@code quiver_workers}: the storage engine's
 * background threads, their state and their last failure. {@code quiver_hnsw_check}: a check of
 * every vector index against its table's rows, per segment (also callable as {@code
 * quiver_hnsw_check('table')}). Their ids lie below the first id the catalog hands out, so they
 * never clash.
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
  private static final ColumnType INT8 = ColumnType.of(io.quiverdb.common.types.PgType.INT8);
  private static final TableDef PROGRESS = new TableDef(2, "public",
      "pg_stat_progress_create_index", List.of(
          new ColumnDef("pid", ColumnType.of(io.quiverdb.common.types.PgType.INT4), true),
          new ColumnDef("relid", INT8, true),
          new ColumnDef("index_relid", INT8, true),
          new ColumnDef("command", ColumnType.TEXT, true),
          new ColumnDef("phase", ColumnType.TEXT, true),
          new ColumnDef("tuples_total", INT8, true),
          new ColumnDef("tuples_done", INT8, true)),
      List.of());
  private static final TableDef INDEXES = new TableDef(3, "public", "quiver_indexes", List.of(
      new ColumnDef("table_name", ColumnType.TEXT, true),
      new ColumnDef("index_name", ColumnType.TEXT, true),
      new ColumnDef("column_name", ColumnType.TEXT, true),
      new ColumnDef("opclass", ColumnType.TEXT, true),
      new ColumnDef("m", ColumnType.of(io.quiverdb.common.types.PgType.INT4), true),
      new ColumnDef("ef_construction", ColumnType.of(io.quiverdb.common.types.PgType.INT4), true),
      new ColumnDef("nodes", INT8, true),
      new ColumnDef("nodes_built", INT8, true),
      new ColumnDef("bytes", INT8, true)),
      List.of());

  private static final ColumnType INT4 = ColumnType.of(io.quiverdb.common.types.PgType.INT4);
  private static final TableDef WORKERS = new TableDef(4, "public", "quiver_workers", List.of(
      new ColumnDef("name", ColumnType.TEXT, true),
      new ColumnDef("state", ColumnType.TEXT, true),
      new ColumnDef("rounds", INT8, true),
      new ColumnDef("failures", INT8, true),
      new ColumnDef("last_error", ColumnType.TEXT, false),
      new ColumnDef("last_error_at", ColumnType.of(io.quiverdb.common.types.PgType.TIMESTAMPTZ),
          false)),
      List.of());
  private static final TableDef HNSW_CHECK = new TableDef(5, "public", "quiver_hnsw_check",
      List.of(
          new ColumnDef("table_name", ColumnType.TEXT, true),
          new ColumnDef("index_name", ColumnType.TEXT, true),
          new ColumnDef("segment", INT4, true),
          new ColumnDef("ok", ColumnType.of(io.quiverdb.common.types.PgType.BOOL), true),
          new ColumnDef("indexed", INT4, true),
          new ColumnDef("nodes", INT4, true),
          new ColumnDef("live_rows", INT8, true),
          new ColumnDef("unindexed_live_rows", INT8, true),
          new ColumnDef("duplicate_links", INT4, true),
          new ColumnDef("absent_links", INT4, true),
          new ColumnDef("out_of_segment_links", INT4, true),
          new ColumnDef("self_links", INT4, true),
          new ColumnDef("level_errors", INT4, true),
          new ColumnDef("unreachable_nodes", INT4, true),
          new ColumnDef("searches", INT4, true),
          new ColumnDef("searches_finding_self", INT4, true),
          new ColumnDef("invisible_rows_returned", INT8, true)),
      List.of());

  private SystemViews() {}

  public static List<TableDef> all() {
    return List.of(SEGMENTS, PROGRESS, INDEXES, WORKERS, HNSW_CHECK);
  }

  /** Whether {@code name} is a view that can be called as a function of a table name. */
  public static boolean isViewFunction(String name) {
    return name.equals(HNSW_CHECK.name());
  }

  public static Optional<TableDef> table(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public static boolean isSystem(TableDef t) {
    return t.id() < io.quiverdb.storage.Catalog.FIRST_TABLE_ID;
  }

  /** The rows of a system view, computed now. */
  public static RowCursor scan(Store store, TableDef view) {
    List<Object[]> rows = new ArrayList<>();
    if (view.id() == SEGMENTS.id()) {
      for (SegmentStats s : store.segmentStats()) {
        rows.add(new Object[] {s.table().name(), s.segment(), s.sealed() ? "sealed" : "growing",
            s.versions(), s.live(), s.dead(), s.reclaimed(), s.bytes()});
      }
    } else if (view.id() == PROGRESS.id()) {
      for (Store.IndexBuild b : store.indexBuilds()) {
        rows.add(new Object[] {0, b.tableId(), b.indexId(), "CREATE INDEX", b.phase(),
            b.tuplesTotal(), b.tuplesDone()});
      }
    } else if (view.id() == WORKERS.id()) {
      for (Store.WorkerStatus w : store.workers()) {
        rows.add(new Object[] {w.name(), w.state(), w.rounds(), w.failures(), w.lastError(),
            w.lastErrorMillis() == 0 ? null : w.lastErrorMillis() * 1000});
      }
    } else if (view.id() == HNSW_CHECK.id()) {
      for (TableDef t : store.catalog().tables()) {
        for (io.quiverdb.storage.IndexCheck.Result r : store.checkVectorIndexes(t)) {
          rows.add(new Object[] {t.name(), r.index(), r.segment(), r.sound(), r.indexed(),
              r.nodes(), r.liveRows(), r.unindexedLive(), r.duplicateLinks(), r.absentLinks(),
              r.outsideLinks(), r.selfLinks(), r.levelErrors(), r.unreachable(), r.searches(),
              r.selfFound(), r.invisibleReturned()});
        }
      }
    } else {
      for (TableDef t : store.catalog().tables()) {
        for (io.quiverdb.storage.IndexDef x : t.indexes()) {
          long[] size = store.indexSize(x.id());
          rows.add(new Object[] {t.name(), x.name(), t.columns().get(x.column()).name(),
              x.metric().opclass(), x.m(), x.efConstruction(), size == null ? 0L : size[0],
              size == null ? 0L : size[2], size == null ? 0L : size[1]});
        }
      }
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
