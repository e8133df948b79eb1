package io.quiverdb.storage;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.vector.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog's binary form of a {@link TableDef} (big-endian, as DataOutputStream writes it):
 *
 * <pre>
 *   u8 format (1), i64 id, str schema, str name,
 *   i32 column count, per column: str name, i32 type OID, i32 modifier, u8 not-null,
 *   i32 primary key length, per key column: i32 column index
 *   format 2 adds: i32 index count, per index: i64 id, str name, i32 column, str opclass,
 *     i32 m, i32 ef_construction
 *   where str = i32 byte length + UTF-8
 * </pre>
 */
final class TableDefCodec {
  private static final int FORMAT_V1 = 1;
  private static final int FORMAT_V2 = 2;

  private TableDefCodec() {}

  static byte[] encode(TableDef t) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(t.indexes().isEmpty() ? FORMAT_V1 : FORMAT_V2);
      out.writeLong(t.id());
      writeString(out, t.schema());
      writeString(out, t.name());
      out.writeInt(t.columns().size());
      for (ColumnDef c : t.columns()) {
        writeString(out, c.name());
        out.writeInt(c.type().type().oid());
        out.writeInt(c.type().modifier());
        out.writeBoolean(c.notNull());
      }
      out.writeInt(t.primaryKey().size());
      for (int i : t.primaryKey()) {
        out.writeInt(i);
      }
      if (!t.indexes().isEmpty()) {
        out.writeInt(t.indexes().size());
        for (IndexDef x : t.indexes()) {
          out.writeLong(x.id());
          writeString(out, x.name());
          out.writeInt(x.column());
          writeString(out, x.metric().opclass());
          out.writeInt(x.m());
          out.writeInt(x.efConstruction());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static TableDef decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT_V1 && format != FORMAT_V2) {
        throw corrupt("unknown table definition format " + format);
      }
      long id = in.readLong();
      String schema = readString(in);
      String name = readString(in);
      int n = in.readInt();
      List<ColumnDef> columns = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String col = readString(in);
        int oid = in.readInt();
        int modifier = in.readInt();
        boolean notNull = in.readBoolean();
        PgType type = PgType.ofOid(oid);
        if (type == null) {
          throw corrupt("unknown type OID " + oid + " in column \"" + col + "\" of " + name);
        }
        columns.add(new ColumnDef(col, new ColumnType(type, modifier), notNull));
      }
      int k = in.readInt();
      List<Integer> pk = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        pk.add(in.readInt());
      }
      List<IndexDef> indexes = new ArrayList<>();
      if (format == FORMAT_V2) {
        int x = in.readInt();
        for (int i = 0; i < x; i++) {
          long indexId = in.readLong();
          String indexName = readString(in);
          int column = in.readInt();
          String opclass = readString(in);
          Metric metric = Metric.ofOpclass(opclass)
              .orElseThrow(() -> corrupt("unknown operator class " + opclass + " in " + name));
          indexes.add(new IndexDef(indexId, indexName, column, metric, in.readInt(), in.readInt()));
        }
      }
      return new TableDef(id, schema, name, columns, pk, indexes);
    } catch (IOException | IllegalArgumentException e) {
      throw new QuiverException(SqlState.DATA_CORRUPTED, "unreadable table definition", e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static QuiverException corrupt(String message) {
    return new QuiverException(SqlState.DATA_CORRUPTED, message);
  }
}
