package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.storage.rocks.Family;
import io.quiverdb.storage.rocks.RocksKv;
import io.quiverdb.storage.vector.HnswGraph;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * Persists segment graphs in the {@code index} column family, so that a restart loads them
 * instead of rebuilding. Keys: index id (8) + segment (4) + kind (1) [+ chunk (4)]:
 *
 * <pre>
 *   'h'          → i32 watermark, i32 chunks, i32 dimensions, i32 m   (written last)
 *   'l' + chunk  → levels and neighbour lists ({@link HnswGraph#encodeLinks})
 *   'v' + chunk  → vectors ({@link HnswGraph#encodeVectors})
 * </pre>
 *
 * <p>The graph is a cache of what the rows determine, so it bypasses the WAL: each persist writes
 * one sorted table file and ingests it, atomically, so a crash leaves the previous persist or
 * this one, and costs at most a rebuild of what was added since, never rows. A graph written while nodes above the watermark were being inserted is cut back to the
 * watermark when loaded.
 */
final class SegmentGraphCodec {
  private static final Logger LOG = Logger.getLogger(SegmentGraphCodec.class.getName());

  private final RocksKv kv;
  private final io.quiverdb.common.FaultPoints faults;

  SegmentGraphCodec(RocksKv kv, io.quiverdb.common.FaultPoints faults) {
    this.kv = kv;
    this.faults = faults;
  }

  /**
   * Writes {@code g} up to {@code watermark} (at most its indexed watermark: the durable part of
   * it); call while no insert into it runs.
   */
  void write(VectorIndex index, VectorIndex.SegmentGraph g, int watermark) {
    faults.reach("graph.persist.before");
    HnswGraph graph = g.graph;
    int chunks = Math.min(graph.chunkCount(),
        (watermark + HnswGraph.chunkSize() - 1) / HnswGraph.chunkSize());
    int vectorsFrom = g.persisted / HnswGraph.chunkSize();
    long id = index.def.id();
    kv.ingestSorted(Family.INDEX, sink -> {
      // key order: the header ('h'), then link chunks ('l'), then vector chunks ('v')
      sink.put(key(id, g.segment, 'h', -1), ByteBuffer.allocate(16).putInt(watermark)
          .putInt(chunks).putInt(index.dimensions).putInt(index.def.m()).array());
      for (int c = 0; c < chunks; c++) {
        sink.put(key(id, g.segment, 'l', c), graph.encodeLinks(c));
      }
      for (int c = vectorsFrom; c < chunks; c++) {
        sink.put(key(id, g.segment, 'v', c), graph.encodeVectors(c));
      }
    }, "index " + index.def.name());
    g.persisted = watermark;
    faults.reach("graph.persist.after");
  }

  /**
   * Loads segment {@code segment}'s graph of {@code index}, or returns null when none is stored.
   * The graph is cut back to {@code recoveredSize}, the versions recovery found: offsets past it
   * were lost in a crash or dropped at the tail, and new rows will reuse them.
   */
  VectorIndex.SegmentGraph read(VectorIndex index, int segment, int recoveredSize) {
    byte[] header = kv.get(Family.INDEX, key(index.def.id(), segment, 'h', -1));
    if (header == null) {
      return null;
    }
    ByteBuffer h = ByteBuffer.wrap(header);
    int stored = h.getInt();
    int watermark = Math.min(stored, recoveredSize);
    if (watermark < stored) {
      LOG.warning("index " + index.def.name() + " segment " + segment + ": the stored graph covers "
          + stored + " rows but " + recoveredSize + " were recovered; cutting it back and"
          + " rebuilding the rest");
    }
    int chunks = h.getInt();
    int dim = h.getInt();
    int m = h.getInt();
    if (dim != index.dimensions || m != index.def.m()) {
      LOG.warning("index " + index.def.name() + " segment " + segment
          + ": stored graph does not match the definition; rebuilding it");
      return null;
    }
    byte[][] links = new byte[chunks][];
    byte[][] vectors = new byte[chunks][];
    for (int c = 0; c < chunks; c++) {
      links[c] = kv.get(Family.INDEX, key(index.def.id(), segment, 'l', c));
      vectors[c] = kv.get(Family.INDEX, key(index.def.id(), segment, 'v', c));
      if (links[c] == null || vectors[c] == null) {
        throw new QuiverException(SqlState.INDEX_CORRUPTED, "index " + index.def.name()
            + " segment " + segment + ": chunk " + c + " of " + chunks + " is missing");
      }
    }
    HnswGraph graph = index.newGraph();
    try {
      graph.restore(links, vectors, watermark);
    } catch (RuntimeException e) {
      throw new QuiverException(SqlState.INDEX_CORRUPTED, "index " + index.def.name()
          + " segment " + segment + ": the stored graph cannot be decoded: " + e, e);
    }
    VectorIndex.SegmentGraph g = new VectorIndex.SegmentGraph(segment, graph);
    g.indexed = watermark;
    g.persisted = watermark;
    return g;
  }

  private static byte[] key(long indexId, int segment, char kind, int chunk) {
    byte[] k = new byte[chunk < 0 ? 13 : 17];
    KeyCodec.putLong(k, 0, indexId);
    ByteBuffer.wrap(k, 8, 4).putInt(segment);
    k[12] = (byte) kind;
    if (chunk >= 0) {
      ByteBuffer.wrap(k, 13, 4).putInt(chunk);
    }
    return k;
  }
}
