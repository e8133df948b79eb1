package io.quiverdb.sql.ast;

import java.util.List;

/**
 * A type as written in DDL or a cast, normalised to PostgreSQL's canonical spelling: {@code bigint},
 * {@code integer}, {@code smallint}, {@code text}, {@code varchar}, {@code boolean}, {@code real},
 * {@code double precision}, {@code numeric}, {@code timestamp}, {@code timestamptz}, {@code date},
 * {@code vector}, {@code regclass}, … (aliases such as {@code int8}, {@code int4}, {@code int},
 * {@code float8}, {@code float4}, {@code bool}, {@code character varying},
 * {@code timestamp with time zone} are mapped by the parser). Modifiers are the numbers in
 * parentheses ({@code vector(3)} → [3]). {@code array} is true for {@code type[]}.
 */
public record TypeName(String name, List<Integer> modifiers, boolean array, Pos pos) {
  public TypeName {
    modifiers = List.copyOf(modifiers);
  }

  /** The first modifier, or -1 when there is none. */
  public int modifier() {
    return modifiers.isEmpty() ? -1 : modifiers.get(0);
  }
}
