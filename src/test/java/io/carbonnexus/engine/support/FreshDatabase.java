package io.carbonnexus.engine.support;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.Migrations;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * A database of the test's own on {@link TestDatabase}'s server, migrated to the engine's schema
 * as an engine leaves it after start-up: a verticle test deploys its verticles on it and writes
 * rows before or after. Tests get one from {@link DatabaseExtension}.
 *
 * @param url its {@code postgresql://} URL, for {@link TestDatabase#execute} and the queries
 */
public record FreshDatabase(String url) {

  /** Creates and migrates one. */
  public static FreshDatabase create() {
    String url = TestDatabase.get().createDatabase();
    Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
    return new FreshDatabase(url);
  }

  /** A verticle configuration pointing at this database ({@code db.url}); the test adds its own settings. */
  public JsonObject config() {
    return ConfigKeys.DB_URL.put(new JsonObject(), url);
  }
}
