package io.sluice.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Leaks are only noticed when
 * the garbage collector has collected the leaked buffer and a later allocation polls the
 * detector, so this collects and allocates a few times before looking.
 */
public final class NoLeaksExtension implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      System.gc();
      // Not a wait for a condition: no leak is what is checked. Collected buffers are reported only
      // once the reference handler has queued them, which it does on its own thread after the GC.
      Thread.sleep(20);
      for (int i = 0; i < 200; i++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
        probe.release();
      }
    }
    List<String> leaks = LeakRecorder.drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) in " + context.getDisplayName()
          + ":\n" + String.join("\n\n", leaks));
    }
  }
}
