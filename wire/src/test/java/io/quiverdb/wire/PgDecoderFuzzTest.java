package io.quiverdb.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.QuiverException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz target for the frontend's decoding (in the manner of a Jazzer target, as a plain
 * test): random and mutated byte streams go through {@link PgDecoder} in an {@link
 * EmbeddedChannel} and every decoded startup packet and message through the decoders the
 * connection uses ({@link StartupPhase}, {@link FrontendMessages}). Nothing may throw but a
 * {@link QuiverException} with a protocol or encoding SQLSTATE, every buffer must be released
 * (leak detection is paranoid in tests), and the result must not depend on how the stream was
 * cut into reads. {@code -Dquiver.fuzz.seed=N} replays a run; {@code
 * -Dquiver.fuzz.decoder.iterations=N} sets its length.
 */
class PgDecoderFuzzTest {
  private static final Set<String> ALLOWED =
      Set.of("08P01", "22021", "28000", "0A000", "22023", "22P03");

  /** Decodes every item the decoder emits and writes down what came out. */
  private static final class Sink extends ChannelInboundHandlerAdapter {
    final List<String> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof PgDecoder.StartupPacket p) {
        try {
          seen.add("startup " + p.code() + " " + outcome(() -> {
            if (p.code() != PgDecoder.SSL_REQUEST && p.code() != PgDecoder.GSSENC_REQUEST
                && p.code() != PgDecoder.CANCEL_REQUEST) {
              StartupPhase.read(p.code(), p.body());
            }
          }));
        } finally {
          p.body().release();
        }
      } else if (msg instanceof PgDecoder.Message m) {
        try {
          seen.add((char) m.type() + " " + outcome(() -> decode(m.type(), m.body())));
        } finally {
          assertThat(m.body().refCnt()).isEqualTo(1);
          m.body().release();
        }
      } else if (msg instanceof PgDecoder.Violation v) {
        seen.add("violation " + v.log() + " " + (v.fatal() == null ? "" : v.fatal().getMessage()));
      } else {
        throw new AssertionError("unexpected item " + msg);
      }
    }

    private static String outcome(Runnable r) {
      try {
        r.run();
        return "ok";
      } catch (QuiverException e) {
        assertThat(ALLOWED).as(e.state() + " " + e.getMessage()).contains(e.state().code());
        return e.state().code() + " " + e.getMessage();
      }
    }

    private static void decode(byte type, ByteBuf body) {
      switch (type) {
        case 'Q' -> FrontendMessages.query(body);
        case 'P' -> FrontendMessages.parse(body);
        case 'B' -> FrontendMessages.bind(body);
        case 'D' -> FrontendMessages.describe(body);
        case 'E' -> FrontendMessages.execute(body);
        case 'C' -> FrontendMessages.close(body);
        case 'f' -> MessageReader.cstring(body);
        default -> { }
      }
    }
  }

  @Test
  void random_and_mutated_streams_decode_or_fail_with_protocol_errors_whatever_the_reads()
      throws Exception {
    long seed = Long.getLong("quiver.fuzz.seed", System.nanoTime());
    int iterations = Integer.getInteger("quiver.fuzz.decoder.iterations", 4000);
    System.out.println("PgDecoderFuzzTest seed " + seed + " (-Dquiver.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    for (int i = 0; i < iterations; i++) {
      byte[] stream = stream(random);
      List<String> whole = run(stream, new int[] {stream.length});
      int[] cuts = new int[1 + random.nextInt(8)];
      for (int k = 0; k < cuts.length; k++) {
        cuts[k] = random.nextInt(Math.max(1, stream.length / 2) + 1);
      }
      List<String> pieces = run(stream, cuts);
      assertThat(pieces).as("seed %d iteration %d: the same items however the reads cut", seed, i)
          .isEqualTo(whole);
    }
  }

  /**
   * Feeds the stream in reads of the given sizes (the rest in one last read). An SSLRequest is
   * always a read of its own: bytes arriving with it are refused by design, as in PostgreSQL.
   */
  private static List<String> run(byte[] stream, int[] reads) {
    Sink sink = new Sink();
    EmbeddedChannel ch = new EmbeddedChannel(new PgDecoder(64 * 1024), sink);
    int at = 0;
    if (stream.length >= 8) {
      int code = (stream[4] & 0xFF) << 24 | (stream[5] & 0xFF) << 16 | (stream[6] & 0xFF) << 8
          | stream[7] & 0xFF;
      if (code == PgDecoder.SSL_REQUEST || code == PgDecoder.GSSENC_REQUEST) {
        ch.writeInbound(Unpooled.copiedBuffer(stream, 0, 8));
        at = 8;
      }
    }
    for (int n : reads) {
      int size = Math.min(n, stream.length - at);
      if (size > 0) {
        ch.writeInbound(Unpooled.copiedBuffer(stream, at, size));
        at += size;
      }
    }
    if (at < stream.length) {
      ch.writeInbound(Unpooled.copiedBuffer(stream, at, stream.length - at));
    }
    ch.finishAndReleaseAll();
    return sink.seen;
  }

  /** A stream: a real-looking trace, often mutated, sometimes pure noise. */
  private static byte[] stream(Random random) {
    if (random.nextInt(10) == 0) {
      byte[] noise = new byte[random.nextInt(300)];
      random.nextBytes(noise);
      return noise;
    }
    byte[] trace = trace(random);
    int mutations = random.nextInt(4);
    for (int m = 0; m < mutations && trace.length > 0; m++) {
      int at = random.nextInt(trace.length);
      switch (random.nextInt(5)) {
        case 0 -> trace[at] = (byte) random.nextInt(256);
        case 1 -> trace[at] = (byte) (random.nextBoolean() ? 0 : 0xFF);
        case 2 -> trace = java.util.Arrays.copyOf(trace, at);
        case 3 -> {
          if (at + 4 <= trace.length) {
            int v = new int[] {0, 3, 4, Integer.MAX_VALUE, -1, 0xFFFF}[random.nextInt(6)];
            trace[at] = (byte) (v >> 24);
            trace[at + 1] = (byte) (v >> 16);
            trace[at + 2] = (byte) (v >> 8);
            trace[at + 3] = (byte) v;
          }
        }
        default -> trace[at] = (byte) new int[] {0xC3, 0xED, 0xF4, 0x80}[random.nextInt(4)];
      }
    }
    return trace;
  }

  /** A startup and a few frontend messages of the kinds real clients send. */
  private static byte[] trace(Random random) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (random.nextInt(4) == 0) {
      writeInt(b, 8);
      writeInt(b, PgDecoder.SSL_REQUEST);
    }
    byte[] params = "user\0quiver\0database\0quiver\0application_name\0fuzz\0\0"
        .getBytes(StandardCharsets.UTF_8);
    writeInt(b, params.length + 8);
    writeInt(b, 3 << 16);
    b.writeBytes(params);
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(8)) {
        case 0 -> message(b, 'Q', cstring("SELECT " + random.nextInt() + ", 'x'"));
        case 1 -> message(b, 'P', concat(cstring(""), cstring("SELECT $1::text"), int16(1),
            int32(25)));
        case 2 -> message(b, 'B', concat(cstring(""), cstring(""), int16(1), int16(0), int16(1),
            int32(3), "abc".getBytes(StandardCharsets.UTF_8), int16(1), int16(1)));
        case 3 -> message(b, 'D', concat(new byte[] {'P'}, cstring("")));
        case 4 -> message(b, 'E', concat(cstring(""), int32(random.nextInt(3))));
        case 5 -> message(b, 'C', concat(new byte[] {'S'}, cstring("s1")));
        case 6 -> message(b, 'd', "1\t[1,2,3]\n".getBytes(StandardCharsets.UTF_8));
        default -> message(b, 'S', new byte[0]);
      }
    }
    return b.toByteArray();
  }

  private static void message(ByteArrayOutputStream b, char type, byte[] body) {
    b.write(type);
    writeInt(b, body.length + 4);
    b.writeBytes(body);
  }

  private static void writeInt(ByteArrayOutputStream b, int v) {
    b.writeBytes(int32(v));
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }

  private static byte[] int16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static byte[] cstring(String s) {
    return concat(s.getBytes(StandardCharsets.UTF_8), new byte[] {0});
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
