package io.carbonnexus.engine.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineConfigTest {

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  private static JsonObject load(Path file, boolean required, Map<String, String> env, JsonObject overrides) {
    return EngineConfig.load(vertx, file, required, env, overrides).await();
  }

  @Test
  void theShippedConfigFileListsEveryKeyWithItsDefault() {
    JsonObject yaml = yamlOnly();
    Set<String> expected = new TreeSet<>();
    ConfigKeys.ALL.forEach(k -> expected.add(k.path()));
    ConfigKeys.LISTS.forEach(l -> expected.add(l.path()));
    assertThat(leafPaths("", yaml)).isEqualTo(expected);
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(key.get(yaml)).as("default of %s in conf/config.yaml", key.path()).isEqualTo(key.defaultValue());
    }
    for (ConfigList list : ConfigKeys.LISTS) {
      assertThat(list.get(yaml)).as("%s in conf/config.yaml", list.path()).isEmpty();
    }
  }

  @Test
  void aListSettingThatIsNotAListOfObjectsStopsStartUpNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "notify:\n  receivers:\n    - just-a-name\n");
    assertThatThrownBy(() -> load(file, true, Map.of(), null))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("notify.receivers[0]: must be an object");
  }

  @Test
  void aListFromTheFileIsReadWhole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "notify:\n  receivers:\n    - name: ops\n      kind: slack\n      url: http://127.0.0.1:1/x\n");
    JsonObject config = load(file, true, Map.of(), null);
    assertThat(ConfigKeys.NOTIFY_RECEIVERS.get(config)).hasSize(1);
    assertThat(ConfigKeys.NOTIFY_RECEIVERS.get(config).getJsonObject(0).getString("name")).isEqualTo("ops");
    assertThat(ConfigKeys.NOTIFY_ROUTES.get(config)).isEmpty();
  }

  private static Set<String> leafPaths(String prefix, JsonObject node) {
    Set<String> paths = new TreeSet<>();
    for (Map.Entry<String, Object> e : node) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject child) {
        paths.addAll(leafPaths(path, child));
      } else {
        paths.add(path);
      }
    }
    return paths;
  }

  private static JsonObject yamlOnly() {
    var retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", EngineConfig.DEFAULT_FILE.toString()))));
    try {
      return retriever.getConfig().await();
    } finally {
      retriever.close();
    }
  }

  @Test
  void everyKeyHasItsOwnEnvironmentVariable() {
    Set<String> names = new HashSet<>();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(names.add(key.envName())).as("duplicate variable %s", key.envName()).isTrue();
    }
  }

  @Test
  void environmentOverridesTheFileAndIsConvertedToTheKeysType(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "http:\n  port: 9000\ndemo_feed:\n  interval: 1m\n");
    JsonObject config = load(file, true, Map.of(
      "NEXUS_HTTP_PORT", "9100",
      "NEXUS_DEMO", "false",
      "NEXUS_DEMO_FEED_EVENTS_PER_DAY", "250.5",
      "NEXUS_DB_URL", "postgresql://u:p@127.0.0.1:5432/x"), null);
    assertThat(ConfigKeys.HTTP_PORT.get(config)).isEqualTo(9100);
    assertThat(ConfigKeys.DEMO.get(config)).isEqualTo("false");
    assertThat(ConfigKeys.DEMO_FEED_EVENTS_PER_DAY.get(config)).isEqualTo(250.5);
    assertThat(ConfigKeys.DB_URL.get(config)).isEqualTo("postgresql://u:p@127.0.0.1:5432/x");
    assertThat(ConfigKeys.DEMO_FEED_INTERVAL.get(config)).isEqualTo(Duration.ofMinutes(1));
    assertThat(ConfigKeys.HTTP_HOST.get(config)).isEqualTo("127.0.0.1");
  }

  @Test
  void programmaticOverridesWinOverTheEnvironment() {
    JsonObject overrides = ConfigKeys.HTTP_PORT.put(new JsonObject(), 9200);
    JsonObject config = load(Path.of("does-not-exist.yaml"), false, Map.of("NEXUS_HTTP_PORT", "9100"), overrides);
    assertThat(ConfigKeys.HTTP_PORT.get(config)).isEqualTo(9200);
  }

  @Test
  void aBadEnvironmentValueFailsWithTheVariablesName() {
    assertThatThrownBy(() -> load(Path.of("does-not-exist.yaml"), false, Map.of("NEXUS_HTTP_PORT", "80a"), null))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("NEXUS_HTTP_PORT")
      .hasMessageContaining("'80a' is not an integer");
  }

  @Test
  void aBadFileValueFailsWithTheKeysName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "demo_feed:\n  interval: soon\n");
    assertThatThrownBy(() -> load(file, true, Map.of(), null))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("demo_feed.interval (NEXUS_DEMO_FEED_INTERVAL)")
      .hasMessageContaining("'soon' is not a duration");
  }

  @Test
  void aNamedConfigFileThatDoesNotExistIsAnError() {
    assertThatThrownBy(() -> load(Path.of("nowhere/config.yaml"), true, Map.of(), null))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("nowhere/config.yaml does not exist");
  }

  @Test
  void withoutAnyFileTheCodeDefaultsApply() {
    JsonObject config = load(Path.of("does-not-exist.yaml"), false, Map.of(), null);
    assertThat(config).isEqualTo(ConfigKeys.defaults());
  }
}
