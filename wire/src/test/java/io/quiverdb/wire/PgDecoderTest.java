package io.quiverdb.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PgDecoderTest {
  private static ByteBuf startup() {
    ByteBuf b = Unpooled.buffer();
    byte[] params = "user\0quiver\0\0".getBytes(StandardCharsets.UTF_8);
    b.writeInt(8 + params.length).writeInt(3 << 16).writeBytes(params);
    return b;
  }

  private static ByteBuf query(String sql) {
    byte[] s = (sql + "\0").getBytes(StandardCharsets.UTF_8);
    ByteBuf b = Unpooled.buffer();
    b.writeByte('Q').writeInt(4 + s.length).writeBytes(s);
    return b;
  }

  @Test
  void ssl_request_then_startup_then_typed_messages() {
    EmbeddedChannel ch = new EmbeddedChannel(new PgDecoder(1 << 20));
    ByteBuf ssl = Unpooled.buffer().writeInt(8).writeInt(PgDecoder.SSL_REQUEST);
    ch.writeInbound(ssl);
    PgDecoder.StartupPacket first = ch.readInbound();
    assertThat(first.code()).isEqualTo(PgDecoder.SSL_REQUEST);
    first.body().release();
    ch.writeInbound(startup());
    PgDecoder.StartupPacket second = ch.readInbound();
    assertThat(second.code()).isEqualTo(3 << 16);
    second.body().release();
    ch.writeInbound(query("SELECT 1"));
    PgDecoder.Message m = ch.readInbound();
    assertThat((char) m.type()).isEqualTo('Q');
    assertThat(m.body().toString(StandardCharsets.UTF_8)).isEqualTo("SELECT 1\0");
    m.body().release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void messages_split_across_reads_and_coalesced_in_one_read() {
    EmbeddedChannel ch = new EmbeddedChannel(new PgDecoder(1 << 20));
    ch.writeInbound(startup());
    ((PgDecoder.StartupPacket) ch.readInbound()).body().release();
    ByteBuf both = Unpooled.wrappedBuffer(query("SELECT 1"), query("SELECT 2"));
    ByteBuf firstHalf = both.readRetainedSlice(7);
    ch.writeInbound(firstHalf);
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(both);
    for (String expected : new String[] {"SELECT 1\0", "SELECT 2\0"}) {
      PgDecoder.Message m = ch.readInbound();
      assertThat(m.body().toString(StandardCharsets.UTF_8)).isEqualTo(expected);
      m.body().release();
    }
    assertThat(ch.finish()).isFalse();
  }
}
