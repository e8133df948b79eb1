package io.quiverdb.sql.ast;

import java.util.List;

/**
 * A possibly qualified object name ({@code items}, {@code public.items}, {@code pg_catalog.pg_class}),
 * each part already folded to lower case unless it was quoted.
 */
public record QualifiedName(List<String> parts, Pos pos) {
  public QualifiedName {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a name has at least one part");
    }
  }

  public static QualifiedName of(String name) {
    return new QualifiedName(List.of(name), Pos.NONE);
  }

  /** The last part: the object's own name. */
  public String name() {
    return parts.get(parts.size() - 1);
  }

  /** The schema part, or null when unqualified. */
  public String schema() {
    return parts.size() > 1 ? parts.get(parts.size() - 2) : null;
  }

  @Override
  public String toString() {
    return String.join(".", parts);
  }
}
