package io.quiverdb.storage.vector;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a graph's structure, for {@code quiver_hnsw_check} and tests: every list holds distinct
 * nodes below the limit that exist, other than the node itself, with at least the list's level;
 * and how many nodes cannot be reached on level 0 from the entry point.
 */
final class GraphCheck {
  private GraphCheck() {}

  /** Checks the nodes below {@code limit}; call while no insert runs. */
  static HnswGraph.Check run(HnswGraph g, int limit) {
    int nodes = 0;
    int duplicates = 0;
    int absent = 0;
    int outside = 0;
    int self = 0;
    int levels = 0;
    int top = Math.min(limit, g.capacity());
    for (int node = 0; node < top; node++) {
      int level = g.levelOf(node);
      if (level < 0) {
        continue;
      }
      nodes++;
      for (int l = 0; l <= level; l++) {
        Set<Integer> seen = new HashSet<>();
        for (int nb : g.neighbours(node, l)) {
          if (!seen.add(nb)) {
            duplicates++;
          } else if (nb == node) {
            self++;
          } else if (nb >= limit) {
            outside++;
          } else if (nb < 0 || !g.contains(nb)) {
            absent++;
          } else if (g.levelOf(nb) < l) {
            levels++;
          }
        }
      }
    }
    return new HnswGraph.Check(nodes, duplicates, absent, outside, self, levels,
        nodes - reachable(g, top));
  }

  /** Nodes below {@code limit} reachable on level 0 from the entry point below it. */
  private static int reachable(HnswGraph g, int limit) {
    long ep = g.entryBelow(limit);
    if (ep == -1) {
      return 0;
    }
    BitSet seen = new BitSet(limit);
    ArrayDeque<Integer> todo = new ArrayDeque<>();
    seen.set((int) ep);
    todo.add((int) ep);
    int n = 0;
    while (!todo.isEmpty()) {
      int node = todo.poll();
      n++;
      for (int nb : g.neighbours(node, 0)) {
        if (nb >= 0 && nb < limit && g.contains(nb) && !seen.get(nb)) {
          seen.set(nb);
          todo.add(nb);
        }
      }
    }
    return n;
  }
}
