package io.carbonnexus.engine.support;

import io.carbonnexus.engine.Engine;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One engine shared by the tests of a class (an API test asks many questions of one engine),
 * closed after the class's {@code @AfterAll}:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
 *   .with(ConfigKeys.API_TOKEN, TOKEN));
 *
 * @BeforeAll
 * static void insertEvents() {
 *   TestDatabase.execute(ENGINE.dbUrl(), "insert ...");
 * }
 * }</pre>
 *
 * Given its set-up, it starts before the class's {@code @BeforeAll} methods. A class that must
 * make something first (a fake whose URL the engine is given, a log capture that must see the
 * start) registers {@code new EngineUnderTest()} and calls {@link #start} from its
 * {@code @BeforeAll}; if it never does (a browser test without a browser), nothing is closed.
 */
public final class EngineUnderTest implements BeforeAllCallback, AfterAllCallback {

  private TestEngine setup;
  private Engine engine;
  private Vertx client;

  /** Started by the test class's {@code @BeforeAll}, with {@link #start}. */
  public EngineUnderTest() {
  }

  /** Started from {@code setup} before the test class's {@code @BeforeAll} methods run. */
  public EngineUnderTest(TestEngine setup) {
    this.setup = setup;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (setup != null && engine == null) {
      engine = setup.start();
    }
  }

  /** Starts the engine {@code setup} describes; blocks until it is ready. */
  public Engine start(TestEngine setup) {
    if (engine != null) {
      throw new IllegalStateException("the engine of this class is already started");
    }
    this.setup = setup;
    engine = setup.start();
    return engine;
  }

  public Engine engine() {
    return engine;
  }

  /** The engine's Vert.x: a test publishes on its bus as one of the engine's concerns would. */
  public Vertx vertx() {
    return engine.vertx();
  }

  /** The engine's HTTP port. */
  public int port() {
    return setup.port();
  }

  /** The engine's database, for {@link TestDatabase}'s statements and queries. */
  public String dbUrl() {
    return setup.dbUrl();
  }

  /**
   * A Vert.x of the test's own, apart from the engine's, for its clients (WebSocket, HTTP) and the
   * fakes the engine calls; made on first use, closed after the engine.
   */
  public synchronized Vertx client() {
    if (client == null) {
      client = Vertx.vertx();
    }
    return client;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (engine != null) {
        engine.close();
      }
    } finally {
      if (client != null) {
        client.close().await();
      }
    }
  }
}
