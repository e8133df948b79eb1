package io.quiverdb.common.vector;

import java.util.Locale;
import java.util.Optional;

/**
 * A distance an index ranks by, with pgvector's operator and operator class. Inner product ranks
 * by its negation, as pgvector's {@code <#>} returns it, so that smaller is always nearer.
 */
public enum VectorMetric {
  L2("<->", "vector_l2_ops"),
  INNER_PRODUCT("<#>", "vector_ip_ops"),
  COSINE("<=>", "vector_cosine_ops"),
  L1("<+>", "vector_l1_ops");

  private final String operator;
  private final String opclass;

  VectorMetric(String operator, String opclass) {
    this.operator = operator;
    this.opclass = opclass;
  }

  public String operator() {
    return operator;
  }

  public String opclass() {
    return opclass;
  }

  public static Optional<VectorMetric> ofOpclass(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (VectorMetric m : values()) {
      if (m.opclass.equals(n)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public static Optional<VectorMetric> ofOperator(String op) {
    for (VectorMetric m : values()) {
      if (m.operator.equals(op)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
