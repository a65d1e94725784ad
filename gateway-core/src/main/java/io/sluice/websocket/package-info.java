/**
 * WebSocket proxying: the upgrade handshake with the upstream ({@link io.sluice.websocket.WebSocketProxy}),
 * then the relay of frames between the two connections ({@link io.sluice.websocket.WebSocketSession})
 * with the route's limits. Everything runs on the client connection's event loop. Nothing here is null
 * unless documented.
 */
package io.sluice.websocket;
