package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Snapshot isolation against an in-memory model, over random interleavings of transactions on a
 * few keys. The model keeps every committed state; a transaction reads the state at its snapshot
 * with its own writes over it, and of two transactions writing one key the first to commit wins.
 * Every read, every refused write and every commit outcome of the store must match the model, and
 * so must the state after a reopen.
 */
class VisibilityModelTest {
  private static final int KEYS = 6;

  /** A model transaction: the committed state it started from and its own writes. */
  private static final class ModelTxn {
    final int snapshot;
    final Map<Long, String> base;
    final Map<Long, String> own = new HashMap<>(); // null value = deleted

    ModelTxn(int snapshot, Map<Long, String> base) {
      this.snapshot = snapshot;
      this.base = base;
    }

    String read(long k) {
      return own.containsKey(k) ? own.get(k) : base.get(k);
    }
  }

  /** The committed history: state after commit i, and the last commit that wrote each key. */
  private final List<Map<Long, String>> states = new ArrayList<>();
  private final Map<Long, Integer> lastWrite = new HashMap<>();

  private Map<Long, String> latest() {
    return states.get(states.size() - 1);
  }

  /**
   * Whether a commit now would find a conflict on {@code k}, which the transaction wrote: another
   * commit changed the version it saw, or put a live row where it inserted one.
   */
  private boolean conflicts(ModelTxn m, long k) {
    if (m.base.containsKey(k)) {
      return lastWrite.getOrDefault(k, -1) > m.snapshot;
    }
    return m.own.get(k) != null && latest().containsKey(k);
  }

  @Property(tries = 60)
  void transactions_see_their_snapshot_and_the_first_committer_wins(@ForAll long seed)
      throws IOException {
    Path dir = Files.createTempDirectory("quiver-model-");
    Random r = new Random(seed);
    states.clear();
    lastWrite.clear();
    states.add(Map.of());
    Store store = Store.open(dir, new StorageConfig(true, 1 + r.nextInt(8), 0, 0));
    try {
      TableDef t = store.catalog().createTable("public", "kv", List.of(
          new ColumnDef("k", ColumnType.BIGINT, false),
          new ColumnDef("v", ColumnType.TEXT, false)), List.of(0));
      List<Transaction> open = new ArrayList<>();
      List<ModelTxn> models = new ArrayList<>();
      for (int step = 0; step < 150; step++) {
        int op = r.nextInt(10);
        if (open.isEmpty() || (op == 0 && open.size() < 4)) {
          open.add(store.begin());
          models.add(new ModelTxn(states.size() - 1, latest()));
          continue;
        }
        int i = r.nextInt(open.size());
        Transaction txn = open.get(i);
        ModelTxn m = models.get(i);
        long k = r.nextInt(KEYS);
        boolean finished = false;
        if (op <= 3) {
          assertThat(read(txn, t, k)).as("step %d read %d", step, k).isEqualTo(m.read(k));
          assertThat(scanAll(txn, t)).as("step %d scan", step).isEqualTo(view(m));
        } else if (op <= 6) {
          String v = "s" + step;
          finished = write(txn, t, m, k, v);
        } else if (op == 7) {
          finished = delete(txn, t, m, k);
        } else if (op == 8) {
          boolean ok = !m.own.keySet().stream().anyMatch(key -> conflicts(m, key));
          try {
            txn.commit();
            assertThat(ok).as("step %d: commit should have been refused", step).isTrue();
            Map<Long, String> next = new TreeMap<>(latest());
            for (Map.Entry<Long, String> e : m.own.entrySet()) {
              if (e.getValue() == null) {
                next.remove(e.getKey());
              } else {
                next.put(e.getKey(), e.getValue());
              }
              lastWrite.put(e.getKey(), states.size());
            }
            states.add(next);
          } catch (QuiverException e) {
            assertThat(ok).as("step %d: commit refused with %s", step, e.getMessage()).isFalse();
          }
          finished = true;
        } else {
          txn.rollback();
          finished = true;
        }
        if (finished) {
          txn.close();
          open.remove(i);
          models.remove(i);
        }
      }
      open.forEach(Transaction::close);
      store.close();
      store = Store.open(dir, StorageConfig.DEFAULT);
      try (Transaction txn = store.begin()) {
        assertThat(scanAll(txn, store.catalog().table("public", "kv").orElseThrow()))
            .as("after reopen").isEqualTo(new TreeMap<>(latest()));
      }
    } finally {
      store.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Upsert of k; returns true when the transaction was refused (and so is finished). */
  private boolean write(Transaction txn, TableDef t, ModelTxn m, long k, String v) {
    boolean changedSince = lastWrite.getOrDefault(k, -1) > m.snapshot;
    boolean expectFail;
    if (m.own.containsKey(k)) {
      expectFail = m.own.get(k) == null && latest().containsKey(k) && changedSince;
    } else if (m.base.containsKey(k)) {
      expectFail = changedSince;
    } else {
      expectFail = latest().containsKey(k);
    }
    try {
      long id = txn.find(t, new Object[] {k});
      if (id == Transaction.NO_ROW) {
        txn.insert(t, new Object[] {k, v});
      } else {
        txn.update(t, id, new Object[] {k, v});
      }
      assertThat(expectFail).as("write of %d should have been refused", k).isFalse();
      m.own.put(k, v);
      return false;
    } catch (QuiverException e) {
      assertThat(e.state()).isIn(SqlState.SERIALIZATION_FAILURE, SqlState.UNIQUE_VIOLATION);
      assertThat(expectFail).as("write of %d refused: %s", k, e.getMessage()).isTrue();
      txn.rollback();
      return true;
    }
  }

  private boolean delete(Transaction txn, TableDef t, ModelTxn m, long k) {
    if (m.read(k) == null) {
      assertThat(txn.find(t, new Object[] {k})).isEqualTo(Transaction.NO_ROW);
      return false;
    }
    boolean expectFail = !m.own.containsKey(k)
        && lastWrite.getOrDefault(k, -1) > m.snapshot;
    try {
      txn.delete(t, txn.find(t, new Object[] {k}));
      assertThat(expectFail).as("delete of %d should have been refused", k).isFalse();
      if (m.base.containsKey(k)) {
        m.own.put(k, null);
      } else {
        m.own.remove(k); // deleting its own insert leaves nothing to write
      }
      return false;
    } catch (QuiverException e) {
      assertThat(expectFail).as("delete of %d refused: %s", k, e.getMessage()).isTrue();
      txn.rollback();
      return true;
    }
  }

  private static String read(Transaction txn, TableDef t, long k) {
    Object[] row = txn.get(t, new Object[] {k});
    return row == null ? null : (String) row[1];
  }

  private static Map<Long, String> scanAll(Transaction txn, TableDef t) {
    Map<Long, String> out = new TreeMap<>();
    try (RowCursor c = txn.scan(t)) {
      while (c.next()) {
        assertThat(out.put((Long) c.row()[0], (String) c.row()[1])).as("one version per key")
            .isNull();
      }
    }
    return out;
  }

  private static Map<Long, String> view(ModelTxn m) {
    Map<Long, String> out = new TreeMap<>(m.base);
    for (Map.Entry<Long, String> e : m.own.entrySet()) {
      if (e.getValue() == null) {
        out.remove(e.getKey());
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}
