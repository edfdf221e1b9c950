package io.carbonnexus.engine.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The browsers of {@code benchmarks/sockjs}, in a JVM of their own, driven by {@link SockJsBenchmark}
 * over standard input, one command a line; answers are lines starting with {@code @}:
 * <ul>
 *   <li>{@code connect PORT PATH ADDRESS N BATCH MESSAGES}: N WebSockets, BATCH at a time, each
 *   registering on ADDRESS as the SockJS bridge protocol says and pinging every 5 s as the official
 *   client does → {@code @CONNECTED ok failed seconds}</li>
 *   <li>{@code probed} → {@code @PROBED k}: clients that have received a probe (registration done)</li>
 *   <li>{@code report SECONDS}: waits up to SECONDS for every measured delivery → {@code @REPORT
 *   delivered expected p50_ns p99_ns max_ns foreign errors spread_p50_ns spread_max_ns clock_skew_ms dropped}</li>
 *   <li>{@code close} → {@code @CLOSED}; {@code quit}</li>
 * </ul>
 * A measured message's body carries {@code bench_seq} and {@code sent_ns} (System.nanoTime of the
 * publishing JVM: on Linux both JVMs read the same monotonic clock) and {@code sent_ms} to check
 * that; a probe carries {@code bench_probe}; anything else (the engine's own publications) is
 * counted as foreign and not measured.
 */
public final class SockJsClients {

  private static final long PING_MS = 5_000;
  private static final Buffer PING = Buffer.buffer("{\"type\":\"ping\"}");

  private static final AtomicLong DELIVERED = new AtomicLong();
  private static final AtomicInteger PROBED = new AtomicInteger();
  private static final AtomicLong FOREIGN = new AtomicLong();
  private static final AtomicLong ERRORS = new AtomicLong();
  /** Sockets the server closed (a bridge closes one that stops pinging, for instance). */
  private static final AtomicInteger DROPPED = new AtomicInteger();
  private static volatile boolean closing;

  /** One browser: its latencies by message number, written only on its socket's event loop. */
  private static final class Client {
    final long[] arrival;
    final long[] latency;
    final long[] latencyMs;
    WebSocket socket;
    long pingTimer = -1;
    boolean probed;

    Client(int messages) {
      arrival = new long[messages + 1];
      latency = new long[messages + 1];
      latencyMs = new long[messages + 1];
      Arrays.fill(latency, -1);
    }

    /**
     * Reads only what it needs from the frame's edges: the envelope's type at the start, the
     * benchmark's fields at the end of the body (they are put last). Parsing 2 KB of JSON 5,000
     * times a message would make the clients, not the server, the bottleneck on a 2-core machine.
     */
    void frame(Buffer frame) {
      long now = System.nanoTime();
      long nowMs = System.currentTimeMillis();
      int n = frame.length();
      String head = frame.getString(0, Math.min(n, 24), "US-ASCII");
      if (!head.startsWith("{\"type\":\"rec\"")) {
        if (head.startsWith("{\"type\":\"err\"")) {
          ERRORS.incrementAndGet();
        }
        return;
      }
      String tail = frame.getString(Math.max(0, n - 120), n, "US-ASCII");
      long seq = field(tail, "\"bench_seq\":");
      if (seq > 0 && seq < latency.length && latency[(int) seq] < 0) {
        int i = (int) seq;
        arrival[i] = now;
        latency[i] = now - field(tail, "\"sent_ns\":");
        latencyMs[i] = nowMs - field(tail, "\"sent_ms\":");
        DELIVERED.incrementAndGet();
      } else if (field(tail, "\"bench_probe\":") >= 0) {
        if (!probed) {
          probed = true;
          PROBED.incrementAndGet();
        }
      } else {
        FOREIGN.incrementAndGet();
      }
    }
  }

  /** The whole number after {@code key} in {@code text}, or -1 when the key is absent. */
  static long field(String text, String key) {
    int at = text.indexOf(key);
    if (at < 0) {
      return -1;
    }
    long value = 0;
    for (int i = at + key.length(); i < text.length() && Character.isDigit(text.charAt(i)); i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.getInteger("bench.clients.loops", 2)));
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(1_000_000).setConnectTimeout(60_000).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    List<Client> clients = new ArrayList<>();
    int messages = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.trim().split(" ");
        switch (f[0]) {
          case "connect" -> {
            messages = Integer.parseInt(f[6]);
            clients = connect(vertx, ws, Integer.parseInt(f[1]), f[2], f[3], Integer.parseInt(f[4]),
              Integer.parseInt(f[5]), messages);
          }
          case "probed" -> System.out.println("@PROBED " + PROBED.get());
          case "report" -> report(clients, messages, Integer.parseInt(f[1]));
          case "close" -> {
            close(vertx, clients);
            clients = new ArrayList<>();
            System.out.println("@CLOSED");
          }
          case "quit" -> {
            return;
          }
          default -> throw new IllegalArgumentException("unknown command: " + line);
        }
      }
    } finally {
      ws.close().await();
      vertx.close().await();
    }
  }

  private static List<Client> connect(Vertx vertx, WebSocketClient ws, int port, String path, String address, int n,
                                      int batch, int messages) {
    closing = false;
    DELIVERED.set(0);
    DROPPED.set(0);
    PROBED.set(0);
    FOREIGN.set(0);
    ERRORS.set(0);
    Buffer register = Buffer.buffer(new JsonObject().put("type", "register").put("address", address).encode());
    List<Client> clients = new ArrayList<>();
    int failed = 0;
    long t0 = System.nanoTime();
    for (int from = 0; from < n; from += batch) {
      List<Future<WebSocket>> opening = new ArrayList<>();
      List<Client> opened = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + batch); i++) {
        Client c = new Client(messages);
        opened.add(c);
        opening.add(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
          .onSuccess(socket -> {
            c.socket = socket;
            socket.handler(c::frame);
            socket.closeHandler(v -> {
              if (!closing) {
                DROPPED.incrementAndGet();
              }
            });
            socket.writeTextMessage(register.toString());
            // Staggered, so that 5,000 pings do not arrive in the same millisecond.
            c.pingTimer = vertx.setPeriodic(ThreadLocalRandom.current().nextLong(PING_MS), PING_MS,
              id -> socket.writeTextMessage(PING.toString()));
          }));
      }
      Future.join(opening).otherwiseEmpty().await();
      for (int i = 0; i < opening.size(); i++) {
        if (opening.get(i).succeeded()) {
          clients.add(opened.get(i));
        } else {
          failed++;
          if (failed <= 3) {
            System.err.println("connect failed: " + opening.get(i).cause());
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "@CONNECTED %d %d %.1f%n", clients.size(), failed, (System.nanoTime() - t0) / 1e9);
    return clients;
  }

  private static void report(List<Client> clients, int messages, int waitSeconds) throws InterruptedException {
    long expected = (long) clients.size() * messages;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (DELIVERED.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    // DELIVERED is incremented after each write: reading it first makes those writes visible here.
    long delivered = DELIVERED.get();
    long[] all = new long[(int) delivered];
    long[] skews = new long[(int) delivered];
    int k = 0;
    long[] first = new long[messages + 1];
    long[] last = new long[messages + 1];
    Arrays.fill(first, Long.MAX_VALUE);
    Arrays.fill(last, Long.MIN_VALUE);
    for (Client c : clients) {
      for (int seq = 1; seq <= messages && k < all.length; seq++) {
        if (c.latency[seq] >= 0) {
          all[k] = c.latency[seq];
          skews[k++] = c.latencyMs[seq] - c.latency[seq] / 1_000_000;
          first[seq] = Math.min(first[seq], c.arrival[seq]);
          last[seq] = Math.max(last[seq], c.arrival[seq]);
        }
      }
    }
    all = Arrays.copyOf(all, k);
    skews = Arrays.copyOf(skews, k);
    Arrays.sort(all);
    Arrays.sort(skews);
    long[] spreads = new long[messages];
    int s = 0;
    for (int seq = 1; seq <= messages; seq++) {
      if (first[seq] != Long.MAX_VALUE) {
        spreads[s++] = last[seq] - first[seq];
      }
    }
    spreads = Arrays.copyOf(spreads, s);
    Arrays.sort(spreads);
    System.out.printf(Locale.ROOT, "@REPORT %d %d %d %d %d %d %d %d %d %d %d%n", delivered, expected,
      BenchSupport.percentile(all, 50), BenchSupport.percentile(all, 99), k == 0 ? -1 : all[k - 1], FOREIGN.get(),
      ERRORS.get(), BenchSupport.percentile(spreads, 50), s == 0 ? -1 : spreads[s - 1], BenchSupport.percentile(skews, 50),
      DROPPED.get());
  }

  private static void close(Vertx vertx, List<Client> clients) {
    closing = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (Client c : clients) {
      vertx.cancelTimer(c.pingTimer);
      closing.add(c.socket.close());
    }
    Future.join(closing).otherwiseEmpty().await();
  }

  private SockJsClients() {
  }
}
