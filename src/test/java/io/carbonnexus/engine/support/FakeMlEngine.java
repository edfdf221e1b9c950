package io.carbonnexus.engine.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for ml-engine that follows its contract ({@code POST /predict}) and can be told to
 * misbehave. When healthy it predicts {@code co2_kg = 0.05 × distance_km × load_tonnes}, a
 * formula no built-in factor uses, so a test can tell whose number it sees.
 */
public final class FakeMlEngine extends FakeHttpServer {

  public static final String MODEL_VERSION = "fake-ml-1.0";
  public static final double FACTOR = 0.05;

  public enum Mode {
    /** Answers every event. */
    HEALTHY,
    /** HTTP 500. */
    FAIL,
    /** Never answers. */
    STALL,
    /** 200 with a body that is not JSON. */
    GARBAGE,
    /** 200 with JSON that breaks the contract (no predictions array). */
    WRONG_SHAPE,
    /** Answers only every other event. */
    PARTIAL
  }

  private volatile Mode mode = Mode.HEALTHY;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

  private FakeMlEngine(Vertx vertx) {
    super(vertx);
  }

  public static FakeMlEngine start(Vertx vertx) {
    return listening(new FakeMlEngine(vertx));
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  public int calls() {
    return calls.get();
  }

  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  public static double co2(double distanceKm, double loadTonnes) {
    return FACTOR * distanceKm * loadTonnes;
  }

  @Override
  protected void handle(HttpServerRequest request) {
    if (!request.path().equals("/predict") || request.method().name().equals("GET")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      calls.incrementAndGet();
      JsonArray events = body.toJsonObject().getJsonArray("events");
      batchSizes.add(events.size());
      switch (mode) {
        case FAIL -> request.response().setStatusCode(500).end("{\"detail\":\"model crashed\"}");
        case STALL -> { } // the connection stays open with no answer
        case GARBAGE -> json(request, "<html>oops</html>");
        case WRONG_SHAPE -> json(request, new JsonObject().put("model_version", MODEL_VERSION).put("result", "ok").encode());
        case HEALTHY, PARTIAL -> {
          JsonArray predictions = new JsonArray();
          for (int i = 0; i < events.size(); i++) {
            if (mode == Mode.PARTIAL && i % 2 == 1) {
              continue;
            }
            JsonObject e = events.getJsonObject(i);
            predictions.add(new JsonObject().put("id", e.getLong("id"))
              .put("co2_kg", co2(e.getDouble("distance_km"), e.getDouble("load_tonnes"))));
          }
          json(request, new JsonObject().put("model_version", MODEL_VERSION).put("predictions", predictions).encode());
        }
      }
    });
  }
}
