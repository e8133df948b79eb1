package io.quiverdb.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.postgresql.PGConnection;

/**
 * Measures {@code COPY items (id, embedding) FROM STDIN} throughput end to end over pgJDBC's
 * CopyManager, as a user would load vectors: the time from the COPY statement to {@code COPY n},
 * which QuiverDB sends only once the commit is durable. A tool, not a test (timings depend on the
 * machine): run it by hand against a running server, or let it start one in a temporary
 * directory.
 *
 * <pre>
 *   java -cp ... io.quiverdb.server.CopyThroughput [--url jdbc:postgresql://127.0.0.1:5433/quiver]
 *       [--rows 100000] [--dim 128] [--format binary|text|csv] [--runs 5]
 * </pre>
 *
 * <p>The data (random vectors, fixed seed) is generated before timing starts; each run loads a
 * freshly created table. Works against PostgreSQL with pgvector too, for comparison.
 */
public final class CopyThroughput {
  private CopyThroughput() {}

  public static void main(String[] args) throws Exception {
    String url = null;
    int rows = 100_000;
    int dim = 128;
    int runs = 5;
    String format = "binary";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--format" -> format = args[++i].toLowerCase(Locale.ROOT);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    byte[] data = switch (format) {
      case "binary" -> binary(rows, dim);
      case "text" -> text(rows, dim, '\t');
      case "csv" -> text(rows, dim, ',');
      default -> throw new IllegalArgumentException("format must be binary, text or csv");
    };
    System.out.printf(Locale.ROOT, "%d rows, vector(%d), %s format, %.1f MB of COPY data%n",
        rows, dim, format, data.length / 1e6);
    Path dir = null;
    QuiverServer server = null;
    if (url == null) {
      dir = Files.createTempDirectory("quiver-copy-");
      server = new QuiverServer(ServerConfig.DEFAULT.withPort(0).withDataDir(dir)).start();
      url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/quiver";
      System.out.println("started a server in " + dir);
    }
    try (Connection c = DriverManager.getConnection(url, "quiver", "")) {
      double[] rates = new double[runs];
      for (int r = 0; r < runs; r++) {
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE IF EXISTS items");
          s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(" + dim + "))");
        }
        String sql = "COPY items (id, embedding) FROM STDIN"
            + (format.equals("text") ? "" : " (FORMAT " + format + ")");
        long start = System.nanoTime();
        long n = c.unwrap(PGConnection.class).getCopyAPI()
            .copyIn(sql, new ByteArrayInputStream(data));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (n != rows) {
          throw new IllegalStateException("COPY reported " + n + " rows, expected " + rows);
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
          rs.next();
          if (rs.getLong(1) != rows) {
            throw new IllegalStateException("table has " + rs.getLong(1) + " rows");
          }
        }
        rates[r] = rows / seconds;
        System.out.printf(Locale.ROOT, "run %d: %.3f s, %,.0f rows/s%n", r + 1, seconds, rates[r]);
      }
      Arrays.sort(rates);
      System.out.printf(Locale.ROOT, "median %,.0f rows/s, best %,.0f rows/s%n",
          rates[runs / 2], rates[runs - 1]);
    } finally {
      if (server != null) {
        server.close();
        deleteTree(dir);
      }
    }
  }

  /** PGCOPY: signature, flags, no extension; per row (id int8, embedding in pgvector's form). */
  static byte[] binary(int rows, int dim) {
    Random random = new Random(42);
    ByteBuffer b = ByteBuffer.allocate(19 + rows * (2 + 12 + 8 + 4 * dim) + 2);
    b.put(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
    b.putInt(0).putInt(0);
    for (int i = 0; i < rows; i++) {
      b.putShort((short) 2).putInt(8).putLong(i + 1);
      b.putInt(4 + 4 * dim).putShort((short) dim).putShort((short) 0);
      for (int j = 0; j < dim; j++) {
        b.putFloat(random.nextFloat());
      }
    }
    b.putShort((short) -1);
    return b.array();
  }

  /** Text or CSV lines {@code id<delim>"[x,y,…]"} (quoted in CSV: the vector holds commas). */
  static byte[] text(int rows, int dim, char delimiter) {
    Random random = new Random(42);
    ByteArrayOutputStream out = new ByteArrayOutputStream(rows * dim * 12);
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      line.setLength(0);
      line.append(i + 1).append(delimiter).append(delimiter == ',' ? "\"[" : "[");
      for (int j = 0; j < dim; j++) {
        line.append(j == 0 ? "" : ",").append(random.nextFloat());
      }
      line.append(delimiter == ',' ? "]\"\n" : "]\n");
      byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
      out.write(bytes, 0, bytes.length);
    }
    return out.toByteArray();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
