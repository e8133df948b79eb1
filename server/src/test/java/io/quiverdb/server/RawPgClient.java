package io.quiverdb.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare PostgreSQL v3 client for tests that need exact messages, which pgJDBC does not let one
 * send: the extended protocol around COPY, a stray message in copy-in mode, CopyFail with a
 * message, a Query message holding a COPY and more. Sends frontend messages as given and reads
 * backend messages back one at a time (with a read timeout, so a missing reply fails the test).
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
  }

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  RawPgClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
    ByteArrayOutputStream startup = new ByteArrayOutputStream();
    DataOutputStream s = new DataOutputStream(startup);
    s.writeInt(3 << 16);
    for (String p : new String[] {"user", "quiver", "database", "quiver"}) {
      s.write(p.getBytes(StandardCharsets.UTF_8));
      s.write(0);
    }
    s.write(0);
    out.writeInt(startup.size() + 4);
    out.write(startup.toByteArray());
    out.flush();
    readUntilReady();
  }

  /** Sends one message; nothing is flushed until {@link #flush()}. */
  RawPgClient send(char type, byte[] body) throws IOException {
    out.writeByte(type);
    out.writeInt(body.length + 4);
    out.write(body);
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
    return new Message(type, body);
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

  /** The type bytes of {@code messages}, e.g. {@code "GCZ"}. */
  static String types(List<Message> messages) {
    StringBuilder b = new StringBuilder();
    messages.forEach(m -> b.append(m.type()));
    return b.toString();
  }

  private static byte[] cstrings(String... strings) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String s : strings) {
      b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      b.write(0);
    }
    return b.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
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
