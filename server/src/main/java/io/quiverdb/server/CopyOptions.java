package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.sql.ast.Statement.CopyOption;
import io.quiverdb.wire.spi.CopyFormat;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * COPY's options, read as PostgreSQL's ProcessCopyOptions reads them: FORMAT, DELIMITER, NULL,
 * HEADER (a Boolean, or MATCH when reading), QUOTE and ESCAPE (CSV only), ENCODING (UTF8 only);
 * then the same checks, in the same order, with the same messages and SQLSTATEs.
 */
final class CopyOptions {
  private CopyOptions() {}

  /** Characters a text-format delimiter cannot be: they mean something after a backslash. */
  private static final String UNSAFE_TEXT_DELIMITERS = "\\.abcdefghijklmnopqrstuvwxyz0123456789";

  static CopyFormat format(List<CopyOption> options, boolean from) {
    Map<String, String> given = new HashMap<>();
    CopyFormat.Kind kind = CopyFormat.Kind.TEXT;
    CopyFormat.Header header = CopyFormat.Header.NONE;
    for (CopyOption o : options) {
      if (given.containsKey(o.name())) {
        throw new QuiverException(SqlState.SYNTAX_ERROR, "conflicting or redundant options")
            .withPosition(o.pos().errorPosition());
      }
      switch (o.name()) {
        case "format" -> kind = kind(o);
        case "delimiter", "null", "quote", "escape" -> required(o);
        case "header" -> header = header(o, from);
        case "encoding" -> {
          String e = required(o).toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
          if (!e.equals("utf8") && !e.equals("unicode")) {
            throw QuiverException.notSupported("COPY with ENCODING '" + o.value()
                + "' (QuiverDB reads and writes UTF8)").withPosition(o.pos().errorPosition());
          }
        }
        case "freeze" -> {
          if (o.value() == null || !o.value().equalsIgnoreCase("false")
              && !o.value().equalsIgnoreCase("off") && !o.value().equals("0")) {
            throw QuiverException.notSupported("COPY FREEZE")
                .withPosition(o.pos().errorPosition());
          }
        }
        case "force_quote", "force_not_null", "force_null", "on_error", "default",
            "log_verbosity" -> throw QuiverException.notSupported("COPY option \""
            + o.name() + "\"").withPosition(o.pos().errorPosition());
        default -> throw new QuiverException(SqlState.SYNTAX_ERROR,
            "option \"" + o.name() + "\" not recognized").withPosition(o.pos().errorPosition());
      }
      given.put(o.name(), o.value());
    }
    boolean binary = kind == CopyFormat.Kind.BINARY;
    boolean csv = kind == CopyFormat.Kind.CSV;
    if (binary && given.containsKey("delimiter")) {
      throw new QuiverException(SqlState.SYNTAX_ERROR, "cannot specify DELIMITER in BINARY mode");
    }
    if (binary && given.containsKey("null")) {
      throw new QuiverException(SqlState.SYNTAX_ERROR, "cannot specify NULL in BINARY mode");
    }
    String delimiter = given.getOrDefault("delimiter", csv ? "," : "\t");
    String nullString = given.getOrDefault("null", csv ? "" : "\\N");
    if (bytes(delimiter) != 1) {
      throw notSupported("COPY delimiter must be a single one-byte character");
    }
    char d = delimiter.charAt(0);
    if (d == '\r' || d == '\n') {
      throw invalid("COPY delimiter cannot be newline or carriage return");
    }
    if (nullString.indexOf('\r') >= 0 || nullString.indexOf('\n') >= 0) {
      throw invalid("COPY null representation cannot use newline or carriage return");
    }
    if (!csv && UNSAFE_TEXT_DELIMITERS.indexOf(d) >= 0) {
      throw invalid("COPY delimiter cannot be \"" + delimiter + "\"");
    }
    if (binary && header != CopyFormat.Header.NONE) {
      throw notSupported("cannot specify HEADER in BINARY mode");
    }
    if (!csv && given.containsKey("quote")) {
      throw notSupported("COPY quote available only in CSV mode");
    }
    String quote = given.getOrDefault("quote", "\"");
    if (csv && bytes(quote) != 1) {
      throw notSupported("COPY quote must be a single one-byte character");
    }
    if (csv && d == quote.charAt(0)) {
      throw invalid("COPY delimiter and quote must be different");
    }
    if (!csv && given.containsKey("escape")) {
      throw notSupported("COPY escape available only in CSV mode");
    }
    String escape = given.getOrDefault("escape", quote);
    if (csv && bytes(escape) != 1) {
      throw notSupported("COPY escape must be a single one-byte character");
    }
    if (nullString.indexOf(d) >= 0) {
      throw notSupported("COPY delimiter must not appear in the NULL specification");
    }
    if (csv && nullString.indexOf(quote.charAt(0)) >= 0) {
      throw notSupported("CSV quote character must not appear in the NULL specification");
    }
    return new CopyFormat(kind, d, nullString, header, quote.charAt(0), escape.charAt(0));
  }

  private static CopyFormat.Kind kind(CopyOption o) {
    String name = required(o);
    return switch (name) {
      case "text" -> CopyFormat.Kind.TEXT;
      case "csv" -> CopyFormat.Kind.CSV;
      case "binary" -> CopyFormat.Kind.BINARY;
      default -> throw invalid("COPY format \"" + name + "\" not recognized")
          .withPosition(o.pos().errorPosition());
    };
  }

  /** HEADER: no value or a Boolean, or MATCH (reading only). */
  private static CopyFormat.Header header(CopyOption o, boolean from) {
    if (o.value() == null) {
      return CopyFormat.Header.PRESENT;
    }
    switch (o.value().toLowerCase(Locale.ROOT)) {
      case "true", "on", "1" -> {
        return CopyFormat.Header.PRESENT;
      }
      case "false", "off", "0" -> {
        return CopyFormat.Header.NONE;
      }
      case "match" -> {
        if (!from) {
          throw notSupported("cannot use \"" + o.value() + "\" with HEADER in COPY TO");
        }
        return CopyFormat.Header.MATCH;
      }
      default -> throw new QuiverException(SqlState.SYNTAX_ERROR,
          "header requires a Boolean value or \"match\"");
    }
  }

  private static String required(CopyOption o) {
    if (o.value() == null) {
      throw new QuiverException(SqlState.SYNTAX_ERROR, o.name() + " requires a parameter");
    }
    return o.value();
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static QuiverException notSupported(String message) {
    return new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, message);
  }

  private static QuiverException invalid(String message) {
    return new QuiverException(SqlState.INVALID_PARAMETER_VALUE, message);
  }
}
