package io.carbonnexus.engine.support;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigList;
import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole engine for a test: the repository's {@code conf/config.yaml} (which must exist), then
 * the test's overrides, on a free HTTP port. Where the database comes from is the first choice:
 * a fresh one of {@link TestDatabase}, a URL the test has, or the embedded PostgreSQL in a
 * directory of the test's. The process environment is not read: only the variables a test names
 * with {@link #env}.
 *
 * <pre>{@code
 * TestEngine setup = TestEngine.onNewDatabase().with(ConfigKeys.API_TOKEN, TOKEN);
 * try (Engine engine = setup.start()) {
 *   Http.get(setup.port(), "/health");
 * }
 * }</pre>
 *
 * {@link #start} can be called again for a restart on the same database and port.
 */
public final class TestEngine {

  private static final Path CONFIG_FILE = Path.of("conf/config.yaml");

  private final JsonObject overrides = new JsonObject();
  private final Map<String, String> env = new LinkedHashMap<>();

  private TestEngine() {
    ConfigKeys.HTTP_PORT.put(overrides, TempDirs.freePort());
  }

  /** On a database of its own, created empty (the engine migrates it). */
  public static TestEngine onNewDatabase() {
    return onDatabase(TestDatabase.get().createDatabase());
  }

  /** On the database at {@code url} ({@code db.url}). */
  public static TestEngine onDatabase(String url) {
    return new TestEngine().with(ConfigKeys.DB_URL, url);
  }

  /** On the embedded PostgreSQL the engine starts with its data in {@code dataDir}. */
  public static TestEngine embedded(Path dataDir) {
    return new TestEngine().with(ConfigKeys.DB_EMBEDDED_DATA_DIR, dataDir.toString());
  }

  /** Overrides one setting; the last value given for a key wins. */
  public TestEngine with(ConfigKey<?> key, Object value) {
    key.put(overrides, value);
    return this;
  }

  /** Overrides one list setting (YAML-only settings such as {@code notify.receivers}). */
  public TestEngine with(ConfigList list, JsonArray value) {
    list.put(overrides, value);
    return this;
  }

  /** An environment variable the engine sees (the {@code NEXUS_*} names of the settings). */
  public TestEngine env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Starts the engine; blocks until it is ready. The caller closes it. */
  public Engine start() {
    return Engine.start(options());
  }

  public Engine.Options options() {
    return new Engine.Options(CONFIG_FILE, true, Map.copyOf(env), overrides.copy());
  }

  public int port() {
    return ConfigKeys.HTTP_PORT.get(overrides);
  }

  /** The database URL given, or null on the embedded database (then read it from the engine's {@code config()}). */
  public String dbUrl() {
    return ConfigKeys.DB_URL.get(overrides);
  }
}
