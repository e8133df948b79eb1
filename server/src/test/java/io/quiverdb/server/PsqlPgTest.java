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
