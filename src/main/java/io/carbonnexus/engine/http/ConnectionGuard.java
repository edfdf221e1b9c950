package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an HTTP connection may hold of this node, before any route sees it: how many connections
 * (overall and per client address, counted across every HTTP verticle instance of the node), how
 * long a request head, a request body and an idle keep-alive may take, and the framing a request
 * may use. Slow-loris clients, unfinished bodies and smuggling attempts are closed here; a request
 * the decoder could not read gets a JSON error (414, 431, 400) and its connection is closed.
 *
 * <p>Connections upgraded to a WebSocket (the bridge) leave the timeouts behind: the bridge's own
 * ping timeout governs them.
 */
final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  static final int MAX_WEBSOCKET_MESSAGE_BYTES = 256 * 1024;

  /** Connection counts of one node, shared by its HTTP verticle instances. */
  static final class Limits implements Shareable {
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** Null when admitted, else why not. */
    String acquire(String address, int maxTotal, int maxPerAddress) {
      if (total.incrementAndGet() > maxTotal) {
        total.decrementAndGet();
        return "limit_total";
      }
      AtomicInteger mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (mine.incrementAndGet() > maxPerAddress) {
        release(address);
        return "limit_address";
      }
      return null;
    }

    void release(String address) {
      total.decrementAndGet();
      perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    int total() {
      return total.get();
    }
  }

  /** One connection's state, touched only on its event loop. */
  private static final class Tracked {
    final HttpConnection connection;
    final long openedAt;
    HttpServerRequest current;
    long currentStartedAt;
    long idleSince = -1;
    boolean upgraded;

    Tracked(HttpConnection connection, long now) {
      this.connection = connection;
      this.openedAt = now;
    }
  }

  private final Vertx vertx;
  private final Limits limits;
  private final HttpServerOptions options;
  private final MeterRegistry registry;
  private final int maxConnections;
  private final int maxPerAddress;
  private final long headerTimeoutMs;
  private final long bodyTimeoutMs;
  private final long idleTimeoutMs;
  private final Map<HttpConnection, Tracked> connections = new IdentityHashMap<>();
  private long scanTimer = -1;
  private boolean pipelineWarned;

  ConnectionGuard(Vertx vertx, JsonObject conf, HttpServerOptions options, MeterRegistry registry) {
    this.vertx = vertx;
    this.options = options;
    this.registry = registry;
    this.maxConnections = ConfigKeys.HTTP_MAX_CONNECTIONS.get(conf);
    this.maxPerAddress = ConfigKeys.HTTP_MAX_CONNECTIONS_PER_ADDRESS.get(conf);
    this.headerTimeoutMs = ConfigKeys.HTTP_HEADER_TIMEOUT.get(conf).toMillis();
    this.bodyTimeoutMs = ConfigKeys.HTTP_BODY_TIMEOUT.get(conf).toMillis();
    this.idleTimeoutMs = ConfigKeys.HTTP_IDLE_TIMEOUT.get(conf).toMillis();
    LocalMap<String, Limits> shared = vertx.sharedData().getLocalMap("nexus.http.connections");
    Limits fresh = new Limits();
    Limits existing = shared.putIfAbsent("limits", fresh);
    this.limits = existing == null ? fresh : existing;
  }

  /** The server's connection, request and invalid-request handlers; {@code app} serves the requests let through. */
  HttpServer install(HttpServer server, Handler<HttpServerRequest> app) {
    long smallest = Math.min(headerTimeoutMs, Math.min(bodyTimeoutMs, idleTimeoutMs));
    scanTimer = vertx.setPeriodic(Math.max(50, Math.min(1_000, smallest / 4)), id -> scan());
    return server
      .connectionHandler(this::connected)
      .invalidRequestHandler(this::invalid)
      .requestHandler(request -> {
        Tracked t = connections.get(request.connection());
        if (t != null) {
          t.current = request;
          t.currentStartedAt = System.currentTimeMillis();
          t.idleSince = -1;
          if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            t.upgraded = true;
          }
        }
        app.handle(request);
      });
  }

  void stop() {
    vertx.cancelTimer(scanTimer);
  }

  private void connected(HttpConnection connection) {
    String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    String refused = limits.acquire(address, maxConnections, maxPerAddress);
    if (refused != null) {
      count(refused);
      LOG.debug("Refused a connection from {}: {}", address, refused);
      connection.close();
      return;
    }
    connections.put(connection, new Tracked(connection, System.currentTimeMillis()));
    connection.closeHandler(v -> {
      connections.remove(connection);
      limits.release(address);
    });
    if (!NettyGuards.install(connection, options, MAX_WEBSOCKET_MESSAGE_BYTES, this::count) && !pipelineWarned) {
      pipelineWarned = true;
      LOG.warn("The HTTP pipeline is not the one this engine knows: request framing and WebSocket size are not guarded");
    }
  }

  /** Closes what took too long; runs on this verticle's event loop, like every handler above. */
  private void scan() {
    long now = System.currentTimeMillis();
    for (Tracked t : connections.values().toArray(Tracked[]::new)) {
      if (t.upgraded) {
        continue;
      }
      HttpServerRequest request = t.current;
      if (request == null) {
        if (now - t.openedAt > headerTimeoutMs) {
          close(t, "header_timeout");
        }
      } else if (!request.isEnded()) {
        if (request.response().ended() && "close".equalsIgnoreCase(request.response().headers().get("Connection"))) {
          // Answered before its body was read (401, 403, 413): the answer says the connection ends,
          // but Vert.x closes only when the request asked for it, and would wait for the body.
          close(t, "answered_early");
        } else if (now - t.currentStartedAt > bodyTimeoutMs) {
          HttpServerResponse response = request.response();
          if (!response.headWritten() && !response.ended()) {
            response.setStatusCode(408).putHeader("content-type", "application/json").putHeader("connection", "close")
              .end(new JsonObject().put("error", "the request body did not arrive within "
                + bodyTimeoutMs / 1000.0 + " s (http.body_timeout)").put("details", (Object) null).encode());
          }
          close(t, "body_timeout");
        }
      } else if (request.response().ended()) {
        if (t.idleSince < 0) {
          t.idleSince = now;
        } else if (now - t.idleSince > idleTimeoutMs) {
          close(t, "idle_timeout");
        }
      }
    }
  }

  private void close(Tracked t, String reason) {
    LOG.debug("Closing a connection from {}: {}", t.connection.remoteAddress(), reason);
    connections.remove(t.connection);
    count(reason);
    t.connection.close();
  }

  /** A request the decoder could not read: the reason as JSON, then the connection is closed. */
  private void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String error;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      error = "the request line is longer than " + options.getMaxInitialLineLength() + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      status = 431;
      error = "the request headers are larger than " + options.getMaxHeaderSize() + " bytes";
    } else if (cause instanceof NettyGuards.AmbiguousFramingException) {
      status = 400;
      error = cause.getMessage();
      count("framing");
    } else {
      status = 400;
      error = "the request is not valid HTTP/1.1";
    }
    request.response().setStatusCode(status).putHeader("content-type", "application/json")
      .putHeader("connection", "close")
      .end(new JsonObject().put("error", error).put("details", (Object) null).encode())
      .onComplete(ar -> request.connection().close());
  }

  private void count(String reason) {
    Counter.builder("nexus_http_connections_closed_total").tag("reason", reason.toLowerCase(Locale.ROOT))
      .description("Connections the engine closed or refused to protect itself").register(registry).increment();
  }

  int openConnections() {
    return limits.total();
  }
}
