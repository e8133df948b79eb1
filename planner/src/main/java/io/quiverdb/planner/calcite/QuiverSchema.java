package io.quiverdb.planner.calcite;

import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.ColumnDef;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import java.util.HashMap;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * One schema of the storage catalog as Calcite sees it, taken from one catalog state: a plan made
 * against it is valid until the catalog's version moves.
 */
public final class QuiverSchema extends AbstractSchema {
  private final Map<String, Table> tables = new HashMap<>();

  public QuiverSchema(Store store, CatalogView catalog, String schemaName) {
    for (TableDef t : catalog.tables()) {
      if (t.schema().equals(schemaName)) {
        tables.put(t.name(), new QuiverTable(store, t));
      }
    }
    if (schemaName.equals("public")) {
      for (TableDef t : io.quiverdb.planner.SystemViews.all()) {
        tables.putIfAbsent(t.name(), new QuiverTable(store, t));
      }
    }
  }

  @Override
  protected Map<String, Table> getTableMap() {
    return tables;
  }

  /** A stored table: its row type from the catalog, its row count from storage's estimate. */
  public static final class QuiverTable extends AbstractTable {
    private final Store store;
    private final TableDef def;

    QuiverTable(Store store, TableDef def) {
      this.store = store;
      this.def = def;
    }

    public TableDef def() {
      return def;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
      QuiverTypeFactory f = (QuiverTypeFactory) typeFactory;
      RelDataTypeFactory.Builder b = f.builder();
      for (ColumnDef c : def.columns()) {
        b.add(c.name(), TypeMapping.toCalcite(f, c.type(), !c.notNull()));
      }
      return b.build();
    }

    @Override
    public Statistic getStatistic() {
      double rows = Math.max(1, store.estimatedRowCount(def));
      if (def.hasPrimaryKey()) {
        return Statistics.of(rows, java.util.List.of(ImmutableBitSet.of(def.primaryKey())));
      }
      return Statistics.of(rows, java.util.List.of());
    }
  }
}
