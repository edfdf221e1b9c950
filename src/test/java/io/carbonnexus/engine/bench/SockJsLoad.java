package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.shared.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Browsers on the SockJS bridge's raw WebSocket endpoint, each registered on the four channels as
 * the dashboard is. They ping as vertx-eventbus.js does (the bridge closes a socket that stays
 * silent for its ping timeout), count what arrives, and remember the ids of the alerts and
 * recommendations they received: one delivered twice to the same browser is a duplicate the user
 * would see.
 */
final class SockJsLoad {

  private static final long PING_MS = 5_000;
  private static final String PING = new JsonObject().put("type", "ping").encode();

  private final Vertx vertx;
  private final int port;
  private final int clients;
  private final WebSocketClient ws;
  private final List<Client> connected = new ArrayList<>();
  private volatile boolean stopping;
  private long pingTimer = -1;

  final AtomicLong messages = new AtomicLong();
  final Map<String, LongAdder> byChannel = new ConcurrentHashMap<>();
  final AtomicLong unexpectedCloses = new AtomicLong();
  final AtomicLong connectFailures = new AtomicLong();
  final AtomicLong errorFrames = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final List<String> samples = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** One browser; its id sets hold the alerts and recommendations of the run: tens to hundreds of ids. */
  private final class Client {
    final Set<Long> alerts = new HashSet<>();
    final Set<Long> recommendations = new HashSet<>();
    WebSocket socket;
  }

  SockJsLoad(Vertx vertx, int port, int clients) {
    this.vertx = vertx;
    this.port = port;
    this.clients = clients;
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients * 2)
      .setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** Connects every client (20 at a time, as browsers arriving) and registers it on the four channels. */
  Future<Void> start() {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < clients; from += 20) {
      int n = Math.min(20, clients - from);
      chain = chain.compose(v -> {
        List<Future<Void>> wave = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          wave.add(connect(new Client()));
        }
        return Future.join(wave).mapEmpty();
      });
    }
    return chain.onSuccess(v -> pingTimer = vertx.setPeriodic(PING_MS, id -> {
      synchronized (connected) {
        connected.forEach(c -> {
          if (c.socket != null && !c.socket.isClosed()) {
            c.socket.writeTextMessage(PING);
          }
        });
      }
    }));
  }

  int connected() {
    synchronized (connected) {
      return (int) connected.stream().filter(c -> c.socket != null && !c.socket.isClosed()).count();
    }
  }

  private Future<Void> connect(Client client) {
    return ws.connect("/eventbus/websocket").compose(socket -> {
      client.socket = socket;
      // The raw endpoint sends binary frames, one JSON message each.
      socket.handler(buffer -> received(client, buffer));
      socket.closeHandler(v -> {
        if (!stopping) {
          unexpectedCloses.incrementAndGet();
          if (samples.size() < 10) {
            samples.add("socket closed by the server: status " + socket.closeStatusCode() + " " + socket.closeReason());
          }
          vertx.setTimer(1_000, id -> connect(client));
        }
      });
      synchronized (connected) {
        if (!connected.contains(client)) {
          connected.add(client);
        }
      }
      Future<Void> registered = Future.succeededFuture();
      for (String channel : Addresses.BROWSER_CHANNELS) {
        registered = registered.compose(v -> socket.writeTextMessage(
          new JsonObject().put("type", "register").put("address", channel).encode()));
      }
      return registered;
    }).recover(err -> {
      connectFailures.incrementAndGet();
      if (samples.size() < 10) {
        samples.add("connect failed: " + err);
      }
      return Future.succeededFuture();
    });
  }

  private void received(Client client, Buffer buffer) {
    messages.incrementAndGet();
    String frame = buffer.toString();
    String channel = channelOf(frame);
    byChannel.computeIfAbsent(channel, k -> new LongAdder()).increment();
    boolean alert = Addresses.ALERTS.equals(channel);
    boolean recommendation = Addresses.RECOMMENDATIONS.equals(channel);
    if (channel.equals("err")) {
      errorFrames.incrementAndGet();
      if (samples.size() < 10) {
        samples.add("error frame: " + frame);
      }
    }
    if (alert || recommendation) {
      // Only these two are parsed whole: the id is what makes a duplicate.
      JsonObject body = new JsonObject(frame).getJsonObject("body");
      Long id = body == null ? null : body.getLong("id");
      if (id != null) {
        boolean fresh;
        synchronized (client) {
          fresh = (alert ? client.alerts : client.recommendations).add(id);
        }
        if (!fresh) {
          duplicates.incrementAndGet();
          if (samples.size() < 10) {
            samples.add("delivered twice to one browser: " + frame);
          }
        }
      }
    }
  }

  /** The channel of a frame without parsing it: {@code "address":"hotspots"}, or "err" for an error frame. */
  private static String channelOf(String frame) {
    if (frame.contains("\"type\":\"err\"")) {
      return "err";
    }
    int at = frame.indexOf("\"address\":\"");
    if (at < 0) {
      return "other";
    }
    int from = at + 11;
    int to = frame.indexOf('"', from);
    return to < 0 ? "other" : frame.substring(from, to);
  }

  Future<Void> close() {
    stopping = true;
    vertx.cancelTimer(pingTimer);
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (connected) {
      connected.forEach(c -> {
        if (c.socket != null && !c.socket.isClosed()) {
          closing.add(c.socket.close());
        }
      });
    }
    return Future.join(closing).compose(v -> ws.close()).otherwiseEmpty();
  }
}
