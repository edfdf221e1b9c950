package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.LogText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may talk to the engine, for the REST API and every SockJS transport alike: the
 * engine's own origin (its dashboard), and those listed in {@code http.cors_origins}. A request
 * with an {@code Origin} header from anywhere else is refused with a 403 that says which setting
 * to change (a page on another origin cannot read a response, subscribe to a channel, or send a
 * write that a browser lets through without a preflight). Requests without {@code Origin} are not
 * from a browser page and pass; same-origin requests need no CORS headers.
 * The dashboard's scripts and styles are served before this policy (see {@code HttpVerticle}).
 */
final class OriginPolicy {

  private final List<String> allowed;
  private final CorsHandler cors;
  private final MeterRegistry registry;

  OriginPolicy(List<String> origins, MeterRegistry registry) {
    this.allowed = origins.stream().map(OriginPolicy::normalize).toList();
    this.registry = registry;
    this.cors = allowed.isEmpty() ? null : CorsHandler.create()
      .addOrigins(origins)
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
      .allowedHeaders(Set.of("Content-Type", "Authorization", "Idempotency-Key"))
      .maxAgeSeconds(600);
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    if (origin == null || sameOrigin(origin, request)) {
      ctx.next();
    } else if (allowed.contains(normalize(origin))) {
      cors.handle(ctx);
    } else {
      Counter.builder("nexus_http_origin_refused_total").description("Requests from web pages of origins not allowed")
        .register(registry).increment();
      HttpErrors.send(ctx, 403, "pages from " + LogText.safe(origin) + " may not call this engine"
        + (allowed.isEmpty() ? " (cross-origin requests are off)" : " (allowed: " + String.join(", ", allowed) + ")")
        + ": set http.cors_origins (NEXUS_HTTP_CORS_ORIGINS) to the origins allowed, e.g. " + LogText.safe(origin), null);
    }
  }

  /** Scheme, host and port of the request itself. */
  static boolean sameOrigin(String origin, HttpServerRequest request) {
    String host = request.getHeader("Host");
    return host != null && normalize(origin).equals(normalize((request.isSSL() ? "https" : "http") + "://" + host));
  }

  /** Lower-case scheme and host, default port dropped: {@code HTTP://Example.com:80} = {@code http://example.com}. */
  static String normalize(String origin) {
    String trimmed = origin.trim();
    try {
      URI uri = URI.create(trimmed);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return trimmed.toLowerCase(Locale.ROOT);
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return trimmed.toLowerCase(Locale.ROOT);
    }
  }
}
