package io.quiverdb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * PendingKeys against a HashMap model: any sequence of puts, put-if-absents and removes over a
 * small key space (so that probe runs collide, wrap around and are cut by deletions) leaves the
 * same contents.
 */
class PendingKeysTest {
  private static ByteKey key(int k) {
    return new ByteKey(new byte[] {(byte) (k >> 8), (byte) k, 7});
  }

  @Property
  void behaves_as_a_map(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 899) Integer> ops) {
    PendingKeys keys = new PendingKeys();
    Map<Integer, Integer> model = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      int k = ops.get(i) % 300;
      switch (ops.get(i) / 300) {
        case 0 -> {
          Integer had = model.putIfAbsent(k, i);
          assertThat(keys.putIfAbsent(key(k), i)).isEqualTo(had == null ? -1 : had);
        }
        case 1 -> {
          model.remove(k);
          keys.remove(key(k));
        }
        default -> {
          model.put(k, i);
          keys.put(key(k), i);
        }
      }
      assertThat(keys.isEmpty()).isEqualTo(model.isEmpty());
    }
    for (int k = 0; k < 300; k++) {
      assertThat(keys.get(key(k))).as("key %d", k).isEqualTo(model.getOrDefault(k, -1));
    }
  }
}
