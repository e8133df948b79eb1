package io.quiverdb.common.vector;

/**
 * pgvector's distance functions, with the operator and function names that denote them. Values are
 * computed in float32 arithmetic widened to double at the end, as pgvector does.
 */
public enum Metric {
  /** {@code <->}, {@code l2_distance}: Euclidean distance. */
  L2("<->", "l2_distance", "vector_l2_ops"),
  /** {@code <#>}: the negative inner product (so that smaller is closer). */
  NEGATIVE_INNER_PRODUCT("<#>", "inner_product", "vector_ip_ops"),
  /** {@code <=>}, {@code cosine_distance}: 1 - cosine similarity. */
  COSINE("<=>", "cosine_distance", "vector_cosine_ops"),
  /** {@code <+>}, {@code l1_distance}: taxicab distance. */
  L1("<+>", "l1_distance", "vector_l1_ops");

  private final String operator;
  private final String function;
  private final String opclass;

  Metric(String operator, String function, String opclass) {
    this.operator = operator;
    this.function = function;
    this.opclass = opclass;
  }

  public String operator() {
    return operator;
  }

  /** The pgvector function; for {@link #NEGATIVE_INNER_PRODUCT} it returns the positive product. */
  public String function() {
    return function;
  }

  public String opclass() {
    return opclass;
  }

  /** The metric of a pgvector operator class ({@code vector_l2_ops}, …). */
  public static java.util.Optional<Metric> ofOpclass(String name) {
    for (Metric m : values()) {
      if (m.opclass.equalsIgnoreCase(name)) {
        return java.util.Optional.of(m);
      }
    }
    return java.util.Optional.empty();
  }

  /** The distance the operator returns (smaller is closer). */
  public double distance(float[] a, float[] b) {
    return switch (this) {
      case L2 -> Math.sqrt(Distances.squaredL2(a, b));
      case NEGATIVE_INNER_PRODUCT -> -Distances.dot(a, b);
      case COSINE -> Distances.cosineDistance(a, b);
      case L1 -> Distances.l1(a, b);
    };
  }
}
