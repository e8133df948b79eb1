package io.quiverdb.bench;

import java.util.Arrays;

/**
 * {@code quiver bench <tool> [options]}: benchmark tools that measure a PostgreSQL-protocol server
 * over the wire, as a user's client would.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println("usage: quiver bench ann [options]        (quiver bench ann --help)");
      System.out.println("       quiver bench kernels [JMH options]  (distance kernels, ns/op)");
      System.out.println("       quiver bench exact-knn [--url JDBC_URL] [--user U] [--rows N]"
          + " [--dim D] [--k K] [--queries Q] [--seed S]");
      System.out.println("       quiver bench isolation [options]  (quiver bench isolation --help)");
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
      System.out.print(args[0].equals("ann") ? AnnBench.USAGE.replace("%%", "%")
          : args[0].equals("isolation") ? IsolationBench.USAGE : "");
      return;
    }
    switch (args[0]) {
      case "ann" -> AnnBench.run(Options.parse(rest));
      case "kernels" -> org.openjdk.jmh.Main.main(rest.length > 0 ? rest
          : new String[] {KernelBench.class.getName()});
      case "exact-knn" -> ExactKnnBench.run(Options.parse(rest));
      case "isolation" -> IsolationBench.run(Options.parse(rest));
      default -> {
        System.err.println("quiver bench: unknown tool '" + args[0] + "'");
        System.exit(2);
      }
    }
  }
}
