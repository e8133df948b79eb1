package io.quiverdb.storage.vector;

import java.util.Arrays;

/**
 * A binary min-heap of longs that grows as needed. The graph search packs a distance and a node
 * into one long ({@link HnswGraph#pack}) so that comparing longs compares distances; a max-heap is
 * this heap over the bitwise complements.
 */
final class LongHeap {
  private long[] heap;
  private int size;

  LongHeap(int capacity) {
    heap = new long[Math.max(16, capacity)];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    size = 0;
  }

  long peek() {
    return heap[0];
  }

  void push(long v) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
    long[] h = heap;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long p = h[parent];
      if (p <= v) {
        break;
      }
      h[i] = p;
      i = parent;
    }
    h[i] = v;
  }

  long pop() {
    long[] h = heap;
    long top = h[0];
    long last = h[--size];
    int n = size;
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && h[child + 1] < h[child]) {
        child++;
      }
      if (h[child] >= last) {
        break;
      }
      h[i] = h[child];
      i = child;
    }
    h[i] = last;
    return top;
  }
}
