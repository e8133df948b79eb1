package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact k-NN over the wire for each pgVector operator, compared with a brute-force answer computed
 * here, alone and combined with filters, in each client mode.
 */
class ExactKnnPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  private static final long SEED = 20261124L;
  private static final int ROWS = 3000;
  private static final int DIM = 16;
  private static final int K = 10;
  private static float[][] vectors;
  private static String[] categories;

  @BeforeAll
  static void load() throws Exception {
    System.out.println("ExactKnnPgTest seed " + SEED);
    Random random = new Random(SEED);
    vectors = new float[ROWS][DIM];
    categories = new String[ROWS];
    String[] names = {"red", "green", "blue", "black"};
    for (int i = 0; i < ROWS; i++) {
      for (int d = 0; d < DIM; d++) {
        vectors[i][d] = (float) random.nextGaussian();
      }
      categories[i] = names[random.nextInt(names.length)];
    }
    try (Connection c = SERVER.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE docs (id bigint PRIMARY KEY, category text, embedding vector(16))");
      for (int start = 0; start < ROWS; start += 500) {
        StringBuilder sql = new StringBuilder("INSERT INTO docs (id, category, embedding) VALUES ");
        for (int i = start; i < Math.min(ROWS, start + 500); i++) {
          if (i > start) {
            sql.append(',');
          }
          sql.append('(').append(i).append(",'").append(categories[i]).append("','")
              .append(text(vectors[i])).append("')");
        }
        assertThat(s.executeUpdate(sql.toString())).isEqualTo(Math.min(500, ROWS - start));
      }
    }
  }

  /** The four operators with an independent float32 computation of each, as pgvector does it. */
  enum Op {
    L2("<->") {
      @Override
      double distance(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
          float d = a[i] - b[i];
          s += d * d;
        }
        return Math.sqrt(s);
      }
    },
    NEGATIVE_INNER_PRODUCT("<#>") {
      @Override
      double distance(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
          s += a[i] * b[i];
        }
        return -(double) s;
      }
    },
    COSINE("<=>") {
      @Override
      double distance(float[] a, float[] b) {
        float dot = 0;
        float na = 0;
        float nb = 0;
        for (int i = 0; i < a.length; i++) {
          dot += a[i] * b[i];
          na += a[i] * a[i];
          nb += b[i] * b[i];
        }
        return 1 - (double) dot / Math.sqrt((double) na * (double) nb);
      }
    },
    L1("<+>") {
      @Override
      double distance(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
          s += Math.abs(a[i] - b[i]);
        }
        return s;
      }
    };

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    abstract double distance(float[] a, float[] b);
  }

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (ClientMode mode : ClientMode.values()) {
      for (Op op : Op.values()) {
        out.add(Arguments.of(mode, op));
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void top_k_equals_brute_force(ClientMode mode, Op op) throws Exception {
    Random random = new Random(SEED + op.ordinal() * 31L + mode.ordinal());
    try (Connection c = SERVER.connect(mode);
        PreparedStatement ps = c.prepareStatement("SELECT id, embedding " + op.symbol
            + " ? AS d FROM docs ORDER BY embedding " + op.symbol + " ? LIMIT " + K)) {
      for (int q = 0; q < 5; q++) {
        float[] query = randomVector(random);
        ps.setObject(1, text(query), Types.OTHER);
        ps.setObject(2, text(query), Types.OTHER);
        assertMatchesBruteForce(ps, op, query, i -> true);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void top_k_with_filters_equals_brute_force(ClientMode mode, Op op) throws Exception {
    Random random = new Random(SEED * 7 + op.ordinal() * 31L + mode.ordinal());
    try (Connection c = SERVER.connect(mode);
        PreparedStatement ps = c.prepareStatement("SELECT id, embedding " + op.symbol
            + " ? AS d FROM docs WHERE category = ? AND id % 3 <> 0 AND id BETWEEN ? AND ?"
            + " ORDER BY embedding " + op.symbol + " ? LIMIT " + K)) {
      for (int q = 0; q < 3; q++) {
        float[] query = randomVector(random);
        String category = q % 2 == 0 ? "red" : "blue";
        int low = 100 * q;
        int high = 2500;
        ps.setObject(1, text(query), Types.OTHER);
        ps.setString(2, category);
        ps.setInt(3, low);
        ps.setInt(4, high);
        ps.setObject(5, text(query), Types.OTHER);
        assertMatchesBruteForce(ps, op, query, i -> categories[i].equals(category) && i % 3 != 0
            && i >= low && i <= high);
      }
    }
  }

  private static void assertMatchesBruteForce(PreparedStatement ps, Op op, float[] query,
      IntPredicate filter) throws Exception {
    List<Integer> expected = IntStream.range(0, ROWS).filter(filter).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> op.distance(vectors[i], query))
            .thenComparing(i -> i))
        .limit(K).toList();
    List<Integer> ids = new ArrayList<>();
    List<Double> distances = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add((int) rs.getLong(1));
        distances.add(rs.getDouble(2));
      }
    }
    assertThat(ids).hasSize(K);
    for (int i = 0; i < K; i++) {
      double want = op.distance(vectors[expected.get(i)], query);
      assertThat(distances.get(i)).as("distance of rank %d", i).isCloseTo(want, within(1e-9));
    }
    // Ties may come back in either order; compare ids where distances differ.
    assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
    for (int i = 1; i < K; i++) {
      assertThat(distances.get(i)).isGreaterThanOrEqualTo(distances.get(i - 1));
    }
  }

  private static float[] randomVector(Random random) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  static String text(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(v[i]);
    }
    return sb.append(']').toString();
  }
}
