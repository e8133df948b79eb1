package io.quiverdb.common.types;

/**
 * The PostgreSQL types QuiverDB speaks, with their canonical OIDs (stable: clients cache them), the
 * name {@code pg_type.typname} shows, the fixed length on the wire (-1 for variable) and the Java
 * class that carries a value of the type inside the engine.
 *
 * <p>Runtime values: int8 {@code Long}, int4 {@code Integer}, int2 {@code Short}, text and varchar
 * {@code String}, bool {@code Boolean}, float4 {@code Float}, float8 {@code Double}, numeric {@code
 * BigDecimal}, timestamp and timestamptz {@code Long} microseconds since 1970-01-01 00:00 (UTC for
 * timestamptz, wall-clock for timestamp), date {@code Integer} days since 1970-01-01, vector {@code
 * float[]}, bytea {@code byte[]}.
 */
public enum PgType {
  BOOL(16, "bool", 1, Boolean.class),
  BYTEA(17, "bytea", -1, byte[].class),
  CHAR(18, "char", 1, String.class),
  NAME(19, "name", 64, String.class),
  INT8(20, "int8", 8, Long.class),
  INT2(21, "int2", 2, Short.class),
  INT4(23, "int4", 4, Integer.class),
  REGPROC(24, "regproc", 4, Integer.class),
  TEXT(25, "text", -1, String.class),
  OID(26, "oid", 4, Integer.class),
  FLOAT4(700, "float4", 4, Float.class),
  FLOAT8(701, "float8", 8, Double.class),
  UNKNOWN(705, "unknown", -2, String.class),
  VARCHAR(1043, "varchar", -1, String.class),
  DATE(1082, "date", 4, Integer.class),
  TIMESTAMP(1114, "timestamp", 8, Long.class),
  TIMESTAMPTZ(1184, "timestamptz", 8, Long.class),
  NUMERIC(1700, "numeric", -1, java.math.BigDecimal.class),
  REGCLASS(2205, "regclass", 4, Integer.class),
  REGTYPE(2206, "regtype", 4, Integer.class),
  /** pgvector's type; the OID is ours (pgvector's is assigned at CREATE EXTENSION) and never changes. */
  VECTOR(16385, "vector", -1, float[].class);

  /** OID of the array type {@code _vector}, listed in pg_type beside {@link #VECTOR}. */
  public static final int VECTOR_ARRAY_OID = 16390;

  /** Largest dimension pgvector accepts for the vector type. */
  public static final int VECTOR_MAX_DIM = 16000;

  private final int oid;
  private final String typname;
  private final int length;
  private final Class<?> javaClass;

  PgType(int oid, String typname, int length, Class<?> javaClass) {
    this.oid = oid;
    this.typname = typname;
    this.length = length;
    this.javaClass = javaClass;
  }

  public int oid() {
    return oid;
  }

  /** The name in {@code pg_type.typname}, e.g. {@code int8}, {@code vector}. */
  public String typname() {
    return typname;
  }

  /** {@code pg_type.typlen}: bytes of the fixed-size binary form, -1 varlena, -2 C string. */
  public int length() {
    return length;
  }

  public Class<?> javaClass() {
    return javaClass;
  }

  /** The type with this OID, or null when QuiverDB does not know it. */
  public static PgType ofOid(int oid) {
    for (PgType t : values()) {
      if (t.oid == oid) {
        return t;
      }
    }
    return null;
  }
}
