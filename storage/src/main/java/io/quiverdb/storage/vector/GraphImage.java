package io.quiverdb.storage.vector;

import static io.quiverdb.storage.vector.HnswGraph.CHUNK;
import static io.quiverdb.storage.vector.HnswGraph.CHUNK_BITS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * The persisted form of a graph's chunks. Links: the levels (one byte per node), the level-0 lists
 * ({@code count, n1 .. n_m0} per node, zeros for an absent node), then the upper lists of the
 * nodes above level 0 in node order; vectors: the chunk's floats. Both little-endian. A restore
 * checks what it reads (levels, counts, neighbour ids), so a damaged image fails loudly instead of
 * becoming a graph that walks into nonsense.
 */
final class GraphImage {
  private GraphImage() {}

  /** A chunk's levels and lists; call while no insert runs. */
  static byte[] links(HnswGraph g, HnswGraph.Chunk chunk) {
    int m0 = g.m0;
    int upperInts = 0;
    for (int[] u : chunk.upper) {
      upperInts += u == null ? 0 : u.length;
    }
    ByteBuffer b = ByteBuffer.allocate(CHUNK + 4 * CHUNK * (m0 + 1) + 4 * upperInts)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(chunk.levels);
    IntBuffer lists = b.asIntBuffer();
    int[] none = new int[m0 + 1];
    for (int i = 0; i < CHUNK; i++) {
      int[] l = chunk.links0[i];
      lists.put(l == null ? none : l);
    }
    b.position(b.position() + 4 * CHUNK * (m0 + 1));
    for (int[] u : chunk.upper) {
      if (u != null) {
        b.asIntBuffer().put(u);
        b.position(b.position() + 4 * u.length);
      }
    }
    return b.array();
  }

  static byte[] vectors(HnswGraph.Chunk chunk) {
    float[] v = chunk.vectors;
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * Rebuilds {@code g} from encoded chunks, keeping only nodes below {@code watermark}: a
   * persisted graph may hold nodes that were being inserted when it was written, and lists that
   * name them. The entry point is the first node of the highest level.
   *
   * @throws IllegalStateException when the image cannot be a graph's (a damaged file)
   */
  static void restore(HnswGraph g, byte[][] links, byte[][] vectors, int watermark) {
    HnswGraph.Chunk[] loaded = new HnswGraph.Chunk[links.length];
    int limit = links.length << CHUNK_BITS;
    int count = 0;
    long top = -1;
    for (int c = 0; c < links.length; c++) {
      HnswGraph.Chunk chunk = readChunk(g, links[c], vectors[c], c);
      for (int i = 0; i < CHUNK; i++) {
        int node = (c << CHUNK_BITS) | i;
        int level = chunk.levels[i];
        if (level < 0) {
          continue;
        }
        if (node >= watermark) {
          chunk.levels[i] = -1;
          chunk.upper[i] = null;
          chunk.links0[i] = null;
          continue;
        }
        count++;
        checkLinks(chunk.links0[i], 0, g.m0, node, limit);
        dropNewer(chunk.links0[i], 0, watermark);
        for (int l = 1; l <= level; l++) {
          checkLinks(chunk.upper[i], (l - 1) * (g.m + 1), g.m, node, limit);
          dropNewer(chunk.upper[i], (l - 1) * (g.m + 1), watermark);
        }
        if (top == -1 || level > (int) (top >>> 32)) {
          top = (long) level << 32 | node;
        }
      }
      loaded[c] = chunk;
    }
    g.install(loaded, count, top);
  }

  private static HnswGraph.Chunk readChunk(HnswGraph g, byte[] links, byte[] vectors, int c) {
    HnswGraph.Chunk chunk = new HnswGraph.Chunk(g.dim);
    ByteBuffer b = ByteBuffer.wrap(links).order(ByteOrder.LITTLE_ENDIAN);
    b.get(chunk.levels);
    IntBuffer lists = b.asIntBuffer();
    for (int i = 0; i < CHUNK; i++) {
      int[] l = new int[g.m0 + 1];
      lists.get(l);
      chunk.links0[i] = chunk.levels[i] >= 0 ? l : null;
    }
    b.position(b.position() + 4 * CHUNK * (g.m0 + 1));
    for (int i = 0; i < CHUNK; i++) {
      int level = chunk.levels[i];
      if (level > HnswGraph.MAX_LEVEL) {
        throw new IllegalStateException("node " + ((c << CHUNK_BITS) | i) + " has level "
            + level);
      }
      if (level > 0) {
        chunk.upper[i] = new int[level * (g.m + 1)];
        b.asIntBuffer().get(chunk.upper[i]);
        b.position(b.position() + 4 * chunk.upper[i].length);
      }
    }
    if (b.hasRemaining() || vectors.length != 4 * chunk.vectors.length) {
      throw new IllegalStateException("chunk " + c + " has the wrong length");
    }
    ByteBuffer.wrap(vectors).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(chunk.vectors);
    return chunk;
  }

  /** Rejects a stored list whose count or entries cannot be right. */
  private static void checkLinks(int[] list, int base, int max, int node, int limit) {
    int n = list[base];
    if (n < 0 || n > max) {
      throw new IllegalStateException("node " + node + " has a list of " + n + " neighbours");
    }
    for (int i = 1; i <= n; i++) {
      int nb = list[base + i];
      if (nb < 0 || nb >= limit) {
        throw new IllegalStateException("node " + node + " links to node " + nb);
      }
    }
  }

  private static void dropNewer(int[] list, int base, int watermark) {
    int n = list[base];
    int kept = 0;
    for (int i = 1; i <= n; i++) {
      if (list[base + i] < watermark) {
        list[base + 1 + kept++] = list[base + i];
      }
    }
    list[base] = kept;
  }
}
