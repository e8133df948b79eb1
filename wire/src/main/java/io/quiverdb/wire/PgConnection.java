package io.quiverdb.wire;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.CopyOut;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.quiverdb.wire.spi.PreparedCommand;
import io.quiverdb.wire.spi.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: the protocol state machine (startup, simple query, extended protocol)
 * over a {@link Session}. Runs on the channel's event loop. Responses accumulate in one buffer that
 * is flushed at ReadyForQuery, on Flush, at the end of each read, and every 64 KiB of a large
 * result, so a pipelined batch costs one write.
 *
 * <p>Commits never block the event loop: when the session has a commit whose durability is not
 * known yet, the connection pauses. It holds its output (so no CommandComplete reaches the client
 * before the commit is durable), stops reading, and queues messages already decoded; the event
 * loop serves other connections meanwhile. When the commit is durable it flushes and resumes; when
 * the commit is in doubt it drops the connection without sending what it held.
 */
final class PgConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(PgConnection.class.getName());
  private static final int FLUSH_BYTES = 64 * 1024;

  /** A Parse result: the command and its parameter types. */
  private record Statement(PreparedCommand command) {}

  /** A Bind result: a command with its parameters, and, once executing, its cursor. */
  private static final class Portal {
    final PreparedCommand command;
    final Object[] parameters;
    final short[] resultFormats;
    Cursor cursor;
    List<Field> fields;
    Object[] pending;
    boolean done;
    String tag;

    Portal(PreparedCommand command, Object[] parameters, short[] resultFormats) {
      this.command = command;
      this.parameters = parameters;
      this.resultFormats = resultFormats;
    }

    void close() {
      if (cursor != null) {
        Cursor c = cursor;
        cursor = null;
        c.close();
      }
    }
  }

  private final PgServer server;
  private final Map<String, Statement> statements = new HashMap<>();
  private final Map<String, Portal> portals = new LinkedHashMap<>();
  private ChannelHandlerContext ctx;
  private ByteBuf out;
  private Session session;
  private long backendKey;
  private boolean skipUntilSync;
  /** Waiting for a commit to become durable; {@link #inbox} holds what arrived meanwhile. */
  private boolean paused;
  /** A FATAL error was sent: nothing more is read or written. */
  private boolean closing;
  private final java.util.ArrayDeque<Object> inbox = new java.util.ArrayDeque<>();

  PgConnection(PgServer server) {
    this.server = server;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (paused || !inbox.isEmpty()) {
      inbox.add(msg);
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    if (closing) {
      io.netty.util.ReferenceCountUtil.release(msg instanceof PgDecoder.Message m ? m.body()
          : ((PgDecoder.StartupPacket) msg).body());
      return;
    }
    if (msg instanceof PgDecoder.StartupPacket p) {
      try {
        startup(p.code(), p.body());
      } finally {
        p.body().release();
      }
      return;
    }
    PgDecoder.Message m = (PgDecoder.Message) msg;
    try {
      message(m.type(), m.body());
    } finally {
      m.body().release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!paused) {
      flush();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeSession();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof io.netty.handler.codec.DecoderException d
        && d.getCause() instanceof QuiverException q) {
      fatal(q);
      return;
    }
    if (!(cause instanceof java.io.IOException)) {
      LOG.log(Level.WARNING, "connection failed", cause);
    }
    ctx.close();
  }

  private ByteBuf out() {
    if (out == null) {
      out = ctx.alloc().ioBuffer(1024);
    }
    return out;
  }

  private void flush() {
    if (closing && out != null) {
      out.release();
      out = null;
    }
    if (paused || closing) {
      return;
    }
    java.util.concurrent.CompletableFuture<?> durable =
        session == null ? null : session.pendingDurability();
    if (durable != null) {
      pause(durable);
      return;
    }
    if (out != null) {
      ByteBuf b = out;
      out = null;
      if (b.isReadable()) {
        ctx.writeAndFlush(b, ctx.voidPromise());
      } else {
        b.release();
      }
    }
  }

  /** Holds output and input until {@code durable} completes (on this connection's event loop). */
  private void pause(java.util.concurrent.CompletableFuture<?> durable) {
    paused = true;
    ctx.channel().config().setAutoRead(false);
    durable.whenComplete((v, e) -> ctx.executor().execute(() -> resume(e)));
  }

  private void resume(Throwable failure) {
    paused = false;
    if (session == null) {
      return; // the connection closed meanwhile
    }
    if (failure != null) {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException c
          && c.getCause() != null ? c.getCause() : failure;
      if (out != null) {
        out.release();
        out = null;
      }
      fatal(cause instanceof QuiverException q ? q
          : new QuiverException(SqlState.IO_ERROR, "commit in doubt: " + cause, cause));
      return;
    }
    flush();
    ctx.channel().config().setAutoRead(true);
    while (!paused && session != null) {
      Object next = inbox.poll();
      if (next == null) {
        break;
      }
      handle(next);
    }
    flush();
  }

  private void closeSession() {
    for (Object m : inbox) {
      io.netty.util.ReferenceCountUtil.release(m instanceof PgDecoder.Message msg ? msg.body()
          : ((PgDecoder.StartupPacket) m).body());
    }
    inbox.clear();
    portals.values().forEach(Portal::close);
    portals.clear();
    endCopy();
    if (session != null) {
      server.forget(backendKey);
      Session s = session;
      session = null;
      s.close();
    }
    if (out != null) {
      out.release();
      out = null;
    }
  }

  private void fatal(QuiverException e) {
    PgMessages.error(out(), "FATAL", e);
    ByteBuf b = out;
    out = null;
    closing = true;
    ctx.writeAndFlush(b).addListener(f -> ctx.close());
  }

  // ---------------------------------------------------------------- startup

  private void startup(int code, ByteBuf body) {
    if (code == PgDecoder.SSL_REQUEST || code == PgDecoder.GSSENC_REQUEST) {
      out().writeByte('N');
      flush();
      return;
    }
    if (code == PgDecoder.CANCEL_REQUEST) {
      server.cancel(body.readInt(), body.readInt());
      ctx.close();
      return;
    }
    if (code >> 16 != 3) {
      fatal(new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
          + (code >> 16) + "." + (code & 0xFFFF) + ": server supports 3.0 to 3.0"));
      return;
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    List<String> unsupported = new ArrayList<>();
    while (body.isReadable()) {
      String key = readCString(body);
      if (key.isEmpty()) {
        break;
      }
      String value = readCString(body);
      if (key.startsWith("_pq_.")) {
        unsupported.add(key);
      } else {
        parameters.put(key, value);
      }
    }
    if (!parameters.containsKey("user")) {
      fatal(new QuiverException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
          "no PostgreSQL user name specified in startup packet"));
      return;
    }
    try {
      session = server.factory().open(parameters);
    } catch (QuiverException e) {
      fatal(e);
      return;
    }
    ByteBuf b = out();
    if ((code & 0xFFFF) != 0 || !unsupported.isEmpty()) {
      PgMessages.negotiateProtocolVersion(b, 0, unsupported);
    }
    PgMessages.authenticationOk(b);
    session.parameterStatus().forEach((k, v) -> PgMessages.parameterStatus(b, k, v));
    int[] key = server.register(session);
    backendKey = (long) key[0] << 32 | (key[1] & 0xFFFFFFFFL);
    PgMessages.backendKeyData(b, key[0], key[1]);
    PgMessages.readyForQuery(b, session.transactionStatus());
    flush();
  }

  private static String readCString(ByteBuf in) {
    int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
    if (end < 0) {
      throw new QuiverException(SqlState.PROTOCOL_VIOLATION, "invalid string in message");
    }
    String s = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
    in.readerIndex(end + 1);
    return s;
  }

  // ---------------------------------------------------------------- messages

  private void message(byte type, ByteBuf body) {
    if (session == null) {
      return;
    }
    if (copy != null) {
      copyMessage(type, body);
      return;
    }
    switch (type) {
      case 'Q' -> simpleQuery(readCString(body));
      case 'S' -> sync();
      case 'X' -> {
        flush();
        closeSession();
        ctx.close();
      }
      case 'H' -> flush();
      case 'P', 'B', 'D', 'E', 'C' -> {
        if (skipUntilSync) {
          return;
        }
        try {
          switch (type) {
            case 'P' -> parse(body);
            case 'B' -> bind(body);
            case 'D' -> describe(body);
            case 'E' -> execute(body);
            default -> close(body);
          }
        } catch (Throwable t) {
          error(t);
          skipUntilSync = true;
        }
      }
      case 'd', 'c', 'f' -> { } // after a failed COPY: dropped, as PostgreSQL does
      default -> fatal(new QuiverException(SqlState.PROTOCOL_VIOLATION,
          "invalid frontend message type " + (char) type));
    }
  }

  /** Sends an ErrorResponse for a failure; the connection stays usable. */
  private void error(Throwable t) {
    if (t instanceof QuiverException q && q.isFatal()) {
      if (out != null) {
        out.release();
        out = null;
      }
      fatal(q);
      return;
    }
    QuiverException e;
    if (t instanceof QuiverException q) {
      e = q;
    } else {
      LOG.log(Level.WARNING, "internal error", t);
      e = new QuiverException(SqlState.INTERNAL_ERROR, String.valueOf(t.getMessage() == null
          ? t.getClass().getSimpleName() : t.getMessage()));
    }
    session.statementFailed();
    drainNotices();
    PgMessages.error(out(), "ERROR", e);
  }

  private void drainNotices() {
    for (Notice n : session.drainNotices()) {
      PgMessages.notice(out(), n);
    }
  }

  private void readyForQuery() {
    session.drainParameterChanges().forEach((k, v) -> PgMessages.parameterStatus(out(), k, v));
    PgMessages.readyForQuery(out(), session.transactionStatus());
    flush();
  }

  private void simpleQuery(String sql) {
    closeUnnamedPortal();
    try {
      List<PreparedCommand> commands = session.parseSimple(sql);
      if (commands.isEmpty()) {
        PgMessages.emptyQueryResponse(out());
      }
      if (!runCommands(commands, 0)) {
        return; // a COPY FROM STDIN waits for the client's data
      }
      session.sync(); // when the last statement was empty, the implicit transaction ends here
    } catch (Throwable t) {
      error(t);
    }
    readyForQuery();
  }

  /**
   * Runs a Query message's statements from {@code from} on; returns false when one of them is a
   * COPY FROM STDIN, which continues with the rest when its data has arrived.
   */
  private boolean runCommands(List<PreparedCommand> commands, int from) {
    for (int i = from; i < commands.size(); i++) {
      PreparedCommand command = commands.get(i);
      if (command.isEmpty()) {
        PgMessages.emptyQueryResponse(out());
        continue;
      }
      Cursor executed = session.execute(command, new Object[0]);
      if (executed instanceof CopyIn in) {
        startCopyIn(in, commands, i + 1);
        return false;
      }
      try (Cursor cursor = executed) {
        if (cursor instanceof CopyOut c) {
          copyOut(c);
        } else {
          List<Field> fields = cursor.fields();
          if (fields != null) {
            PgMessages.rowDescription(out(), fields, null);
          }
          streamRows(cursor, fields, null, 0, null);
        }
        if (i == commands.size() - 1) {
          session.sync(); // the implicit transaction commits before the last CommandComplete
        }
        drainNotices();
        PgMessages.commandComplete(out(), cursor.commandTag());
      }
      session.drainParameterChanges().forEach((k, v) -> PgMessages.parameterStatus(out(), k, v));
    }
    return true;
  }

  // ---------------------------------------------------------------- COPY

  /**
   * A COPY FROM STDIN in progress: its reader, and where its Query message resumes afterwards
   * ({@code commands} is null when an extended-protocol Execute started it).
   */
  private record CopyInState(CopyIn cursor, CopyReader reader, List<PreparedCommand> commands,
      int next) {
    boolean simple() {
      return commands != null;
    }
  }

  /** The running COPY FROM STDIN, or null. */
  private CopyInState copy;

  private void startCopyIn(CopyIn in, List<PreparedCommand> commands, int next) {
    copy = new CopyInState(in, CopyReader.of(in, session.formatSettings()), commands, next);
    PgMessages.copyResponse(out(), 'G', in.format().binary(), in.columnTypes().size());
    flush(); // the client sends nothing before it sees CopyInResponse
  }

  /**
   * A message in copy-in mode, as PostgreSQL's CopyGetData takes it: CopyData is parsed as it
   * arrives, CopyDone and CopyFail end the COPY, Flush and Sync are ignored (clients send them
   * without noticing the command was a COPY), and anything else is a protocol violation that
   * fails the COPY.
   */
  private void copyMessage(byte type, ByteBuf body) {
    try {
      switch (type) {
        case 'd' -> copy.reader().feed(body);
        case 'c' -> copyDone();
        case 'f' -> throw new QuiverException(SqlState.QUERY_CANCELED,
            "COPY from stdin failed: " + readCString(body));
        case 'H', 'S' -> { }
        default -> throw new QuiverException(SqlState.PROTOCOL_VIOLATION, String.format(
            "unexpected message type 0x%02X during COPY from stdin", type & 0xFF));
      }
    } catch (Throwable t) {
      copyFailed(t);
    }
  }

  /** CopyDone: the last rows, then {@code COPY n} (durable first, at the end of a Query). */
  private void copyDone() {
    CopyInState c = copy;
    c.reader().finish();
    String tag = c.cursor().commandTag();
    endCopy();
    if (!c.simple()) {
      PgMessages.commandComplete(out(), tag);
      flush();
      return; // the extended protocol goes on; its Sync commits
    }
    if (c.next() == c.commands().size()) {
      session.sync(); // durable before the client sees COPY n
    }
    drainNotices();
    PgMessages.commandComplete(out(), tag);
    session.drainParameterChanges().forEach((k, v) -> PgMessages.parameterStatus(out(), k, v));
    if (runCommands(c.commands(), c.next())) {
      session.sync();
      readyForQuery();
    }
  }

  /**
   * The COPY failed (bad data, CopyFail, a stray message, or what ran after it): the error goes
   * out now, as PostgreSQL sends it, not when the client finishes sending. Then a Query message
   * ends (ReadyForQuery) and the extended protocol skips to Sync; either way the CopyData,
   * CopyDone or CopyFail still on their way are dropped, as outside COPY.
   */
  private void copyFailed(Throwable t) {
    boolean simple = copy == null || copy.simple();
    endCopy();
    error(t);
    if (simple) {
      readyForQuery();
    } else {
      skipUntilSync = true;
      flush();
    }
  }

  /** Leaves copy-in mode, releasing the reader. */
  private void endCopy() {
    CopyInState c = copy;
    if (c != null) {
      copy = null;
      c.reader().release();
      c.cursor().close();
    }
  }

  /** Sends a COPY TO STDOUT's rows as CopyData, then CopyDone. */
  private void copyOut(CopyOut cursor) {
    List<Field> fields = cursor.fields();
    PgType[] types = new PgType[fields.size()];
    List<String> names = new ArrayList<>(fields.size());
    for (int i = 0; i < types.length; i++) {
      types[i] = fields.get(i).type().type();
      names.add(fields.get(i).name());
    }
    CopyWriter writer = new CopyWriter(cursor.format(), types, session.formatSettings());
    PgMessages.copyResponse(out(), 'H', cursor.format().binary(), types.length);
    if (writer.hasHeader()) {
      int at = PgMessages.beginCopyData(out());
      writer.header(out(), names);
      PgMessages.end(out(), at);
    }
    Object[] row;
    while ((row = cursor.next()) != null) {
      ByteBuf b = out();
      int at = PgMessages.beginCopyData(b);
      writer.row(b, row);
      PgMessages.end(b, at);
      if (b.readableBytes() >= FLUSH_BYTES) {
        flush();
      }
    }
    if (cursor.format().binary()) {
      int at = PgMessages.beginCopyData(out());
      writer.trailer(out());
      PgMessages.end(out(), at);
    }
    PgMessages.copyDone(out());
  }

  /**
   * Writes up to {@code limit} rows (0 = all) as DataRows. Returns the row after the last one
   * written when the limit stopped it early (the portal keeps it), else null.
   */
  private Object[] streamRows(Cursor cursor, List<Field> fields, short[] formats, int limit,
      Object[] first) {
    if (fields == null) {
      while (cursor.next() != null) {
        // commands without a row description produce no rows
      }
      return null;
    }
    FormatSettings settings = session.formatSettings();
    int n = fields.size();
    PgType[] types = new PgType[n];
    boolean[] binary = new boolean[n];
    for (int i = 0; i < n; i++) {
      types[i] = fields.get(i).type().type();
      binary[i] = PgMessages.format(formats, i) == 1;
    }
    int sent = 0;
    Object[] row = first != null ? first : cursor.next();
    while (row != null) {
      if (limit > 0 && sent == limit) {
        return row;
      }
      ByteBuf b = out();
      b.writeByte('D');
      int at = b.writerIndex();
      b.writeInt(0);
      b.writeShort(n);
      for (int i = 0; i < n; i++) {
        ValueCodec.write(b, row[i], types[i], binary[i], settings);
      }
      b.setInt(at, b.writerIndex() - at);
      sent++;
      if (b.readableBytes() >= FLUSH_BYTES) {
        flush();
      }
      row = cursor.next();
    }
    return null;
  }

  private void sync() {
    skipUntilSync = false;
    try {
      session.sync();
    } catch (Throwable t) {
      error(t);
    }
    if (session.transactionStatus() == 'I') {
      portals.values().forEach(Portal::close);
      portals.clear();
    }
    readyForQuery();
  }

  private void parse(ByteBuf body) {
    String name = readCString(body);
    String sql = readCString(body);
    int count = body.readUnsignedShort();
    int[] oids = new int[count];
    for (int i = 0; i < count; i++) {
      oids[i] = body.readInt();
    }
    if (!name.isEmpty() && statements.containsKey(name)) {
      throw new QuiverException(SqlState.DUPLICATE_PREPARED_STATEMENT,
          "prepared statement \"" + name + "\" already exists");
    }
    statements.put(name, new Statement(session.prepare(sql, oids)));
    PgMessages.parseComplete(out());
  }

  private Statement statement(String name) {
    Statement s = statements.get(name);
    if (s == null) {
      throw new QuiverException(SqlState.INVALID_SQL_STATEMENT_NAME,
          "prepared statement \"" + name + "\" does not exist");
    }
    return s;
  }

  private Portal portal(String name) {
    Portal p = portals.get(name);
    if (p == null) {
      throw new QuiverException(SqlState.INVALID_CURSOR_NAME,
          "portal \"" + name + "\" does not exist");
    }
    return p;
  }

  private void closeUnnamedPortal() {
    Portal p = portals.remove("");
    if (p != null) {
      p.close();
    }
  }

  private void bind(ByteBuf body) {
    String portalName = readCString(body);
    String statementName = readCString(body);
    short[] paramFormats = readFormats(body);
    int count = body.readUnsignedShort();
    Statement statement = statement(statementName);
    PreparedCommand command = statement.command();
    List<ColumnType> types = command.parameterTypes();
    if (count != types.size()) {
      throw new QuiverException(SqlState.PROTOCOL_VIOLATION, "bind message supplies " + count
          + " parameters, but prepared statement \"" + statementName + "\" requires "
          + types.size());
    }
    FormatSettings settings = session.formatSettings();
    Object[] parameters = new Object[count];
    for (int i = 0; i < count; i++) {
      int length = body.readInt();
      boolean binary = PgMessages.format(paramFormats, i) == 1;
      ByteBuf value = length < 0 ? body : body.readSlice(length);
      parameters[i] = ValueCodec.decode(value, length, types.get(i), binary, settings);
    }
    short[] resultFormats = readFormats(body);
    if (portalName.isEmpty()) {
      closeUnnamedPortal();
    } else if (portals.containsKey(portalName)) {
      throw new QuiverException(SqlState.DUPLICATE_CURSOR,
          "cursor \"" + portalName + "\" already exists");
    }
    portals.put(portalName, new Portal(command, parameters, resultFormats));
    PgMessages.bindComplete(out());
  }

  private static short[] readFormats(ByteBuf body) {
    int n = body.readUnsignedShort();
    short[] formats = new short[n];
    for (int i = 0; i < n; i++) {
      formats[i] = body.readShort();
    }
    return formats;
  }

  private void describe(ByteBuf body) {
    byte kind = body.readByte();
    String name = readCString(body);
    if (kind == 'S') {
      PreparedCommand command = statement(name).command();
      PgMessages.parameterDescription(out(), command.parameterTypes());
      List<Field> fields = command.fields();
      if (fields == null) {
        PgMessages.noData(out());
      } else {
        PgMessages.rowDescription(out(), fields, null);
      }
      return;
    }
    Portal p = portal(name);
    List<Field> fields = p.cursor != null ? p.fields : p.command.fields();
    if (fields == null) {
      PgMessages.noData(out());
    } else {
      PgMessages.rowDescription(out(), fields, p.resultFormats);
    }
  }

  private void execute(ByteBuf body) {
    String name = readCString(body);
    int limit = body.readInt();
    Portal p = portal(name);
    if (p.command.isEmpty()) {
      PgMessages.emptyQueryResponse(out());
      return;
    }
    if (p.done) {
      PgMessages.commandComplete(out(), p.tag);
      return;
    }
    if (p.cursor == null) {
      Cursor executed = session.execute(p.command, p.parameters);
      if (executed instanceof CopyIn in) {
        p.done = true;
        p.tag = "";
        startCopyIn(in, null, 0);
        return;
      }
      if (executed instanceof CopyOut c) {
        try (executed) {
          copyOut(c);
          p.done = true;
          p.tag = c.commandTag();
        }
        PgMessages.commandComplete(out(), p.tag);
        return;
      }
      p.cursor = executed;
      p.fields = p.cursor.fields();
    }
    try {
      p.pending = streamRows(p.cursor, p.fields, p.resultFormats, Math.max(limit, 0), p.pending);
    } catch (RuntimeException | Error e) {
      p.close();
      p.done = true;
      p.tag = "";
      throw e;
    }
    drainNotices();
    if (p.pending != null) {
      PgMessages.portalSuspended(out());
      return;
    }
    p.tag = p.cursor.commandTag();
    p.done = true;
    p.close();
    PgMessages.commandComplete(out(), p.tag);
  }

  private void close(ByteBuf body) {
    byte kind = body.readByte();
    String name = readCString(body);
    if (kind == 'S') {
      statements.remove(name);
    } else {
      Portal p = portals.remove(name);
      if (p != null) {
        p.close();
      }
    }
    PgMessages.closeComplete(out());
  }
}
