package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A session's run-time settings (PostgreSQL's GUCs): defaults, validation for SET, SHOW and RESET,
 * and the set of settings reported to the client with ParameterStatus when they change.
 */
final class SessionSettings {
  static final String SERVER_VERSION = "16.4 (QuiverDB 0.1.0)";

  /** One known setting: its default, whether SET may change it, and a check for new values. */
  private record Definition(String name, String defaultValue, boolean settable, boolean reported,
      String description, Normalizer normalizer) {}

  /** Validates a value and returns its canonical form, or throws 22023. */
  @FunctionalInterface
  private interface Normalizer {
    String normalize(String name, String value);
  }

  private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

  static {
    define("server_version", SERVER_VERSION, false, true, "Shows the server version.", null);
    define("server_version_num", "160004", false, false, "Shows the server version as an integer.",
        null);
    define("server_encoding", "UTF8", false, true, "Shows the server character set encoding.",
        null);
    define("client_encoding", "UTF8", true, true, "Sets the client's character set encoding.",
        SessionSettings::encoding);
    define("DateStyle", "ISO, MDY", true, true, "Sets the display format for date and time values.",
        SessionSettings::dateStyle);
    define("IntervalStyle", "postgres", true, true, "Sets the display format for interval values.",
        (n, v) -> oneOf(n, v, "postgres"));
    define("TimeZone", "UTC", true, true, "Sets the time zone for displaying and interpreting time"
        + " stamps.", SessionSettings::timeZone);
    define("integer_datetimes", "on", false, true, "Shows whether datetimes are integer based.",
        null);
    define("standard_conforming_strings", "on", true, true, "Causes '...' strings to treat"
        + " backslashes literally.", (n, v) -> oneOf(n, bool(n, v), "on"));
    define("application_name", "", true, true, "Sets the application name to be reported.",
        (n, v) -> v);
    define("is_superuser", "on", false, true, "Shows whether the current user is a superuser.",
        null);
    define("session_authorization", "", false, true, "Sets the session user name.", null);
    define("default_transaction_read_only", "off", true, true, "Sets the default read-only status"
        + " of new transactions.", (n, v) -> oneOf(n, bool(n, v), "off"));
    define("in_hot_standby", "off", false, true, "Shows whether hot standby is currently active.",
        null);
    define("extra_float_digits", "1", true, false, "Sets the number of digits displayed for"
        + " floating-point values.", (n, v) -> intIn(n, v, -15, 3));
    define("search_path", "\"$user\", public", true, false, "Sets the schema search order for"
        + " names that are not schema-qualified.", (n, v) -> v);
    define("client_min_messages", "notice", true, false, "Sets the message levels that are sent"
        + " to the client.", (n, v) -> oneOf(n, v.toLowerCase(Locale.ROOT), "debug5", "debug4",
            "debug3", "debug2", "debug1", "log", "notice", "warning", "error"));
    define("statement_timeout", "0", true, false, "Sets the maximum allowed duration of any"
        + " statement.", TimeSetting::normalize);
    define("idle_in_transaction_session_timeout", "0", true, false, "Sets the maximum allowed"
        + " idle time between queries, when in a transaction.", TimeSetting::normalize);
    define("idle_session_timeout", "0", true, false, "Sets the maximum allowed idle time between"
        + " queries, when not in a transaction.", TimeSetting::normalize);
    define("max_connections", "100", false, false, "Sets the maximum number of concurrent"
        + " connections.", null);
    define("transaction_isolation", "read committed", false, false, "Shows the current"
        + " transaction's isolation level.", null);
    define("default_transaction_isolation", "read committed", true, false, "Sets the transaction"
        + " isolation level of each new transaction.", SessionSettings::isolation);
    define("max_identifier_length", "63", false, false, "Shows the maximum identifier length.",
        null);
    define("lc_messages", "C", true, false, "Sets the language in which messages are displayed.",
        (n, v) -> v);
    define("lc_monetary", "C", true, false, "Sets the locale for formatting monetary amounts.",
        (n, v) -> v);
    define("lc_numeric", "C", true, false, "Sets the locale for formatting numbers.", (n, v) -> v);
    define("lc_time", "C", true, false, "Sets the locale for formatting date and time values.",
        (n, v) -> v);
    define("hnsw.ef_search", "40", true, false, "Sets the size of the dynamic candidate list for"
        + " HNSW search.", (n, v) -> intIn(n, v, 1, 1000));
  }

  private static void define(String name, String defaultValue, boolean settable, boolean reported,
      String description, Normalizer normalizer) {
    DEFINITIONS.put(key(name),
        new Definition(name, defaultValue, settable, reported, description, normalizer));
  }

  /** Settings of the server's configuration, shown but fixed until a restart. */
  private static final java.util.Set<String> RESTART_ONLY = java.util.Set.of("max_connections");

  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, String> changedReported = new LinkedHashMap<>();
  private final Map<String, String> placeholders = new TreeMap<>();

  SessionSettings(String user) {
    for (Definition d : DEFINITIONS.values()) {
      values.put(key(d.name), d.defaultValue);
    }
    values.put("session_authorization", user);
  }

  /** Applies a StartupMessage parameter as PostgreSQL does: like SET, without reporting. */
  void applyStartup(String name, String value) {
    set(name, List.of(value));
    changedReported.clear();
  }

  /** {@code SET name TO values}; an empty list means DEFAULT. */
  void set(String name, List<String> valueList) {
    String k = key(name);
    Definition d = DEFINITIONS.get(k);
    if (d == null) {
      if (k.indexOf('.') > 0) { // custom placeholder settings, as PostgreSQL allows
        placeholders.put(k, String.join(", ", valueList));
        return;
      }
      throw unrecognized(name);
    }
    if (!d.settable) {
      throw new QuiverException(SqlState.CANT_CHANGE_RUNTIME_PARAM, "parameter \"" + k
          + "\" cannot be changed" + (RESTART_ONLY.contains(k) ? " without restarting the server"
              : ""));
    }
    String value = valueList.isEmpty() ? d.defaultValue
        : d.normalizer.normalize(k, String.join(", ", valueList));
    String old = values.put(k, value);
    if (d.reported && !value.equals(old)) {
      changedReported.put(d.name, value);
    }
  }

  void reset(String name) {
    if (key(name).equals("all")) {
      for (Definition d : DEFINITIONS.values()) {
        if (d.settable) {
          set(d.name, List.of());
        }
      }
      placeholders.clear();
      return;
    }
    set(name, List.of());
  }

  /** The current value, or throws 42704 for an unknown name. */
  String show(String name) {
    String v = get(name);
    if (v == null) {
      throw unrecognized(name);
    }
    return v;
  }

  /** The current value, or null when the setting is unknown. */
  String get(String name) {
    String k = key(name);
    String v = values.get(k);
    return v != null ? v : placeholders.get(k);
  }

  /** All settings as (name, setting, description) rows for SHOW ALL. */
  List<String[]> all() {
    List<String[]> rows = new ArrayList<>();
    for (Definition d : DEFINITIONS.values()) {
      rows.add(new String[] {d.name, values.get(key(d.name)), d.description});
    }
    rows.sort((a, b) -> a[0].compareToIgnoreCase(b[0]));
    return rows;
  }

  /** The settings a client is told about at startup. */
  Map<String, String> reported() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Definition d : DEFINITIONS.values()) {
      if (d.reported) {
        out.put(d.name, values.get(key(d.name)));
      }
    }
    return out;
  }

  /** Reported settings changed since the last call. */
  Map<String, String> drainChanges() {
    if (changedReported.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> out = new LinkedHashMap<>(changedReported);
    changedReported.clear();
    return out;
  }

  /** Sets a setting SET cannot change, from the server's configuration (max_connections). */
  void setFixed(String name, String value) {
    values.put(key(name), value);
  }

  /** A time setting's value in milliseconds (statement_timeout, …). */
  long millis(String name) {
    return TimeSetting.millis(values.get(key(name)));
  }

  ZoneId timeZone() {
    return ZoneId.of(values.get("timezone"));
  }

  int extraFloatDigits() {
    return Integer.parseInt(values.get("extra_float_digits"));
  }

  /** The canonical display name of a known setting ({@code DateStyle}), or the name as given. */
  static String displayName(String name) {
    Definition d = DEFINITIONS.get(key(name));
    return d == null ? key(name) : d.name;
  }

  private static String key(String name) {
    String k = name.toLowerCase(Locale.ROOT);
    return k.equals("time zone") ? "timezone" : k;
  }

  private static QuiverException unrecognized(String name) {
    return new QuiverException(SqlState.UNDEFINED_OBJECT,
        "unrecognized configuration parameter \"" + name + "\"");
  }

  private static QuiverException invalid(String name, String value) {
    return new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
        "invalid value for parameter \"" + name + "\": \"" + value + "\"");
  }

  private static String oneOf(String name, String value, String... allowed) {
    for (String a : allowed) {
      if (a.equalsIgnoreCase(value)) {
        return a;
      }
    }
    throw invalid(name, value);
  }

  private static String bool(String name, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1", "t", "y" -> "on";
      case "off", "false", "no", "0", "f", "n" -> "off";
      default -> throw invalid(name, value);
    };
  }

  private static String intIn(String name, String value, int min, int max) {
    try {
      int v = Integer.parseInt(value.trim());
      if (v < min || v > max) {
        throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
            v + " is outside the valid range for parameter \"" + name + "\" (" + min + " .. "
                + max + ")");
      }
      return Integer.toString(v);
    } catch (NumberFormatException e) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for parameter \"" + name + "\": \"" + value + "\"");
    }
  }

  /** As BEGIN ISOLATION LEVEL: SERIALIZABLE is refused, for it would not act. */
  private static String isolation(String name, String value) {
    String v = oneOf(name, value.toLowerCase(Locale.ROOT), "read committed", "repeatable read",
        "serializable", "read uncommitted");
    if (v.equals("serializable")) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "SERIALIZABLE isolation is not supported", null,
          "Use REPEATABLE READ: transactions run under snapshot isolation.", 0);
    }
    return v;
  }

  private static final List<String> MESSAGE_LEVELS = List.of("debug5", "debug4", "debug3",
      "debug2", "debug1", "log", "notice", "warning", "error");

  /**
   * Whether a notice of this severity reaches the client under client_min_messages, as in
   * PostgreSQL (INFO always does).
   */
  boolean sendsToClient(String severity) {
    String s = severity.toLowerCase(Locale.ROOT);
    if (s.equals("info")) {
      return true;
    }
    int level = MESSAGE_LEVELS.indexOf(s.startsWith("debug") && s.length() == 5 ? "debug1" : s);
    return level < 0 || level >= MESSAGE_LEVELS.indexOf(values.get("client_min_messages"));
  }

  private static String encoding(String name, String value) {
    String v = value.toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    if (v.equals("UTF8") || v.equals("UNICODE") || v.equals("SQLASCII")) {
      return "UTF8";
    }
    throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
        "client_encoding \"" + value + "\" is not supported", "QuiverDB speaks UTF8 only.", null, 0);
  }

  private static String dateStyle(String name, String value) {
    String v = value.toUpperCase(Locale.ROOT);
    if (v.startsWith("ISO") || v.equals("MDY") || v.equals("DMY") || v.equals("YMD")) {
      return "ISO, MDY";
    }
    throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
        "DateStyle \"" + value + "\" is not supported", "Only the ISO output style is available.",
        null, 0);
  }

  private static String timeZone(String name, String value) {
    String v = value.trim();
    if (v.equalsIgnoreCase("local") || v.equalsIgnoreCase("default")) {
      return "UTC";
    }
    try {
      ZoneId zone = ZoneId.of(v.equalsIgnoreCase("utc") ? "UTC" : v);
      return zone.getId();
    } catch (DateTimeException e) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for parameter \"TimeZone\": \"" + value + "\"");
    }
  }
}
