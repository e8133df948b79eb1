package io.quiverdb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.vector.Metric;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's own parts: dataset, ground truth, file formats, COPY encoding, plot. */
class BenchToolsTest {
  @TempDir
  Path dir;

  @Test
  void the_generator_is_deterministic_and_clustered() {
    Dataset a = Dataset.generate(3000, 32, 50, 7);
    Dataset b = Dataset.generate(3000, 32, 50, 7);
    Dataset c = Dataset.generate(5000, 32, 50, 7);
    assertThat(a.base()).isDeepEqualTo(b.base());
    assertThat(a.queries()).isDeepEqualTo(c.queries()).as("queries do not depend on N");
    assertThat(Dataset.generate(3000, 32, 50, 8).base()[0]).isNotEqualTo(a.base()[0]);
    // clustered: a point's nearest neighbour is far nearer than a random other point
    double nearest = 0;
    double random = 0;
    for (int i = 0; i < 100; i++) {
      float[] p = a.base()[i];
      double best = Double.MAX_VALUE;
      for (int j = 0; j < a.base().length; j++) {
        if (j != i) {
          best = Math.min(best, Metric.L2.distance(p, a.base()[j]));
        }
      }
      nearest += best;
      random += Metric.L2.distance(p, a.base()[(i * 7 + 1000) % a.base().length]);
    }
    assertThat(nearest * 3).isLessThan(random);
  }

  @Test
  void ground_truth_matches_a_naive_sort_with_and_without_deletions() {
    Dataset d = Dataset.generate(2000, 16, 20, 3);
    for (Metric m : Metric.values()) {
      int[][] truth = GroundTruth.compute(d.base(), d.queries(), 10, m, i -> i % 3 != 0);
      for (int q = 0; q < d.queries().length; q++) {
        float[] query = d.queries()[q];
        List<Integer> naive = IntStream.range(0, d.base().length).filter(i -> i % 3 != 0)
            .boxed().sorted(Comparator.comparingDouble((Integer i) ->
                m.distance(query, d.base()[i])).thenComparing(i -> i))
            .limit(10).toList();
        assertThat(Arrays.stream(truth[q]).boxed().toList()).as(m.name()).isEqualTo(naive);
      }
    }
  }

  @Test
  void fvecs_and_ivecs_round_trip() throws Exception {
    float[][] v = Dataset.generate(10, 5, 1, 1).base();
    Dataset.writeFvecs(dir.resolve("a.fvecs"), v);
    assertThat(Dataset.readFvecs(dir.resolve("a.fvecs"), Integer.MAX_VALUE)).isDeepEqualTo(v);
    assertThat(Dataset.readFvecs(dir.resolve("a.fvecs"), 3)).hasNumberOfRows(3);
    int[][] ids = {{1, 2, 3}, {4, 5, 6}};
    Dataset.writeIvecs(dir.resolve("a.ivecs"), ids);
    assertThat(Dataset.readIvecs(dir.resolve("a.ivecs"), 10)).isDeepEqualTo(ids);
  }

  @Test
  void a_binary_copy_row_is_pgvectors_wire_form() {
    ByteBuffer b = ByteBuffer.allocate(64);
    AnnBench.writeRow(b, 5, new float[] {1.5f, -2f});
    byte[] expected = ByteBuffer.allocate(2 + 4 + 8 + 4 + 2 + 2 + 8).putShort((short) 2)
        .putInt(8).putLong(5).putInt(12).putShort((short) 2).putShort((short) 0)
        .putFloat(1.5f).putFloat(-2f).array();
    assertThat(Arrays.copyOf(b.array(), b.position())).isEqualTo(expected);
    assertThat(AnnBench.text(new float[] {1.5f, -2f})).isEqualTo("[1.5,-2.0]");
  }

  @Test
  void the_report_writes_json_it_can_read_back_and_a_well_formed_svg() throws Exception {
    Report r = new Report("QuiverDB <test>");
    r.setup.put("rows", 100);
    r.points.add(new Report.Point(10, 0.9, 5000, 0.2, 0.3, 0.4, 0));
    r.points.add(new Report.Point(40, 0.97, 3000, 0.3, 0.4, 0.5, 0));
    Path json = dir.resolve("r.json");
    Files.writeString(json, r.json());
    Report back = Report.readJson(json);
    assertThat(back.label).isEqualTo("QuiverDB <test>");
    assertThat(back.points).extracting(Report.Point::ef).containsExactly(10, 40);
    assertThat(back.points.get(1).recall()).isEqualTo(0.97);
    String svg = Report.svg(List.of(r, back), 10);
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(4);
  }
}
