package io.carbonnexus.engine.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a notification receiver (a webhook, Slack, Alertmanager) on 127.0.0.1 that
 * records every request and answers from a script: a status code, a stall (no answer at all) or
 * a closed connection; 200 once the script is used up.
 */
public final class FakeReceiver extends FakeHttpServer {

  /** One scripted answer: {@code status(500)}, {@link #STALL}, {@link #CLOSE}. */
  public record Answer(int status) {
  }

  public static final Answer STALL = new Answer(-1);
  public static final Answer CLOSE = new Answer(-2);

  public static Answer status(int code) {
    return new Answer(code);
  }

  /** A request as received. */
  public record Received(String method, String path, MultiMap headers, Buffer body, int answeredWith) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
  private volatile Answer otherwise = status(200);
  private final List<Received> requests = new CopyOnWriteArrayList<>();

  private FakeReceiver(Vertx vertx) {
    super(vertx);
  }

  public static FakeReceiver start(Vertx vertx) {
    return listening(new FakeReceiver(vertx));
  }

  /** The next requests get these answers, in order. */
  public FakeReceiver answer(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  /** What every request gets once the script is used up. */
  public FakeReceiver otherwise(Answer answer) {
    otherwise = answer;
    return this;
  }

  public List<Received> requests() {
    return List.copyOf(requests);
  }

  /** The requests answered 2xx: what the receiver accepted. */
  public List<Received> accepted() {
    return requests.stream().filter(r -> r.answeredWith() >= 200 && r.answeredWith() < 300).toList();
  }

  @Override
  protected void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Answer answer = script.poll();
      if (answer == null) {
        answer = otherwise;
      }
      requests.add(new Received(request.method().name(), request.path(), MultiMap.caseInsensitiveMultiMap()
        .addAll(request.headers()), body, answer.status()));
      if (answer == STALL) {
        return;
      }
      if (answer == CLOSE) {
        request.connection().close();
        return;
      }
      request.response().setStatusCode(answer.status()).end(answer.status() >= 400 ? "{\"error\":\"scripted\"}" : "");
    });
  }
}
