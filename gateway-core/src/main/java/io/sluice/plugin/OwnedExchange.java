package io.sluice.plugin;

import io.sluice.spi.Exchange;

/**
 * An exchange that only its owner may change: the thread that made it (the connection's event
 * loop), or, while a blocking plugin's {@code onRequest} runs, the virtual thread it is lent to.
 * Changes from any other thread are refused with {@link IllegalStateException}, so a plugin that
 * touches the exchange from the thread completing an awaited stage fails at once, as a
 * {@code PLUGIN_ERROR}, instead of racing the event loop.
 */
public interface OwnedExchange extends Exchange {

  /** Lets {@code borrower}, and no other thread, change the exchange until {@link #reclaim}. Called on the owner. */
  void lendTo(Thread borrower);

  /** Gives the exchange back to its event loop, on which this is called; the borrower's later changes are refused. */
  void reclaim();
}
