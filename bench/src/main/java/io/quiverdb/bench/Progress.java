package io.quiverdb.bench;

/** A one-line progress bar on stderr for long benchmark phases. */
final class Progress {
  private Progress() {}

  static void print(String phase, long done, long total) {
    int width = 30;
    int filled = (int) (width * done / Math.max(1, total));
    System.err.printf("\r%-6s [%s%s] %d/%d", phase, "#".repeat(filled), " ".repeat(width - filled),
        done, total);
    if (done == total) {
      System.err.println();
    }
  }
}
