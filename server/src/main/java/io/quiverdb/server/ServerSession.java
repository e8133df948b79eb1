package io.quiverdb.server;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.Planner;
import io.quiverdb.planner.QueryResult;
import io.quiverdb.planner.SessionContext;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.quiverdb.wire.spi.PreparedCommand;
import io.quiverdb.wire.spi.Session;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One client's session: its settings, its transaction-block state, and the bridge from the wire's
 * commands to the planner. Session statements (SET, SHOW, RESET, BEGIN, COMMIT, ROLLBACK, CREATE
 * EXTENSION) are answered here; everything else is planned and executed by the planner.
 *
 * <p>Transaction blocks are tracked for the protocol (ReadyForQuery status, 25P02 after an error)
 * but each statement still commits on its own: atomic multi-statement transactions come with the
 * storage engine's MVCC (issue 3), and ROLLBACK says so with a WARNING when it cannot undo writes.
 */
final class ServerSession implements Session, SessionContext {
  private static final List<Field> SHOW_ALL_FIELDS = List.of(Field.of("name", ColumnType.TEXT),
      Field.of("setting", ColumnType.TEXT), Field.of("description", ColumnType.TEXT));

  private final QuiverServer server;
  private final String user;
  private final String database;
  private final SessionSettings settings;
  private final List<Notice> notices = new ArrayList<>();
  private volatile boolean cancelled;
  private char transactionStatus = 'I';
  private int writesInBlock;
  private boolean closed;

  ServerSession(QuiverServer server, Map<String, String> startup) {
    this.server = server;
    String u = startup.get("user");
    if (u == null || u.isEmpty()) {
      throw new QuiverException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
          "no PostgreSQL user name specified in startup packet");
    }
    this.user = u;
    this.database = startup.getOrDefault("database", u);
    this.settings = new SessionSettings(u);
    for (Map.Entry<String, String> e : startup.entrySet()) {
      switch (e.getKey()) {
        case "user", "database", "replication" -> { }
        case "options" -> applyOptions(e.getValue());
        default -> settings.applyStartup(e.getKey(), e.getValue());
      }
    }
  }

  /** Applies {@code -c name=value} and {@code --name=value} items of the startup "options". */
  private void applyOptions(String options) {
    String[] words = options.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      String item = null;
      if (w.equals("-c") && i + 1 < words.length) {
        item = words[++i];
      } else if (w.startsWith("-c")) {
        item = w.substring(2);
      } else if (w.startsWith("--")) {
        item = w.substring(2);
      }
      int eq = item == null ? -1 : item.indexOf('=');
      if (eq > 0) {
        settings.applyStartup(item.substring(0, eq).replace('-', '_'), item.substring(eq + 1));
      }
    }
  }

  Planner planner() {
    return server.planner();
  }

  @Override
  public Map<String, String> parameterStatus() {
    return settings.reported();
  }

  @Override
  public List<PreparedCommand> parseSimple(String sql) {
    PlanCache.Entry entry = server.planCache().lookup(sql, "");
    List<PreparedCommand> commands = new ArrayList<>(entry.statements().size());
    for (int i = 0; i < entry.statements().size(); i++) {
      commands.add(new Command(this, entry, i, List.of()));
    }
    return commands;
  }

  @Override
  public PreparedCommand prepare(String sql, int[] paramOids) {
    StringBuilder key = new StringBuilder();
    List<ColumnType> declared = new ArrayList<>(paramOids.length);
    for (int oid : paramOids) {
      PgType t = oid == 0 ? null : PgType.ofOid(oid);
      if (oid != 0 && t == null) {
        throw new QuiverException(SqlState.UNDEFINED_OBJECT,
            "type with OID " + oid + " does not exist");
      }
      declared.add(t == null ? null : ColumnType.of(t));
      key.append(oid).append(',');
    }
    PlanCache.Entry entry = server.planCache().lookup(sql, key.toString());
    if (entry.statements().size() > 1) {
      throw new QuiverException(SqlState.SYNTAX_ERROR,
          "cannot insert multiple commands into a prepared statement");
    }
    if (entry.statements().isEmpty()) {
      return Command.empty(this);
    }
    return new Command(this, entry, 0, Collections.unmodifiableList(declared));
  }

  @Override
  public Cursor execute(PreparedCommand prepared, Object[] parameters) {
    Command command = (Command) prepared;
    cancelled = false;
    Statement statement = command.statement();
    if (transactionStatus == 'E' && !isTransactionEnd(statement)) {
      throw new QuiverException(SqlState.IN_FAILED_SQL_TRANSACTION,
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    try {
      if (command.isEmpty()) {
        return new RowsCursor(null, List.of(), "");
      }
      if (command.isSessionStatement()) {
        return executeSessionStatement(statement);
      }
      QueryResult result = command.plan().execute(parameters, this);
      if (transactionStatus == 'T' && !(statement instanceof Statement.QueryStatement)) {
        writesInBlock++;
      }
      return new PlannedCursor(Command.toFields(command.plan().columns()), result);
    } catch (RuntimeException | Error e) {
      statementFailed();
      throw e;
    }
  }

  private static boolean isTransactionEnd(Statement s) {
    return s instanceof Statement.Transaction t
        && t.kind() != Statement.TransactionKind.BEGIN;
  }

  private Cursor executeSessionStatement(Statement statement) {
    if (statement instanceof Statement.SetVariable set) {
      settings.set(set.name(), set.values());
      return new RowsCursor(null, List.of(), "SET");
    }
    if (statement instanceof Statement.Reset reset) {
      settings.reset(reset.name());
      return new RowsCursor(null, List.of(), "RESET");
    }
    if (statement instanceof Statement.Show show) {
      if (show.name().equals("all")) {
        return new RowsCursor(SHOW_ALL_FIELDS, new ArrayList<Object[]>(settings.all()), "SHOW");
      }
      String value = settings.show(show.name());
      return new RowsCursor(sessionStatementFields(statement),
          List.<Object[]>of(new Object[] {value}), "SHOW");
    }
    if (statement instanceof Statement.CreateExtension ext) {
      if (!ext.name().equals("vector")) {
        throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
            "extension \"" + ext.name() + "\" is not available",
            "QuiverDB has the vector extension built in; no other extension can be installed.",
            null, ext.pos().errorPosition());
      }
      return new RowsCursor(null, List.of(), "CREATE EXTENSION");
    }
    if (statement instanceof Statement.Transaction tx) {
      return new RowsCursor(null, List.of(), transaction(tx));
    }
    return new RowsCursor(null, List.of(), "");
  }

  private String transaction(Statement.Transaction tx) {
    switch (tx.kind()) {
      case BEGIN -> {
        if (transactionStatus != 'I') {
          notices.add(new Notice("WARNING", SqlState.ACTIVE_SQL_TRANSACTION,
              "there is already a transaction in progress"));
        } else {
          transactionStatus = 'T';
          writesInBlock = 0;
        }
        return "BEGIN";
      }
      case COMMIT -> {
        char was = transactionStatus;
        endBlock(false);
        return was == 'E' ? "ROLLBACK" : "COMMIT";
      }
      default -> {
        endBlock(true);
        return "ROLLBACK";
      }
    }
  }

  private void endBlock(boolean rollback) {
    if (transactionStatus == 'I') {
      notices.add(new Notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION,
          "there is no transaction in progress"));
      return;
    }
    if ((rollback || transactionStatus == 'E') && writesInBlock > 0) {
      notices.add(new Notice("WARNING", SqlState.FEATURE_NOT_SUPPORTED,
          "ROLLBACK could not undo " + writesInBlock + " statement(s) that already committed:"
              + " transaction blocks are not atomic yet, each statement commits on its own"));
    }
    transactionStatus = 'I';
    writesInBlock = 0;
  }

  /** Row description of a session statement that returns rows (SHOW), else null. */
  List<Field> sessionStatementFields(Statement statement) {
    if (statement instanceof Statement.Show show) {
      if (show.name().equals("all")) {
        return SHOW_ALL_FIELDS;
      }
      settings.show(show.name());
      return List.of(Field.of(SessionSettings.displayName(show.name()), ColumnType.TEXT));
    }
    return null;
  }

  @Override
  public char transactionStatus() {
    return transactionStatus;
  }

  @Override
  public void statementFailed() {
    if (transactionStatus == 'T') {
      transactionStatus = 'E';
    }
  }

  @Override
  public void sync() {
    // Each statement commits on its own for now; the implicit extended-protocol transaction
    // that Sync ends arrives with MVCC transactions (issue 3).
  }

  @Override
  public List<Notice> drainNotices() {
    if (notices.isEmpty()) {
      return List.of();
    }
    List<Notice> out = List.copyOf(notices);
    notices.clear();
    return out;
  }

  @Override
  public Map<String, String> drainParameterChanges() {
    return settings.drainChanges();
  }

  @Override
  public FormatSettings formatSettings() {
    return new FormatSettings(settings.extraFloatDigits(), settings.timeZone());
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  // SessionContext, for the planner and executor.

  @Override
  public String user() {
    return user;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public ZoneId timeZone() {
    return settings.timeZone();
  }

  @Override
  public String setting(String name) {
    return settings.get(name);
  }

  @Override
  public void notice(Notice notice) {
    notices.add(notice);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }
}
