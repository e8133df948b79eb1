package io.quiverdb.server;

import java.util.Properties;

/** The three ways pgJDBC talks to a server; important suites run in each. */
public enum ClientMode {
  /** Simple protocol: every statement a Query message, values inlined as text. */
  SIMPLE,
  /** Extended protocol, text results (pgJDBC's default). */
  EXTENDED,
  /** Extended protocol, server-prepared from the first use, binary transfer of results. */
  EXTENDED_BINARY;

  Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", "quiver");
    switch (this) {
      case SIMPLE -> p.setProperty("preferQueryMode", "simple");
      case EXTENDED -> { }
      case EXTENDED_BINARY -> {
        p.setProperty("prepareThreshold", "-1");
        p.setProperty("binaryTransfer", "true");
      }
    }
    return p;
  }
}
