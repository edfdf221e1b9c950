package io.carbonnexus.engine.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for an identity provider's key set ({@code GET /auth/v1/.well-known/jwks.json}, as
 * Supabase publishes it) that can be told to serve a set of keys, rotate them, fail with 500, or
 * stall. Stalled requests are answered as soon as it is told what to serve.
 */
public final class FakeJwks extends FakeHttpServer {

  public static final String PATH = "/auth/v1/.well-known/jwks.json";

  private final AtomicInteger fetches = new AtomicInteger();
  /** Fetches held while stalled; guarded by {@code this} (the test thread releases them). */
  private final List<HttpServerRequest> stalled = new ArrayList<>();
  private volatile JsonObject keySet;
  private volatile boolean failing = true;

  private FakeJwks(Vertx vertx) {
    super(vertx);
  }

  /** Starts failing: the engine's first fetch, at start-up, gets a 500. */
  public static FakeJwks start(Vertx vertx) {
    return listening(new FakeJwks(vertx));
  }

  /** The key set's URL, path included (what {@code auth.jwks_url} takes). */
  @Override
  public String url() {
    return super.url() + PATH;
  }

  /** Serves exactly these keys from now on (rotation: serve another set); stalled fetches get them too. */
  public synchronized void serve(JsonObject... keys) {
    keySet = new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys)));
    failing = false;
    release();
  }

  public synchronized void fail() {
    keySet = null;
    failing = true;
    release();
  }

  /** Holds every fetch without an answer until {@link #serve} or {@link #fail}. */
  public synchronized void stall() {
    keySet = null;
    failing = false;
  }

  /** Answers the held fetches with what is served now (a response may be ended from any thread). */
  private void release() {
    stalled.forEach(this::answer);
    stalled.clear();
  }

  /** How many times the key set was asked for. */
  public int fetches() {
    return fetches.get();
  }

  @Override
  protected synchronized void handle(HttpServerRequest request) {
    if (!request.path().equals(PATH)) {
      request.response().setStatusCode(404).end();
      return;
    }
    fetches.incrementAndGet();
    if (failing || keySet != null) {
      answer(request);
    } else {
      stalled.add(request);
    }
  }

  private void answer(HttpServerRequest request) {
    JsonObject set = keySet;
    if (set == null) {
      request.response().setStatusCode(500).end("identity provider unavailable");
    } else {
      json(request, set.encode());
    }
  }
}
