package io.quiverdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The results of one {@code ann} run: the setup (server, dataset, load and build figures) and one
 * row per ef_search; printed as a table, written as JSON, and drawn as an SVG recall-vs-QPS plot
 * that can carry the series of earlier runs.
 */
final class Report {
  /** One ef_search setting's measurements. */
  record Point(int ef, double recall, double qps, double p50, double p95, double p99,
      long deletedReturned) {}

  final Map<String, Object> setup = new LinkedHashMap<>();
  final List<Point> points = new ArrayList<>();
  final String label;

  Report(String label) {
    this.label = label;
  }

  void printTable(int k) {
    System.out.println();
    setup.forEach((key, v) -> System.out.printf(Locale.ROOT, "%-18s %s%n", key + ":", v));
    System.out.println();
    System.out.printf(Locale.ROOT, "%9s  %9s  %9s  %8s  %8s  %8s%n", "ef_search", "recall@" + k,
        "QPS", "p50 ms", "p95 ms", "p99 ms");
    for (Point p : points) {
      System.out.printf(Locale.ROOT, "%9d  %9.4f  %9.0f  %8.3f  %8.3f  %8.3f%s%n", p.ef,
          p.recall, p.qps, p.p50, p.p95, p.p99,
          p.deletedReturned > 0 ? "  (" + p.deletedReturned + " deleted rows returned!)" : "");
    }
  }

  String json() {
    StringBuilder b = new StringBuilder("{\n  \"label\": ").append(quote(label))
        .append(",\n  \"setup\": {");
    int i = 0;
    for (Map.Entry<String, Object> e : setup.entrySet()) {
      b.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(e.getKey())).append(": ");
      Object v = e.getValue();
      b.append(v instanceof Number ? v.toString() : quote(String.valueOf(v)));
    }
    b.append("\n  },\n  \"results\": [");
    for (int j = 0; j < points.size(); j++) {
      Point p = points.get(j);
      b.append(j == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
          "    {\"ef\": %d, \"recall\": %.5f, \"qps\": %.1f, \"p50_ms\": %.4f, \"p95_ms\": %.4f,"
              + " \"p99_ms\": %.4f, \"deleted_returned\": %d}",
          p.ef, p.recall, p.qps, p.p50, p.p95, p.p99, p.deletedReturned));
    }
    return b.append("\n  ]\n}\n").toString();
  }

  /** The label and points of a JSON file this class wrote. */
  static Report readJson(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Matcher l = Pattern.compile("\"label\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
    Report r = new Report(l.find() ? l.group(1).replace("\\\"", "\"") : file.getFileName()
        .toString());
    Matcher m = Pattern.compile("\\{\"ef\": (\\d+), \"recall\": ([0-9.]+), \"qps\": ([0-9.]+),"
        + " \"p50_ms\": ([0-9.]+), \"p95_ms\": ([0-9.]+), \"p99_ms\": ([0-9.]+)").matcher(text);
    while (m.find()) {
      r.points.add(new Point(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
          Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
          Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), 0));
    }
    return r;
  }

  private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};

  /** Recall@k across, QPS up (log scale), one labelled point per ef_search, one series a run. */
  static String svg(List<Report> series, int k) {
    int w = 860;
    int h = 480;
    int left = 80;
    int right = 280;
    int top = 40;
    int bottom = 60;
    double minR = 1;
    double maxR = 0;
    double minQ = Double.MAX_VALUE;
    double maxQ = 0;
    for (Report r : series) {
      for (Point p : r.points) {
        minR = Math.min(minR, p.recall);
        maxR = Math.max(maxR, p.recall);
        minQ = Math.min(minQ, p.qps);
        maxQ = Math.max(maxQ, p.qps);
      }
    }
    minR = Math.max(0, Math.floor(minR * 20) / 20);
    maxR = Math.min(1, Math.max(minR + 0.05, Math.ceil(maxR * 100) / 100));
    double lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, minQ))));
    double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(lo * 10, maxQ))));
    int pw = w - left - right;
    int ph = h - top - bottom;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
    s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
        w, h));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">recall@%d vs"
        + " queries per second (higher and further right is better)</text>%n", left, k));
    for (double q = lo; q <= hi * 1.0001; q *= 10) {
      for (int mult = 1; mult < 10 && q * mult <= hi * 1.0001; mult++) {
        double y = top + ph - ph * Math.log10(q * mult / lo) / Math.log10(hi / lo);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
            + " stroke=\"%s\"/>%n", left, y, left + pw, y, mult == 1 ? "#bbb" : "#eee"));
        if (mult == 1 || mult == 2 || mult == 5) {
          s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s"
              + "</text>%n", left - 6, y + 4, formatQps(q * mult)));
        }
      }
    }
    for (double r = minR; r <= maxR + 1e-9; r += 0.01) {
      double x = left + pw * (r - minR) / (maxR - minR);
      boolean major = Math.round(r * 100) % 5 == 0;
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
          + " stroke=\"%s\"/>%n", x, top, x, top + ph, major ? "#bbb" : "#eee"));
      if (major) {
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
            + "%.2f</text>%n", x, top + ph + 18, r));
      }
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">recall@%d"
        + "</text>%n", left + pw / 2, h - 16, k));
    s.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\""
        + " text-anchor=\"middle\">queries per second (log)</text>%n", top + ph / 2, top + ph / 2));
    for (int i = 0; i < series.size(); i++) {
      Report r = series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder path = new StringBuilder();
      for (Point p : r.points) {
        double x = left + pw * (p.recall - minR) / (maxR - minR);
        double y = top + ph - ph * Math.log10(p.qps / lo) / Math.log10(hi / lo);
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT,
            "%.1f %.1f", x, y));
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>"
            + "%n<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%d</text>%n", x, y,
            colour, x + 6, y - 6, colour, p.ef));
      }
      s.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\""
          + " stroke-width=\"1.5\"/>%n", path, colour));
      int ly = top + 20 + 22 * i;
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\""
          + " fill=\"%s\"/>%n<text x=\"%d\" y=\"%d\">%s</text>%n", left + pw + 16, ly - 11,
          colour, left + pw + 36, ly, escape(r.label)));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\">"
        + "labels: ef_search</text>%n", left + pw + 16, top + 20 + 22 * series.size()));
    return s.append("</svg>\n").toString();
  }

  private static String formatQps(double q) {
    return q >= 1000 ? String.format(Locale.ROOT, "%.0fk", q / 1000) : String.format(
        Locale.ROOT, "%.0f", q);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
