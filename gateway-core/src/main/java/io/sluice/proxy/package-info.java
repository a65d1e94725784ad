/**
 * The exchange: one request and its response, from the client through the route's upstream
 * and back. Protocol-neutral: listeners adapt their protocol to {@link io.sluice.proxy.ClientStream}
 * and hand a {@link io.sluice.proxy.RequestHead} in; everything here runs on the event loop of
 * the client connection.
 */
package io.sluice.proxy;
