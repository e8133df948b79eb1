package io.quiverdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real {@code psql} through a script and checks what a user sees. CI installs psql
 * (Debian's postgresql-client); outside CI the test is skipped when psql is missing.
 */
class PsqlPgTest {
  @RegisterExtension static final QuiverServerExtension SERVER = new QuiverServerExtension();

  @TempDir Path dir;

  @Test
  void psql_script_shows_tables_errors_and_notices_as_postgres_does() throws Exception {
    String psql = findPsql();
    Path script = dir.resolve("session.sql");
    Files.writeString(script, String.join("\n",
        "CREATE EXTENSION IF NOT EXISTS vector;",
        "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3));",
        "INSERT INTO items VALUES (1,'[1,2,3]'),(2,'[4,5,6]'),(3,'[1,1,1]');",
        "SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]'"
            + " LIMIT 2;",
        "SELECT * FROM nope;",
        "SELECT id, embedding FROM items WHERE id >= 2 ORDER BY id;",
        "DROP TABLE items;",
        "DROP TABLE IF EXISTS items;",
        ""), StandardCharsets.UTF_8);
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(psql, "-X", "-h", "127.0.0.1", "-p",
        Integer.toString(SERVER.port()), "-U", "quiver", "-d", "quiver", "-f", script.toString())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("psql finished").isTrue();
    List<String> stdout = Files.readAllLines(out);
    List<String> stderr = Files.readAllLines(err);
    assertThat(p.exitValue()).as("psql exit code; stderr: %s", stderr).isZero();
    assertThat(stdout).containsExactly(
        "CREATE EXTENSION",
        "CREATE TABLE",
        "INSERT 0 3",
        " id |         d         ",
        "----+-------------------",
        "  3 |  2.23606797749979",
        "  1 | 2.449489742783178",
        "(2 rows)",
        "",
        " id | embedding ",
        "----+-----------",
        "  2 | [4,5,6]",
        "  3 | [1,1,1]",
        "(2 rows)",
        "",
        "DROP TABLE",
        "DROP TABLE");
    String scriptName = script.toString();
    assertThat(stderr).containsExactly(
        "psql:" + scriptName + ":5: ERROR:  relation \"nope\" does not exist",
        "LINE 1: SELECT * FROM nope;",
        "                      ^",
        "psql:" + scriptName + ":8: NOTICE:  table \"items\" does not exist, skipping");
  }

  @Test
  void psql_copy_loads_and_dumps_text_csv_and_binary_files() throws Exception {
    String psql = findPsql();
    Files.writeString(dir.resolve("items.csv"),
        "id,embedding,label\n1,\"[1,2,3]\",first\n2,\"[4,5,6]\",\"with, comma\"\n3,,\n");
    Path script = dir.resolve("copy.sql");
    Files.writeString(script, String.join("\n",
        "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3), label text);",
        "\\copy items from 'items.csv' with (format csv, header)",
        "\\copy items from stdin",
        "4\t[7,8,9]\ttab\\tinside",
        "5\t\\N\t\\N",
        "\\.",
        "\\copy items to 'out.txt'",
        "\\copy items (id, label) to 'out.csv' with csv header",
        "\\copy items to 'out.bin' with (format binary)",
        "CREATE TABLE items2 (id bigint PRIMARY KEY, embedding vector(3), label text);",
        "\\copy items2 from 'out.bin' with (format binary)",
        "\\copy items from 'items.csv' with (format csv)",
        "SELECT count(*) FROM items2;",
        ""), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(psql, "-X", "-h", "127.0.0.1", "-p",
        Integer.toString(SERVER.port()), "-U", "quiver", "-d", "quiver", "-f", script.toString())
        .directory(dir.toFile())
        .redirectOutput(dir.resolve("out.txt.log").toFile())
        .redirectError(dir.resolve("err.txt.log").toFile())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("psql finished").isTrue();
    assertThat(Files.readAllLines(dir.resolve("out.txt.log"))).containsExactly("CREATE TABLE",
        "COPY 3", "COPY 2", "COPY 5", "COPY 5", "COPY 5", "CREATE TABLE", "COPY 5", " count ",
        "-------", "     5", "(1 row)", "");
    assertThat(Files.readAllLines(dir.resolve("err.txt.log"))).containsExactly(
        "psql:" + script + ":12: ERROR:  invalid input syntax for type bigint: \"id\"",
        "CONTEXT:  COPY items, line 1, column id: \"id\"");
    assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("1\t[1,2,3]\tfirst\n"
        + "2\t[4,5,6]\twith, comma\n3\t\\N\t\\N\n4\t[7,8,9]\ttab\\tinside\n5\t\\N\t\\N\n");
    assertThat(Files.readString(dir.resolve("out.csv")))
        .isEqualTo("id,label\n1,first\n2,\"with, comma\"\n3,\n4,tab\tinside\n5,\n");
  }

  private static String findPsql() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(d, "psql");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    if (System.getenv("CI") != null) {
      throw new AssertionError("psql is required in CI (.ci/run installs postgresql-client)");
    }
    Assumptions.abort("psql is not installed");
    return null;
  }
}
