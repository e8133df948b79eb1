package io.quiverdb.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare PostgreSQL v3 client for tests that need exact messages, which pgJDBC does not let one
 * send: the extended protocol around COPY, a stray message in copy-in mode, CopyFail with a
 * message, a Query message holding a COPY and more, malformed messages and raw bytes. Sends
 * frontend messages as given and reads backend messages back one at a time (with a read timeout,
 * so a missing reply fails the test).
 */
final class RawPgClient implements AutoCloseable {
  /** One backend message: its type byte and body. */
  record Message(char type, byte[] body) {
    /** A field of an ErrorResponse or NoticeResponse ('C' SQLSTATE, 'M' message, 'W' where). */
    String field(char code) {
      int i = 0;
      while (i < body.length && body[i] != 0) {
        int end = i + 1;
        while (body[end] != 0) {
          end++;
        }
        if (body[i] == code) {
          return new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8);
        }
        i = end + 1;
      }
      return null;
    }

    /** The tag of a CommandComplete, or the status of a ReadyForQuery. */
    String text() {
      int n = body.length > 0 && body[body.length - 1] == 0 ? body.length - 1 : body.length;
      return new String(body, 0, n, StandardCharsets.UTF_8);
    }

    /** A short form for assertions: the type, and for errors severity, SQLSTATE and message. */
    String brief() {
      if (type == 'E' || type == 'N') {
        return type + " " + field('S') + " " + field('C') + " " + field('M');
      }
      if (type == 'C' || type == 'Z') {
        return type + " " + text();
      }
      return String.valueOf(type);
    }
  }

  /** Builds a message body: strings, int16s, int32s and raw bytes in order. */
  static final class Body {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    Body cstring(String s) {
      b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      b.write(0);
      return this;
    }

    Body int16(int v) {
      b.write(v >> 8);
      b.write(v);
      return this;
    }

    Body int32(int v) {
      b.write(v >> 24);
      b.write(v >> 16);
      b.write(v >> 8);
      b.write(v);
      return this;
    }

    Body bytes(byte[] bytes) {
      b.writeBytes(bytes);
      return this;
    }

    Body bytes(int... bytes) {
      for (int x : bytes) {
        b.write(x);
      }
      return this;
    }

    byte[] build() {
      return b.toByteArray();
    }

    /** The body as a whole message: type, int32 length, body. */
    byte[] message(char type) {
      byte[] body = build();
      return new Body().bytes(type).int32(body.length + 4).bytes(body).build();
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private int processId;
  private int secretKey;

  RawPgClient(int port) throws IOException {
    this(port, true);
  }

  /** A connection; with {@code startup}, the StartupMessage is sent and answered first. */
  RawPgClient(int port, boolean startup) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    out = new DataOutputStream(
        new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    if (startup) {
      out.write(startupPacket("user", "quiver", "database", "quiver"));
      out.flush();
      readUntilReady();
    }
  }

  /** A StartupMessage (protocol 3.0) with these name/value pairs. */
  static byte[] startupPacket(String... pairs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String p : pairs) {
      b.writeBytes(p.getBytes(StandardCharsets.UTF_8));
      b.write(0);
    }
    b.write(0);
    return startupPacket(b.toByteArray());
  }

  /** A StartupMessage (protocol 3.0) whose parameter bytes are given as they are. */
  static byte[] startupPacket(byte[] parameters) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    try {
      d.writeInt(parameters.length + 8);
      d.writeInt(3 << 16);
      d.write(parameters);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return b.toByteArray();
  }

  /** The process id of BackendKeyData, for a CancelRequest. */
  int processId() {
    return processId;
  }

  int secretKey() {
    return secretKey;
  }

  /** Sends a CancelRequest for ({@code pid}, {@code secret}) on a new connection. */
  static void cancel(int port, int pid, int secret) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      DataOutputStream d = new DataOutputStream(s.getOutputStream());
      d.writeInt(16);
      d.writeInt(80877102);
      d.writeInt(pid);
      d.writeInt(secret);
      d.flush();
      s.setSoTimeout(10_000);
      s.getInputStream().read(); // the server closes the connection when it has the request
    }
  }

  /** The (buffered) input, for tests that read messages themselves. */
  DataInputStream input() {
    return in;
  }

  void setTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  Socket socket() {
    return socket;
  }

  /** Sends one message; nothing is flushed until {@link #flush()}. */
  RawPgClient send(char type, byte[] body) throws IOException {
    out.writeByte(type);
    out.writeInt(body.length + 4);
    out.write(body);
    return this;
  }

  /** Sends bytes as they are (malformed messages, startup packets). */
  RawPgClient sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    return this;
  }

  RawPgClient flush() throws IOException {
    out.flush();
    return this;
  }

  RawPgClient query(String sql) throws IOException {
    return send('Q', cstrings(sql));
  }

  /** Parse (unnamed, no parameter types), Bind (unnamed, no parameters), Execute (no limit). */
  RawPgClient parseBindExecute(String sql) throws IOException {
    send('P', concat(cstrings("", sql), new byte[] {0, 0}));
    send('B', concat(cstrings("", ""), new byte[] {0, 0, 0, 0, 0, 0}));
    send('D', concat(new byte[] {'P'}, cstrings("")));
    return send('E', concat(cstrings(""), new byte[] {0, 0, 0, 0}));
  }

  RawPgClient sync() throws IOException {
    return send('S', new byte[0]);
  }

  RawPgClient copyData(String data) throws IOException {
    return send('d', data.getBytes(StandardCharsets.UTF_8));
  }

  RawPgClient copyDone() throws IOException {
    return send('c', new byte[0]);
  }

  RawPgClient copyFail(String message) throws IOException {
    return send('f', cstrings(message));
  }

  Message read() throws IOException {
    char type = (char) in.readUnsignedByte();
    byte[] body = new byte[in.readInt() - 4];
    in.readFully(body);
    Message m = new Message(type, body);
    if (type == 'K' && body.length == 8) {
      processId = (body[0] & 0xFF) << 24 | (body[1] & 0xFF) << 16 | (body[2] & 0xFF) << 8
          | body[3] & 0xFF;
      secretKey = (body[4] & 0xFF) << 24 | (body[5] & 0xFF) << 16 | (body[6] & 0xFF) << 8
          | body[7] & 0xFF;
    }
    return m;
  }

  /** The next message, or null when the server closed the connection (EOF or reset). */
  Message readOrClosed() throws IOException {
    try {
      return read();
    } catch (EOFException e) {
      return null;
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SocketException e) {
      return null; // connection reset: the server closed with our bytes unread
    }
  }

  /** Messages up to and including the next ReadyForQuery (ParameterStatus and notices skipped). */
  List<Message> readUntilReady() throws IOException {
    List<Message> got = new ArrayList<>();
    while (true) {
      Message m = read();
      if (m.type() == 'S' || m.type() == 'N' || m.type() == 'K' || m.type() == 'R') {
        continue;
      }
      got.add(m);
      if (m.type() == 'Z') {
        return got;
      }
    }
  }

  /**
   * Every message until the server closes the connection (ParameterStatus, notices, key data and
   * authentication skipped), each in {@link Message#brief()} form, then "closed".
   */
  List<String> readUntilClosed() throws IOException {
    List<String> got = new ArrayList<>();
    while (true) {
      Message m = readOrClosed();
      if (m == null) {
        got.add("closed");
        return got;
      }
      if (m.type() != 'S' && m.type() != 'N' && m.type() != 'K' && m.type() != 'R') {
        got.add(m.brief());
      }
    }
  }

  /** Briefs of the messages up to and including the next ReadyForQuery. */
  List<String> briefsUntilReady() throws IOException {
    List<String> got = new ArrayList<>();
    for (Message m : readUntilReady()) {
      got.add(m.brief());
    }
    return got;
  }

  /** The type bytes of {@code messages}, e.g. {@code "GCZ"}. */
  static String types(List<Message> messages) {
    StringBuilder b = new StringBuilder();
    messages.forEach(m -> b.append(m.type()));
    return b.toString();
  }

  static byte[] cstrings(String... strings) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String s : strings) {
      b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      b.write(0);
    }
    return b.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  @Override
  public void close() throws IOException {
    try {
      send('X', new byte[0]).flush();
    } catch (IOException ignored) {
      // the server may have closed first
    }
    socket.close();
  }
}
