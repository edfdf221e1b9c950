package io.carbonnexus.engine.support;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The set-up every verticle test shares: per test method, a Vert.x ({@link VertxExtension}'s,
 * closed with its deployments after the test), a fresh migrated database ({@link FreshDatabase})
 * and a configuration pointing at it. A test extends it and declares only what differs: its
 * settings, put into {@link #config} by its own {@code @BeforeEach} (JUnit runs this class's
 * first), the bus addresses it listens to, the verticles it deploys and the rows it writes.
 */
@ExtendWith({VertxExtension.class, DatabaseExtension.class})
public abstract class VerticleTestBed {

  protected Vertx vertx;
  /** The fresh database's {@code postgresql://} URL, for {@link TestDatabase}'s statements and queries. */
  protected String url;
  /** What {@link #deploy(Deployable)} configures verticles with: {@code db.url}, then the test's settings. */
  protected JsonObject config;

  @BeforeEach
  protected final void openTestBed(Vertx vertx, FreshDatabase db) {
    this.vertx = vertx;
    url = db.url();
    config = db.config();
  }

  /** Every JSON body published or sent to {@code address} from now on, in order of arrival. */
  protected final List<JsonObject> collect(String address) {
    return collect(address, Function.identity());
  }

  /** Every body published or sent to {@code address} from now on, read as the message record it is. */
  protected final <T> List<T> collect(String address, Function<JsonObject, T> fromJson) {
    List<T> received = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(address, m -> received.add(fromJson.apply(m.body())));
    return received;
  }

  /** Deploys {@code verticle} with {@link #config} as it is now; returns once it has started, with its deployment id. */
  protected final String deploy(Deployable verticle) {
    return deploy(verticle, config);
  }

  /** Deploys {@code verticle} with a configuration of the test's own (built on {@link #config} or not). */
  protected final String deploy(Deployable verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
  }
}
