package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EmissionsSnapshot;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * SockJS fan-out: {@code bench.clients} WebSockets (default 5,000) registered on one browser
 * channel of a running engine, messages published on the engine's event bus at a steady rate, and
 * the latency of every delivery, next to two baselines in the same run. Run with
 * {@code benchmarks/sockjs}.
 *
 * <p>This JVM runs the engine (embedded PostgreSQL, demo data off, so that the channel carries
 * only the benchmark's messages and the engine's periodic snapshot, which the clients count
 * apart) and, on the engine's Vert.x instance, one instance each of
 * <ul>
 *   <li>a bare SockJS bridge: vertx-web's bridge with the same outbound permit and no event hook;</li>
 *   <li>a raw WebSocket fan-out: the floor, one bus consumer writing a frame encoded once to every
 *   socket.</li>
 * </ul>
 * The clients ({@link SockJsClients}) live in a JVM of their own and speak the bridge's protocol
 * on its raw WebSocket endpoint. Messages are published here with {@code vertx.eventBus().publish}
 * carrying {@code System.nanoTime()}; the clients subtract it from their own (the same monotonic
 * clock on Linux; they check it against {@code currentTimeMillis}).
 */
public final class SockJsBenchmark {

  private static final int CLIENTS = Integer.getInteger("bench.clients", 5_000);
  private static final int BATCH = Integer.getInteger("bench.batch", 500);
  private static final int MESSAGES = Integer.getInteger("bench.messages", 30);
  private static final long INTERVAL_MS = Long.getLong("bench.interval", 1_000);
  private static final int WARMUP_MESSAGES = Integer.getInteger("bench.warmup.messages", 5);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  /**
   * Which of engine, bridge, raw to measure (a profile of one of them, say; the engine comes first).
   * bridge2 adds the bare bridge deployed twice, so that sockets spread over two event loops: what
   * more instances of the HTTP verticle would do.
   */
  private static final String TARGETS = System.getProperty("bench.targets", "engine,bridge,raw");
  /** The channel measured: no verticle of the engine consumes it, so fake snapshots change nothing. */
  private static final String CHANNEL = Addresses.EMISSIONS;
  private static final String RAW_ADDRESS = "bench.raw-fan-out";

  private record Target(String name, int port, String path, String address) {
  }

  private record Result(String target, int round, int connected, int failed, double connectSeconds, long delivered,
                        long expected, long p50, long p99, long max, long foreign, long errors, long spreadP50,
                        long spreadMax, long skewMs, long dropped, long publishP50, long publishMax, double[] cores,
                        String busiest) {
  }

  public static void main(String[] args) throws Exception {
    long fds = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
      .getMaxFileDescriptorCount();
    System.out.printf(Locale.ROOT, "open files allowed per process: %,d (each JVM holds one per client)%n", fds);
    if (fds < CLIENTS + 1_000) {
      throw new IllegalStateException("ulimit -n is " + fds + ": raise it above " + (CLIENTS + 1_000));
    }
    Path dir = Files.createTempDirectory("nexus-bench-sockjs");
    TestEngine setup = TestEngine.embedded(dir.resolve("pg")).with(ConfigKeys.DEMO, "false");
    int enginePort = setup.port();
    int bridgePort = TempDirs.freePort();
    int rawPort = TempDirs.freePort();
    Engine engine = null;
    Process child = null;
    try {
      engine = setup.start();
      engine.vertx().deployVerticle(new BareBridge(bridgePort)).await();
      int bridge2Port = TempDirs.freePort();
      if (TARGETS.contains("bridge2")) {
        engine.vertx().deployVerticle(() -> new BareBridge(bridge2Port), new DeploymentOptions().setInstances(2)).await();
      }
      engine.vertx().deployVerticle(new RawFanOut(rawPort)).await();
      Map<String, Target> all = new java.util.LinkedHashMap<>();
      all.put("engine", new Target("engine /eventbus/websocket", enginePort, "/eventbus/websocket", CHANNEL));
      all.put("bridge", new Target("bare SockJS bridge", bridgePort, "/eventbus/websocket", CHANNEL));
      all.put("raw", new Target("raw WebSocket fan-out", rawPort, "/ws", RAW_ADDRESS));
      all.put("bridge2", new Target("bare bridge, 2 instances", bridge2Port, "/eventbus/websocket", CHANNEL));
      List<Target> targets = java.util.Arrays.stream(TARGETS.split(",")).map(String::trim).map(all::get).toList();
      JsonObject body = snapshot();
      System.out.printf(Locale.ROOT, "%,d clients opened %d at a time; %d messages of %,d bytes, one every %d ms, on '%s'%n",
        CLIENTS, BATCH, MESSAGES, body.encode().length(), INTERVAL_MS, CHANNEL);

      child = BenchSupport.childJvm(SockJsClients.class.getName(), List.of("-Xmx1g"), List.of());
      CpuAccount cpu = new CpuAccount(dir.resolve("pg"));
      cpu.child(child);
      Conversation clients = new Conversation(child);
      List<Result> results = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        for (int i = 0; i < targets.size(); i++) {
          Result r = measure(engine, clients, cpu, targets.get((i + round - 1) % targets.size()), round, body);
          results.add(r);
          print(r);
        }
      }
      clients.send("quit");
      child.waitFor(30, TimeUnit.SECONDS);
      report(targets, results);
    } finally {
      if (child != null && child.isAlive()) {
        child.destroy();
      }
      if (engine != null) {
        engine.close();
      }
      TempDirs.deleteRecursively(dir);
    }
  }

  private static Result measure(Engine engine, Conversation clients, CpuAccount cpu, Target t, int round,
                                JsonObject body) throws Exception {
    var bus = engine.vertx().eventBus();
    String[] c = clients.ask(String.format(Locale.ROOT, "connect %d %s %s %d %d %d", t.port(), t.path(), t.address(),
      CLIENTS, BATCH, MESSAGES), "@CONNECTED");
    int connected = Integer.parseInt(c[1]);
    // The bridge acknowledges no registration: publish probes until every client has had one.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int probe = 0;
    while (Integer.parseInt(clients.ask("probed", "@PROBED")[1]) < connected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(t.name() + ": not every client registered within 60 s");
      }
      bus.publish(t.address(), new JsonObject().put("bench_probe", probe++));
      Thread.sleep(500);
    }
    // Unmeasured messages at the measured rate: the delivery path compiled before it counts.
    for (int i = 0; i < WARMUP_MESSAGES; i++) {
      bus.publish(t.address(), body.copy().put("bench_probe", probe++));
      Thread.sleep(INTERVAL_MS);
    }
    CpuAccount.Sample start = cpu.sample();
    // What one publish costs its caller: the bus copies the body for every local consumer, here.
    long[] publishing = new long[MESSAGES];
    long t0 = System.nanoTime();
    for (int seq = 1; seq <= MESSAGES; seq++) {
      long due = t0 + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS * (seq - 1));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      JsonObject message = body.copy().put("bench_seq", seq).put("sent_ms", System.currentTimeMillis());
      long sent = System.nanoTime();
      bus.publish(t.address(), message.put("sent_ns", sent));
      publishing[seq - 1] = System.nanoTime() - sent;
    }
    java.util.Arrays.sort(publishing);
    Thread.sleep(INTERVAL_MS);
    CpuAccount.Sample end = cpu.sample();
    String[] r = clients.ask("report 30", "@REPORT");
    clients.ask("close", "@CLOSED");
    return new Result(t.name(), round, connected, Integer.parseInt(c[2]), Double.parseDouble(c[3]),
      Long.parseLong(r[1]), Long.parseLong(r[2]), Long.parseLong(r[3]), Long.parseLong(r[4]), Long.parseLong(r[5]),
      Long.parseLong(r[6]), Long.parseLong(r[7]), Long.parseLong(r[8]), Long.parseLong(r[9]), Long.parseLong(r[10]),
      Long.parseLong(r[11]), BenchSupport.percentile(publishing, 50), publishing[MESSAGES - 1], CpuAccount.cores(start, end),
      CpuAccount.busiestThread(start, end));
  }

  private static void print(Result r) {
    System.out.printf(Locale.ROOT, "round %d %-28s %,d clients (%d failed, %.1f s to open)  deliveries %,d/%,d"
        + "  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  fan-out spread p50 %5.1f ms  max %5.1f ms"
        + "  foreign %d  errors %d  dropped %d  clock check %d ms  publish call p50 %.1f ms max %.1f ms"
        + " | %s; busiest thread %s%n",
      r.round(), r.target(), r.connected(), r.failed(), r.connectSeconds(), r.delivered(), r.expected(), r.p50() / 1e6,
      r.p99() / 1e6, r.max() / 1e6, r.spreadP50() / 1e6, r.spreadMax() / 1e6, r.foreign(), r.errors(), r.dropped(),
      r.skewMs(), r.publishP50() / 1e6, r.publishMax() / 1e6, CpuAccount.describe(r.cores()), r.busiest());
  }

  private static void report(List<Target> targets, List<Result> results) {
    System.out.printf(Locale.ROOT, "%nmedians of %d rounds, %,d clients, %d messages each:%n", ROUNDS, CLIENTS, MESSAGES);
    System.out.printf(Locale.ROOT, "%-28s %9s %9s %9s %9s %11s %11s %11s %11s%n", "target", "p50 ms", "p99 ms", "max ms",
      "spread ms", "deliveries", "JVM cores", "busiest", "publish ms");
    for (Target t : targets) {
      List<Result> mine = results.stream().filter(r -> r.target().equals(t.name())).toList();
      long delivered = mine.stream().mapToLong(Result::delivered).sum();
      long expected = mine.stream().mapToLong(Result::expected).sum();
      System.out.printf(Locale.ROOT, "%-28s %9.1f %9.1f %9.1f %9.1f %11s %11.2f %11.2f %11.1f%n", t.name(),
        median(mine, r -> r.p50() / 1e6), median(mine, r -> r.p99() / 1e6), median(mine, r -> r.max() / 1e6),
        median(mine, r -> r.spreadP50() / 1e6), delivered == expected ? "all" : delivered + "/" + expected,
        median(mine, r -> r.cores()[0]), median(mine, r -> Double.parseDouble(r.busiest().replaceAll(".* ", ""))),
        median(mine, r -> r.publishP50() / 1e6));
    }
    List<Result> engine = results.stream().filter(r -> r.target().equals(targets.get(0).name())).toList();
    double p99 = median(engine, r -> r.p99() / 1e6);
    boolean all = engine.stream().allMatch(r -> r.delivered() == r.expected() && r.connected() == CLIENTS);
    System.out.printf(Locale.ROOT, "engine: p99 %.1f ms at %,d clients (target <= 250 ms: %s); every delivery arrived: %s%n",
      p99, CLIENTS, p99 <= 250 ? "met" : "NOT met", all ? "yes" : "NO");
  }

  private static double median(List<Result> results, ToDoubleFunction<Result> f) {
    return BenchSupport.median(results.stream().map(f::applyAsDouble).toList());
  }

  /** A realistic body: the snapshot of a demo-sized world (8 suppliers, 20 routes, 6 vehicle types). */
  private static JsonObject snapshot() {
    List<EmissionsSnapshot.EntityTotal> totals = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      totals.add(new EmissionsSnapshot.EntityTotal("supplier", "Supplier " + (char) ('A' + i) + " Logistics",
        10_000 + 1_234.567 * i, 9_000.0 + 1_000 * i, 95_000 + 987.654 * i));
    }
    for (int i = 0; i < 20; i++) {
      totals.add(new EmissionsSnapshot.EntityTotal("route", "R" + (i + 1), 2_000 + 345.678 * i, i % 3 == 0 ? null : 2_500.0,
        20_000 + 3_456.78 * i));
    }
    for (String type : List.of("van_diesel", "rigid_hgv", "artic_hgv", "rail_freight", "air_freight", "sea_container")) {
      totals.add(new EmissionsSnapshot.EntityTotal("vehicle_type", type, 15_000.5, 14_000.0, 120_000.25));
    }
    return EmissionsSnapshot.of(Instant.now(), 86_400, io.carbonnexus.engine.shared.EmissionsBasis.WTW, totals).toJson();
  }

  /** Lines to and from the clients' JVM; lines that are not answers (logs) are passed through. */
  private static final class Conversation {
    private final PrintWriter in;
    private final BufferedReader out;

    Conversation(Process child) {
      this.in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8);
      this.out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    }

    void send(String command) {
      in.println(command);
    }

    String[] ask(String command, String answer) throws Exception {
      send(command);
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(answer + " ") || line.equals(answer)) {
          return line.split(" ");
        }
        System.out.println(line);
      }
      throw new IllegalStateException("the clients' JVM ended while asked: " + command);
    }
  }

  /** vertx-web's bridge as a bare application would mount it: the same outbound permit, no event hook. */
  private static final class BareBridge extends VerticleBase {
    private final int port;

    BareBridge(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions())
        .bridge(new SockJSBridgeOptions().addOutboundPermitted(new PermittedOptions().setAddress(CHANNEL))));
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }
  }

  /**
   * The floor: the least work a fan-out can do on one event loop. Sockets register with the same
   * text message; each published message is wrapped and encoded once and written to every socket.
   */
  private static final class RawFanOut extends VerticleBase {
    private final int port;
    private final Set<ServerWebSocket> sockets = new LinkedHashSet<>();

    RawFanOut(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Future<Void> consuming = vertx.eventBus().<JsonObject>consumer(RAW_ADDRESS, m -> {
        Buffer frame = new JsonObject().put("type", "rec").put("address", RAW_ADDRESS).put("body", m.body()).toBuffer();
        for (ServerWebSocket ws : sockets) {
          ws.writeBinaryMessage(frame);
        }
      }).completion();
      return consuming.compose(registered -> vertx.createHttpServer()
        .webSocketHandler(ws -> {
          ws.textMessageHandler(text -> {
            if (text.contains("\"register\"")) {
              sockets.add(ws);
            }
          });
          ws.closeHandler(v -> sockets.remove(ws));
        })
        .listen(port, "127.0.0.1"));
    }
  }

  private SockJsBenchmark() {
  }
}
