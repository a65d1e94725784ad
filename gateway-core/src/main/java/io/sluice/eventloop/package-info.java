/** Small tools for code confined to a Netty event loop. */
package io.sluice.eventloop;
