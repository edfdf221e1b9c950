package io.carbonnexus.engine.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A few dashboard-like clients: each keeps one request in flight, going round the read endpoints
 * and a what-if, with a short pause between requests. Statuses are counted per endpoint; a 5xx or
 * a request that gets no answer at all is a broken promise.
 */
final class RestLoad {

  /** One request of the round: its label in the figures, method, path and body. */
  record Call(String label, HttpMethod method, String path, String body) {
  }

  private final Vertx vertx;
  private final int port;
  private final int connections;
  private final long pauseMs;
  private final List<Call> round;
  private final HttpClientAgent client;
  private volatile boolean stopping;

  final Histogram interval = new Histogram();
  final Histogram total = new Histogram();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong serverErrors = new AtomicLong();
  final AtomicLong transportErrors = new AtomicLong();
  /** label → status → count; status 0 means no answer (connection or timeout). */
  private final Map<String, Map<Integer, LongAdder>> statuses = new ConcurrentHashMap<>();
  /** The first few failures, kept whole for the report. */
  private final List<String> failureSamples = new java.util.concurrent.CopyOnWriteArrayList<>();

  RestLoad(Vertx vertx, int port, int connections, long pauseMs, List<Call> round) {
    this.vertx = vertx;
    this.port = port;
    this.connections = connections;
    this.pauseMs = pauseMs;
    this.round = round;
    this.client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
      .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
  }

  void start() {
    for (int c = 0; c < connections; c++) {
      int first = c;
      vertx.runOnContext(v -> loop(first));
    }
  }

  void stop() {
    stopping = true;
  }

  Future<Void> close() {
    return client.close();
  }

  private void loop(int index) {
    if (stopping) {
      return;
    }
    Call call = round.get(index % round.size());
    long start = System.nanoTime();
    RequestOptions options = new RequestOptions().setMethod(call.method()).setURI(call.path()).setIdleTimeout(30_000);
    client.request(options)
      .compose(req -> {
        if (call.body() != null) {
          req.putHeader("content-type", "application/json");
          return req.send(Buffer.buffer(call.body()));
        }
        return req.send();
      })
      .compose(resp -> resp.body().map(body -> {
        if (resp.statusCode() >= 500 && failureSamples.size() < 10) {
          failureSamples.add(call.label() + " -> " + resp.statusCode() + " " + body);
        }
        return resp.statusCode();
      }))
      .onComplete(ar -> {
        double ms = (System.nanoTime() - start) / 1e6;
        int status = ar.succeeded() ? ar.result() : 0;
        if (ar.failed() && failureSamples.size() < 10) {
          failureSamples.add(call.label() + " -> " + ar.cause());
        }
        statuses.computeIfAbsent(call.label(), l -> new ConcurrentHashMap<>())
          .computeIfAbsent(status, s -> new LongAdder()).increment();
        requests.incrementAndGet();
        if (status == 0) {
          transportErrors.incrementAndGet();
        } else {
          interval.record(ms);
          total.record(ms);
          if (status >= 500) {
            serverErrors.incrementAndGet();
          }
        }
        vertx.setTimer(Math.max(1, pauseMs), id -> loop(index + 1));
      });
  }

  /** label → status → count, sorted, for the report. */
  Map<String, Map<Integer, Long>> statuses() {
    Map<String, Map<Integer, Long>> out = new TreeMap<>();
    statuses.forEach((label, byStatus) -> {
      Map<Integer, Long> m = new TreeMap<>();
      byStatus.forEach((s, n) -> m.put(s, n.sum()));
      out.put(label, m);
    });
    return out;
  }

  List<String> failureSamples() {
    return List.copyOf(failureSamples);
  }
}
