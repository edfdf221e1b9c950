package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a bridge client may do, frame by frame (its origin was checked by {@link OriginPolicy}
 * before any SockJS transport saw the request): browsers may register on the four channels and
 * nothing else, and never send or publish. With JWT authentication on, a register must carry a valid token in its headers
 * ({@code {"headers":{"Authorization":"Bearer <jwt>"}}}); the socket is closed when the earliest
 * token it registered with expires.
 */
final class BridgeGuard {

  /** Application close code (SockJS reserves 3000-4999 for applications): the token has expired. */
  static final int TOKEN_EXPIRED = 4401;
  /**
   * The frame sent just before that close. Only the raw WebSocket transport carries a close code:
   * a SockJS session closes with its own 3000 "Go away!", so this frame is how a SockJS client
   * (the official bridge client hands it to {@code onerror}) learns to get a fresh token.
   */
  static final String TOKEN_EXPIRED_FRAME = new JsonObject().put("type", "err").put("body", "token_expired").encode();

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final MeterRegistry registry;
  /** The expiry timer of each socket that registered with an expiring token. */
  private final Map<SockJSSocket, Long> expiryTimers = new HashMap<>();
  private final Map<SockJSSocket, Instant> expiries = new HashMap<>();

  BridgeGuard(Vertx vertx, Authenticator authenticator, MeterRegistry registry) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.registry = registry;
  }

  /** The bridge's event hook. */
  void handle(BridgeEvent event) {
    BridgeEventType type = event.type();
    switch (type) {
      case SEND, PUBLISH -> {
        // No inbound permit exists, so the bridge would refuse it anyway; refusing here too makes it
        // independent of the options and countable.
        refused(type.name());
        event.complete(false);
      }
      case REGISTER -> register(event);
      case SOCKET_CLOSED -> {
        Long timer = expiryTimers.remove(event.socket());
        expiries.remove(event.socket());
        if (timer != null) {
          vertx.cancelTimer(timer);
        }
        event.complete(true);
      }
      default -> event.complete(true);
    }
  }

  private void register(BridgeEvent event) {
    JsonObject frame = event.getRawMessage();
    String address = frame == null ? null : frame.getString("address");
    if (!Addresses.BROWSER_CHANNELS.contains(address)) {
      refused("register");
      event.complete(false);
      return;
    }
    if (!authenticator.jwtRequired()) {
      event.complete(true);
      return;
    }
    Object headers = frame.getValue("headers");
    String authorization = headers instanceof JsonObject h ? header(h, "Authorization") : null;
    authenticator.admit(Access.READ, authorization).onComplete(ar -> {
      if (ar.failed()) {
        refused("unauthenticated");
        event.complete(false);
        return;
      }
      closeAtExpiry(event.socket(), ar.result().expiresAt());
      event.complete(true);
    });
  }

  private void closeAtExpiry(SockJSSocket socket, Instant expiresAt) {
    if (expiresAt == null) {
      return;
    }
    Instant current = expiries.get(socket);
    if (current != null && !expiresAt.isBefore(current)) {
      return;
    }
    Long previous = expiryTimers.remove(socket);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
    expiries.put(socket, expiresAt);
    long delay = Math.max(1, expiresAt.toEpochMilli() - System.currentTimeMillis());
    expiryTimers.put(socket, vertx.setTimer(delay, id -> {
      expiryTimers.remove(socket);
      expiries.remove(socket);
      refused("expired");
      socket.write(Buffer.buffer(TOKEN_EXPIRED_FRAME));
      socket.close(TOKEN_EXPIRED, "token expired");
    }));
  }

  private static String header(JsonObject headers, String name) {
    for (String key : headers.fieldNames()) {
      if (key.equalsIgnoreCase(name) && headers.getValue(key) instanceof String s) {
        return s;
      }
    }
    return null;
  }

  private void refused(String what) {
    Counter.builder("nexus_bridge_refused_total").tag("type", what.toLowerCase(Locale.ROOT))
      .description("Browser connections and messages the SockJS bridge refused").register(registry).increment();
  }
}
