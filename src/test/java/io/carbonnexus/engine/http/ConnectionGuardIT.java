package io.carbonnexus.engine.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.LogCapture;
import io.carbonnexus.engine.support.RawHttp;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one HTTP connection may hold of the engine ({@link ConnectionGuard}, {@link NettyGuards}),
 * tried from a raw socket against every operation of the contract where the finding is per
 * operation: slow heads, unfinished bodies, ambiguous framing, idle and trickling keep-alives,
 * per-operation body limits, connection limits, oversize request lines and headers, clients that
 * leave half-way, and oversize WebSocket messages on the bridge. The timeouts are short so that
 * every wait is a fraction of a second over them.
 *
 * <p>No JWT authentication: reads are open (the start-up warning says so), writes need the
 * operator token. Nothing in this class may be answered 5xx.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectionGuardIT {

  private static final String TOKEN = "connection-guard-operator-token";
  private static final long HEADER_MS = 1_000;
  private static final long BODY_MS = 2_000;
  private static final long IDLE_MS = 2_000;
  /** The guard looks every quarter of the shortest timeout; this leaves room for that and a busy machine. */
  private static final long MARGIN_MS = 1_500;
  /** Above the 17 operations this class opens at once, so only the limit test meets it. */
  private static final int PER_ADDRESS = 24;
  private static final int MAX_BODY_KB = 64;
  private static final String CLOSED_METRIC = "nexus_http_connections_closed_total";
  private static final String REQUESTS_METRIC = "vertx_http_server_requests_total";

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest();

  private static List<Op> operations;
  private static LogCapture verticleLog;
  private static LogCapture errorsLog;
  private static LogCapture everyLog;

  @BeforeAll
  static void start() {
    // Before the engine starts: its start-up warning is one of the findings.
    verticleLog = new LogCapture(HttpVerticle.class);
    errorsLog = new LogCapture(HttpErrors.class);
    everyLog = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ENGINE.start(TestEngine.onNewDatabase()
      .with(ConfigKeys.API_TOKEN, TOKEN)
      .with(ConfigKeys.HTTP_HEADER_TIMEOUT, HEADER_MS + "ms")
      .with(ConfigKeys.HTTP_BODY_TIMEOUT, BODY_MS + "ms")
      .with(ConfigKeys.HTTP_IDLE_TIMEOUT, IDLE_MS + "ms")
      .with(ConfigKeys.HTTP_MAX_CONNECTIONS_PER_ADDRESS, PER_ADDRESS)
      .with(ConfigKeys.HTTP_MAX_BODY_KB, MAX_BODY_KB));
    operations = operations();
  }

  @AfterAll
  static void stop() {
    verticleLog.close();
    errorsLog.close();
    everyLog.close();
  }

  /** An operation of the contract: method, a concrete path, and who may call it. */
  private record Op(String method, String path, String access) {
    String head() {
      return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private static List<Op> operations() {
    JsonObject paths = Http.get(ENGINE.port(), "/openapi.json").json().getJsonObject("paths");
    List<Op> ops = new ArrayList<>();
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        ops.add(new Op(method.toUpperCase(), path.replace("{id}", "1"),
          paths.getJsonObject(path).getJsonObject(method).getString(Access.EXTENSION)));
      }
    }
    assertThat(ops).hasSizeGreaterThanOrEqualTo(17);
    return ops;
  }

  @Test
  @Order(1)
  void theEngineWarnsAtStartUpThatReadsAreOpenWithoutJwtAuthentication() {
    assertThat(verticleLog.messages()).anyMatch(m -> m.startsWith("WARN Reads are open")
      && m.contains("NEXUS_AUTH_JWT_SECRET") && m.contains("NEXUS_AUTH_JWKS_URL"));
  }

  @Test
  @Order(2)
  void aConnectionThatNeverFinishesItsRequestHeadIsClosedAfterTheHeaderTimeout() throws Exception {
    long opened = System.currentTimeMillis();
    List<RawHttp> sockets = new ArrayList<>();
    try {
      for (Op op : operations) {
        // A head cut in the middle of a header line, as a slow-loris client leaves it.
        sockets.add(new RawHttp(ENGINE.port()).write(op.head() + "Authorization: Bear"));
      }
      Thread.sleep(Math.max(0, opened + HEADER_MS / 2 - System.currentTimeMillis()));
      for (int i = 0; i < sockets.size() && System.currentTimeMillis() < opened + HEADER_MS - 100; i++) {
        assertThat(sockets.get(i).closedWithin(1)).as("%s still open before the header timeout", operations.get(i))
          .isFalse();
      }
      List<String> open = new ArrayList<>();
      for (int i = 0; i < sockets.size(); i++) {
        long left = opened + HEADER_MS + MARGIN_MS - System.currentTimeMillis();
        if (!sockets.get(i).closedWithin(Math.max(1, left))) {
          open.add(operations.get(i).toString());
        }
      }
      assertThat(open).as("still open %d ms after the head began", HEADER_MS + MARGIN_MS).isEmpty();
    } finally {
      closeAll(sockets);
    }
  }

  @Test
  @Order(3)
  void anUnfinishedBodyIsAnswered408AndItsConnectionClosedAfterTheBodyTimeout() throws Exception {
    long sent = System.currentTimeMillis();
    List<RawHttp> sockets = new ArrayList<>();
    try {
      for (Op op : operations) {
        sockets.add(new RawHttp(ENGINE.port()).write(op.head() + "Authorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":1234"));
      }
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < sockets.size(); i++) {
        RawHttp socket = sockets.get(i);
        long left = sent + BODY_MS + MARGIN_MS - System.currentTimeMillis();
        boolean closed = socket.closedWithin(Math.max(1, left));
        String what = operations.get(i) + " -> " + socket.received();
        if (!closed) {
          wrong.add("still open: " + what);
        } else if (socket.status() != 408 || !body(socket).getString("error", "").contains("http.body_timeout")) {
          wrong.add("not a 408 JSON error naming http.body_timeout: " + what);
        }
      }
      assertThat(wrong).isEmpty();
      assertThat(System.currentTimeMillis() - sent).as("no answer before the body timeout")
        .isGreaterThanOrEqualTo(BODY_MS);
    } finally {
      closeAll(sockets);
    }
  }

  @Test
  @Order(4)
  void aWriteWithoutTheTokenIsRefused401AtOnceWithoutWaitingForItsBody() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Op op : operations) {
      if (!op.access().equals("write")) {
        continue;
      }
      try (RawHttp socket = new RawHttp(ENGINE.port())) {
        socket.write(op.head() + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":1234");
        // Well before the body timeout, which would close it too.
        boolean closed = socket.closedWithin(BODY_MS - 500);
        if (!closed || socket.status() != 401 || !body(socket).containsKey("error")) {
          wrong.add(op + " -> closed " + closed + ": " + socket.received());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @Order(5)
  void aRequestWithBothContentLengthAndChunkedIsRefusedAndNothingIsSmuggledAfterIt() throws Exception {
    String smuggled = "0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    List<String> wrong = new ArrayList<>();
    for (Op op : operations) {
      try (RawHttp socket = new RawHttp(ENGINE.port())) {
        socket.write(op.head() + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + smuggled.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled);
        boolean closed = socket.closedWithin(3_000);
        String what = op + " -> " + socket.received();
        if (!closed) {
          wrong.add("still open: " + what);
        } else if (socket.responses() != 1 || socket.status() != 400) {
          wrong.add("not exactly one 400: " + what);
        } else if (!body(socket).getString("error", "").contains("Content-Length and Transfer-Encoding")) {
          wrong.add("not a JSON error about the framing: " + what);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @Order(6)
  void aTransferEncodingOtherThanChunkedIsRefused() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Op op : operations) {
      try (RawHttp socket = new RawHttp(ENGINE.port())) {
        // Read as "no body", gzip would leave these bytes to be parsed as the next request.
        socket.write(op.head() + "Authorization: Bearer " + TOKEN + "\r\nTransfer-Encoding: gzip\r\n\r\n"
          + "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        boolean closed = socket.closedWithin(3_000);
        if (!closed || socket.responses() != 1 || socket.status() != 400
          || !body(socket).getString("error", "").contains("gzip")) {
          wrong.add(op + " -> closed " + closed + ": " + socket.received());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @Order(7)
  void aSilentKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawHttp socket = new RawHttp(ENGINE.port())) {
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.response(5_000);
      long answered = System.currentTimeMillis();
      assertThat(socket.status()).isEqualTo(200);
      assertThat(socket.closedWithin(IDLE_MS / 2)).as("kept alive for a while").isFalse();
      assertThat(socket.closedWithin(answered + IDLE_MS + MARGIN_MS - System.currentTimeMillis()))
        .as("closed after the idle timeout").isTrue();
    }
  }

  @Test
  @Order(8)
  void aKeepAliveConnectionTricklingItsNextHeadIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawHttp socket = new RawHttp(ENGINE.port())) {
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.response(5_000);
      long answered = System.currentTimeMillis();
      assertThat(socket.status()).isEqualTo(200);
      byte[] next = ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(200)).getBytes();
      boolean closed = false;
      for (int i = 0; i < next.length && !closed && System.currentTimeMillis() < answered + IDLE_MS + MARGIN_MS; i++) {
        try {
          socket.write(new byte[] {next[i]});
          closed = socket.closedWithin(300);
        } catch (IOException e) {
          closed = true; // written to a connection the server had closed
        }
      }
      assertThat(closed).as("closed within %d ms of its last answer although a byte came every 300 ms",
        IDLE_MS + MARGIN_MS).isTrue();
    }
  }

  @Test
  @Order(9)
  void aSmallOperationRefusesABodyOverTheSmallLimitWith413() throws Exception {
    String big = new JsonObject().put("route", "R1").put("load_change", 10).put("padding", "x".repeat(20 * 1024)).encode();
    for (String head : List.of("POST /simulate", "GET /hotspots")) {
      try (RawHttp socket = new RawHttp(ENGINE.port())) {
        socket.write(head + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
          + big.length() + "\r\n\r\n" + big);
        socket.response(5_000);
        assertThat(socket.status()).as(head + " -> " + socket.received()).isEqualTo(413);
        assertThat(body(socket).getString("error")).contains("http.max_small_body_kb");
      }
    }
  }

  @Test
  @Order(10)
  void postEventsTakesABodyUpToItsOwnLimit() throws Exception {
    JsonArray events = new JsonArray();
    while (events.encode().length() < 40 * 1024) {
      events.add(new JsonObject().put("occurred_at", "2026-11-27T08:30:00Z").put("supplier", "Big Batch")
        .put("route", "R1").put("vehicle_type", "hgv").put("distance_km", 100).put("load_tonnes", 10)
        .put("shipment_id", "SHP-" + events.size()));
    }
    Http.Response accepted = Http.post(ENGINE.port(), "/events", events.encode(), "Authorization", "Bearer " + TOKEN);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
    assertThat(accepted.json().getInteger("inserted")).isEqualTo(events.size());
    String tooBig = "[" + "1,".repeat(MAX_BODY_KB * 1024 / 2) + "1]";
    try (RawHttp socket = new RawHttp(ENGINE.port())) {
      socket.write("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
        + "\r\nContent-Type: application/json\r\nContent-Length: " + tooBig.length() + "\r\n\r\n");
      socket.response(5_000);
      assertThat(socket.status()).as(socket.received()).isEqualTo(413);
      assertThat(body(socket).getString("error")).contains("http.max_body_kb");
      assertThat(socket.closedWithin(HEADER_MS)).as("closed: the body that follows is not read").isTrue();
    }
  }

  @Test
  @Order(11)
  void connectionsOverThePerAddressLimitAreClosedAtOnceAndCountedWhileTheOthersWork() throws Exception {
    double before = metric(CLOSED_METRIC, "reason=\"limit_address\"");
    List<RawHttp> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS + 10; i++) {
        sockets.add(new RawHttp(ENGINE.port()));
      }
      // A whole request on each at once: an admitted connection answers it, a refused one was closed
      // before reading it (the header timeout cannot be what closed it).
      for (RawHttp socket : sockets) {
        try {
          socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        } catch (IOException e) {
          // already closed by the server: refused
        }
      }
      List<RawHttp> refused = new ArrayList<>();
      List<RawHttp> admitted = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      for (RawHttp socket : sockets) {
        if (!socket.closedWithin(5_000)) {
          failed.add("still open: " + socket.received());
        } else if (socket.received().isEmpty()) {
          refused.add(socket);
        } else if (socket.status() == 200) {
          admitted.add(socket);
        } else {
          failed.add(socket.received());
        }
      }
      assertThat(failed).as("connections neither answered nor refused").isEmpty();
      assertThat(refused).hasSizeGreaterThanOrEqualTo(10);
      // This test's own scrape of /metrics may hold one of the address's connections.
      assertThat(admitted).hasSizeBetween(PER_ADDRESS - 2, PER_ADDRESS);
      closeAll(sockets);
      assertThat(metric(CLOSED_METRIC, "reason=\"limit_address\"") - before).isEqualTo(refused.size());
    } finally {
      closeAll(sockets);
    }
  }

  @Test
  @Order(12)
  void anOverlongRequestLineGets414AndOversizeHeadersGet431WithAJsonError() throws Exception {
    try (RawHttp socket = new RawHttp(ENGINE.port())) {
      socket.write("GET /hotspots?entity=" + "a".repeat(8_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.response(5_000);
      assertThat(socket.status()).as(socket.received()).isEqualTo(414);
      assertThat(body(socket).getString("error")).contains("request line");
      assertThat(socket.closedWithin(2_000)).isTrue();
    }
    try (RawHttp socket = new RawHttp(ENGINE.port())) {
      socket.write("GET /hotspots HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(16_000) + "\r\n\r\n");
      socket.response(5_000);
      assertThat(socket.status()).as(socket.received()).isEqualTo(431);
      assertThat(body(socket).getString("error")).contains("headers");
      assertThat(socket.closedWithin(2_000)).isTrue();
    }
  }

  @Test
  @Order(13)
  void aClientThatLeavesHalfWayThroughItsBodyIsNeitherA500NorAWarning() throws Exception {
    double before = metric(REQUESTS_METRIC, "code=\"500\"");
    int logged = warnings().size();
    for (Op op : operations) {
      try (RawHttp socket = new RawHttp(ENGINE.port())) {
        socket.write(op.head() + "Authorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"occurred_at\": \"2026-11-27T08");
        Thread.sleep(50); // the head is read and the operation waits for the rest
      }
    }
    Thread.sleep(500);
    assertThat(metric(REQUESTS_METRIC, "code=\"500\"")).isEqualTo(before);
    List<String> after = warnings();
    assertThat(after.subList(logged, after.size())).isEmpty();
  }

  @Test
  @Order(14)
  void aBridgeMessageOver256KiBClosesTheSocketWith1009AndTheBridgeStillWorks() throws Exception {
    int errors = stackTraces().size();
    double closedBefore = metric(CLOSED_METRIC, "reason=\"websocket_too_big\"");
    for (String uri : List.of("/eventbus/websocket", "/eventbus/000/abcdefgh/websocket")) {
      // One frame over the limit.
      WebSocket socket = connect(uri);
      CompletableFuture<Short> closedWith = closeStatus(socket);
      socket.writeFrame(WebSocketFrame.textFrame("x".repeat(300 * 1024), true));
      assertThat(closedWith.get(5, TimeUnit.SECONDS)).as("close code on %s, one frame", uri).isEqualTo((short) 1009);

      // Frames within the frame limit that add up to a message over the message limit.
      WebSocket fragmented = connect(uri);
      CompletableFuture<Short> fragmentedClosedWith = closeStatus(fragmented);
      String chunk = "y".repeat(64 * 1024);
      fragmented.writeFrame(WebSocketFrame.textFrame(chunk, false));
      for (int sent = 64; sent + 64 < 300; sent += 64) {
        fragmented.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(chunk), false));
      }
      fragmented.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(300 * 1024 - 256 * 1024)), true));
      assertThat(fragmentedClosedWith.get(5, TimeUnit.SECONDS)).as("close code on %s, 64 KiB fragments", uri)
        .isEqualTo((short) 1009);
    }
    List<String> traces = stackTraces();
    assertThat(traces.subList(errors, traces.size())).as("errors logged with a stack trace").isEmpty();
    assertThat(metric(CLOSED_METRIC, "reason=\"websocket_too_big\"") - closedBefore).isEqualTo(4);

    WebSocket fresh = connect("/eventbus/websocket");
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    fresh.handler(b -> frames.add(new JsonObject(b.toString())));
    fresh.writeTextMessage(new JsonObject().put("type", "register").put("address", Addresses.ALERTS).encode()).await();
    JsonObject received = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (received == null && System.nanoTime() < deadline) {
      ENGINE.vertx().eventBus().publish(Addresses.ALERTS, new JsonObject().put("probe", 9));
      received = frames.poll(100, TimeUnit.MILLISECONDS);
    }
    assertThat(received).as("a new bridge connection receives its channel").isNotNull();
    assertThat(received.getJsonObject("body")).isEqualTo(new JsonObject().put("probe", 9));
    fresh.close().await();
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void afterAllOfThatTheEngineIsHealthyAndAnsweredNo5xx() {
    assertThat(Http.get(ENGINE.port(), "/health").status()).isEqualTo(200);
    List<String> serverErrors = metricLines(REQUESTS_METRIC).stream().filter(l -> l.contains("code=\"5")).toList();
    assertThat(serverErrors).isEmpty();
    assertThat(metricLines(REQUESTS_METRIC)).as("the metric this relies on exists").isNotEmpty();
  }

  private WebSocket connect(String uri) {
    return ENGINE.client().createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ENGINE.port())
      .setURI(uri)).await();
  }

  private static CompletableFuture<Short> closeStatus(WebSocket socket) {
    CompletableFuture<Short> status = new CompletableFuture<>();
    socket.exceptionHandler(err -> { }); // writes after the server closed fail; the close code is what counts
    socket.closeHandler(v -> status.complete(socket.closeStatusCode()));
    return status;
  }

  private static JsonObject body(RawHttp socket) {
    String text = socket.received();
    int start = text.indexOf("\r\n\r\n");
    try {
      return start < 0 ? new JsonObject() : new JsonObject(text.substring(start + 4).trim());
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private static void closeAll(List<RawHttp> sockets) {
    for (RawHttp socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed by the server
      }
    }
  }

  private static List<String> warnings() {
    List<String> all = new ArrayList<>();
    for (LogCapture log : List.of(verticleLog, errorsLog)) {
      log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .filter(e -> !e.getFormattedMessage().startsWith("Reads are open"))
        .forEach(e -> all.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()));
    }
    return all;
  }

  private static List<String> stackTraces() {
    return everyLog.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
      .filter(e -> e.getThrowableProxy() != null).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static List<String> metricLines(String name) {
    return Http.get(ENGINE.port(), "/metrics").body().lines().filter(l -> l.startsWith(name + "{")).toList();
  }

  /** The sum of a Prometheus metric's series whose labels contain {@code label}; 0 when there is none. */
  private static double metric(String name, String label) {
    return metricLines(name).stream().filter(l -> l.contains(label))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
