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
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.Transaction;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.quiverdb.wire.spi.PreparedCommand;
import io.quiverdb.wire.spi.Session;
import io.quiverdb.wire.spi.Timeouts;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One client's session: its settings, its transaction-block state, and the bridge from the wire's
 * commands to the planner. Session statements (SET, SHOW, RESET, BEGIN, COMMIT, ROLLBACK, CREATE
 * EXTENSION) are answered here; everything else is planned and executed by the planner.
 *
 * <p>Transactions: outside a transaction block, statements run in an implicit transaction that
 * commits at the end of a simple Query message or at the extended protocol's Sync, as in
 * PostgreSQL; an error rolls it back. {@code BEGIN} opens a block (snapshot isolation, which is
 * PostgreSQL's REPEATABLE READ) that COMMIT or ROLLBACK ends; after an error in a block, statements
 * get 25P02 until it ends. A commit is ordered when it is asked for and acknowledged only once
 * durable: the wire holds the response back until {@link #pendingDurability()} completes.
 *
 * <p>The session owns its statements' {@link io.quiverdb.common.CancelToken}; the wire begins and
 * ends it at the protocol's statement boundaries and cancels it (CancelRequest,
 * statement_timeout), and the planner's and storage's loops check it.
 */
final class ServerSession implements Session, SessionContext {
  private static final List<Field> SHOW_ALL_FIELDS = List.of(Field.of("name", ColumnType.TEXT),
      Field.of("setting", ColumnType.TEXT), Field.of("description", ColumnType.TEXT));

  private final QuiverServer server;
  private final String user;
  private final String database;
  private final SessionSettings settings;
  private final List<Notice> notices = new ArrayList<>();
  private final io.quiverdb.common.CancelToken cancel = new io.quiverdb.common.CancelToken();
  private char transactionStatus = 'I';
  /** The open transaction block (status T or E), or null. */
  private Transaction block;
  /** The implicit transaction of the statements since the last Sync, or null. */
  private Transaction implicit;
  /** The last commit this session asked for, until it is durable. */
  private CompletableFuture<Void> durable;
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
    settings.setFixed("max_connections",
        Integer.toString(server.config().wire().maxConnections()));
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
  public PreparedCommand cached(String sql, int[] paramOids) {
    Declared d;
    try {
      d = declare(paramOids);
    } catch (QuiverException unknownType) {
      return null;
    }
    PlanCache.Entry entry = server.planCache().peek(sql, d.key());
    return entry == null || entry.statements().size() != 1 ? null
        : new Command(this, entry, 0, d.types());
  }

  /** Declared parameter types and the plan cache key they make. */
  private record Declared(String key, List<ColumnType> types) {}

  /** The declared types of {@code paramOids} (0: unspecified); 42704 for an unknown OID. */
  private static Declared declare(int[] paramOids) {
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
    return new Declared(key.toString(), Collections.unmodifiableList(declared));
  }

  @Override
  public boolean isQuiet() {
    CompletableFuture<Void> d = durable;
    return !closed && (d == null || (d.isDone() && !d.isCompletedExceptionally()))
        && (implicit == null || !implicit.hasWrites());
  }

  @Override
  public PreparedCommand prepare(String sql, int[] paramOids) {
    Declared d = declare(paramOids);
    PlanCache.Entry entry = server.planCache().lookup(sql, d.key());
    if (entry.statements().size() > 1) {
      throw new QuiverException(SqlState.SYNTAX_ERROR,
          "cannot insert multiple commands into a prepared statement");
    }
    if (entry.statements().isEmpty()) {
      return Command.empty(this);
    }
    return new Command(this, entry, 0, d.types());
  }

  @Override
  public Cursor execute(PreparedCommand prepared, Object[] parameters) {
    Command command = (Command) prepared;
    awaitDurable();
    Statement statement = command.statement();
    if (transactionStatus == 'E' && !isTransactionEnd(statement)) {
      throw new QuiverException(SqlState.IN_FAILED_SQL_TRANSACTION,
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    try {
      if (command.isEmpty()) {
        return new RowsCursor(null, List.of(), "");
      }
      if (statement instanceof Statement.Copy copy) {
        return CopyCommands.start(this, copy);
      }
      if (command.isSessionStatement()) {
        return executeSessionStatement(statement);
      }
      QueryResult result = command.plan().execute(parameters, this);
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
        checkIsolation(tx);
        if (transactionStatus != 'I') {
          notices.add(new Notice("WARNING", SqlState.ACTIVE_SQL_TRANSACTION,
              "there is already a transaction in progress"));
        } else {
          // statements before BEGIN in the same implicit transaction join the block
          block = implicit != null ? implicit : begin();
          implicit = null;
          transactionStatus = 'T';
        }
        return "BEGIN";
      }
      case COMMIT -> {
        if (transactionStatus == 'I') {
          notices.add(new Notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION,
              "there is no transaction in progress"));
          return "COMMIT";
        }
        Transaction t = block;
        boolean failed = transactionStatus == 'E';
        block = null;
        transactionStatus = 'I';
        if (failed) {
          t.rollback();
          return "ROLLBACK";
        }
        durable = t.commitAsync();
        return "COMMIT";
      }
      default -> {
        if (transactionStatus == 'I') {
          notices.add(new Notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION,
              "there is no transaction in progress"));
        } else {
          block.rollback();
          block = null;
          transactionStatus = 'I';
        }
        return "ROLLBACK";
      }
    }
  }

  /** Blocks run under snapshot isolation: PostgreSQL's REPEATABLE READ, never SERIALIZABLE. */
  private static void checkIsolation(Statement.Transaction tx) {
    String level = tx.isolationLevel();
    if (level != null && level.equals("serializable")) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "SERIALIZABLE isolation is not supported", null,
          "Use REPEATABLE READ: transactions run under snapshot isolation.",
          tx.pos().errorPosition());
    }
  }

  /** Waits for this session's last commit to be durable (a later statement must see it). */
  private void awaitDurable() {
    CompletableFuture<Void> d = durable;
    if (d == null) {
      return;
    }
    durable = null;
    try {
      d.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
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
    if (implicit != null) {
      implicit.rollback();
      implicit = null;
    }
  }

  @Override
  public void sync() {
    if (implicit != null) {
      Transaction t = implicit;
      implicit = null;
      durable = t.commitAsync();
    }
  }

  @Override
  public CompletableFuture<?> pendingDurability() {
    CompletableFuture<Void> d = durable;
    if (d != null && d.isDone() && !d.isCompletedExceptionally()) {
      durable = null;
      return null;
    }
    return d;
  }

  @Override
  public List<Notice> drainNotices() {
    if (notices.isEmpty()) {
      return List.of();
    }
    List<Notice> out = new ArrayList<>(notices.size());
    for (Notice n : notices) {
      if (settings.sendsToClient(n.severity())) {
        out.add(n);
      }
    }
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
  public Timeouts timeouts() {
    return new Timeouts(settings.millis("statement_timeout"),
        settings.millis("idle_in_transaction_session_timeout"),
        settings.millis("idle_session_timeout"));
  }

  @Override
  public void close() {
    closed = true;
    if (block != null) {
      block.rollback();
      block = null;
    }
    if (implicit != null) {
      implicit.rollback();
      implicit = null;
    }
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
  public io.quiverdb.common.CancelToken cancelToken() {
    return cancel;
  }

  @Override
  public Transaction transaction() {
    if (block != null) {
      return block;
    }
    if (implicit == null) {
      implicit = begin();
    }
    return implicit;
  }

  /** A new transaction whose long scans and searches stop when this session's token fires. */
  private Transaction begin() {
    Transaction t = server.store().begin();
    t.cancelToken(cancel);
    return t;
  }

  @Override
  public CatalogView catalog() {
    Transaction t = block != null ? block : implicit;
    return t != null ? t.catalog() : server.store().catalog();
  }
}
