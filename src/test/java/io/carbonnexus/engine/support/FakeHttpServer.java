package io.carbonnexus.engine.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * What every fake of a service the engine calls shares: an HTTP server on 127.0.0.1 at a free
 * port, its URL, and a close that waits. A fake says only how it answers ({@link #handle}) and
 * what it can be told (fail, stall, answer garbage); it is started with
 * {@code listening(new FakeX(vertx))} so that no request reaches it before it is built. Closing
 * the Vert.x it runs on closes it too.
 */
public abstract class FakeHttpServer implements AutoCloseable {

  private final HttpServer server;

  protected FakeHttpServer(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(this::handle);
  }

  /** Starts {@code fake} listening and returns it once it accepts connections. */
  protected static <T extends FakeHttpServer> T listening(T fake) {
    ((FakeHttpServer) fake).server.listen(0, "127.0.0.1").await();
    return fake;
  }

  /** Answers one request; runs on the event loop of the Vert.x the fake was made with. */
  protected abstract void handle(HttpServerRequest request);

  /** Ends {@code request} with 200 and a body that claims to be JSON (whether it is, is the fake's choice). */
  protected static void json(HttpServerRequest request, String body) {
    request.response().putHeader("content-type", "application/json").end(body);
  }

  /** The base URL, {@code http://127.0.0.1:PORT}, without a path. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
