package io.carbonnexus.engine.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in for rag-chatbot ({@code POST /recommend}) that can be told to fail, stall or answer garbage. */
public final class FakeRag extends FakeHttpServer {

  public static final String ROOT_CAUSE = "Increased load due to holiday demand.";

  public enum Mode { HEALTHY, FAIL, STALL, GARBAGE }

  private volatile Mode mode = Mode.HEALTHY;
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();

  private FakeRag(Vertx vertx) {
    super(vertx);
  }

  public static FakeRag start(Vertx vertx) {
    return listening(new FakeRag(vertx));
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  public List<JsonObject> requests() {
    return List.copyOf(requests);
  }

  @Override
  protected void handle(HttpServerRequest request) {
    if (!request.path().equals("/recommend")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      requests.add(body.toJsonObject());
      switch (mode) {
        case FAIL -> request.response().setStatusCode(503).end();
        case STALL -> { } // never answers
        case GARBAGE -> json(request, "{\"answer\": 42}");
        case HEALTHY -> json(request, new JsonObject()
          .put("root_cause", ROOT_CAUSE)
          .put("actions", new JsonArray().add(new JsonObject().put("title", "Shift 20% load to Supplier B")
            .put("co2_reduction", 18).put("cost_impact", 2).put("feasibility", 9)))
          .encode());
      }
    });
  }
}
