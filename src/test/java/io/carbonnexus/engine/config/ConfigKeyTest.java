package io.carbonnexus.engine.config;

import io.carbonnexus.engine.hotspot.Thresholds;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigKeyTest {

  private static final ConfigKey<Duration> INTERVAL = ConfigKey.duration("detection.interval", "5m", "test");
  private static final ConfigKey<Integer> PORT = ConfigKey.integer("http.port", 8080, "test");

  @Test
  void environmentNameIsNexusPlusThePathInUpperCaseWithUnderscores() {
    assertThat(INTERVAL.envName()).isEqualTo("NEXUS_DETECTION_INTERVAL");
    assertThat(ConfigKeys.DB_EMBEDDED_DATA_DIR.envName()).isEqualTo("NEXUS_DB_EMBEDDED_DATA_DIR");
    assertThat(ConfigKeys.DEMO.envName()).isEqualTo("NEXUS_DEMO");
  }

  @Test
  void theDemoSettingReadsEachAcceptedSpellingAsOneWordAndRefusesOthersWhereverTheyComeFrom() {
    assertThat(ConfigKeys.DEMO.get(ConfigKeys.DEMO.put(new JsonObject(), " On"))).isEqualTo("true");
    assertThat(ConfigKeys.DEMO.get(ConfigKeys.DEMO.put(new JsonObject(), false))).isEqualTo("false");
    assertThat(ConfigKeys.DEMO.get(ConfigKeys.DEMO.put(new JsonObject(), ""))).isEqualTo("auto");
    assertThat(ConfigKeys.DEMO.get(new JsonObject())).isEqualTo("auto");
    assertThatThrownBy(() -> ConfigKeys.DEMO.fromEnv("sometimes")).isInstanceOf(ConfigException.class)
      .hasMessage("NEXUS_DEMO: 'sometimes' is not auto, true or false");
  }

  @Test
  void durationsAcceptShortUnitsAndIso8601() {
    assertThat(ConfigKey.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigKey.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(ConfigKey.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(ConfigKey.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(ConfigKey.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(ConfigKey.parseDuration("PT90S")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void aDurationIsWrittenAsTheConfigurationSpellsItSoThatItCrossesTheBus() {
    // The live settings travel as JSON (ConfigWatcher.liveSettings), which has no duration type.
    JsonObject live = ConfigKeys.THRESHOLDS_HOLD.put(new JsonObject(), Duration.ofMinutes(90));
    assertThat(live.encode()).isEqualTo("{\"thresholds\":{\"hold\":\"90m\"}}");
    assertThat(ConfigKeys.THRESHOLDS_HOLD.get(new JsonObject(live.encode()))).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigKeys.THRESHOLDS_HOLD.get(new JsonObject())).isEqualTo(Thresholds.DEFAULT_HOLD);
  }

  @Test
  void aDurationWithoutUnitIsRefusedWithAHint() {
    assertThatThrownBy(() -> INTERVAL.get(new JsonObject().put("detection", new JsonObject().put("interval", 300))))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("detection.interval (NEXUS_DETECTION_INTERVAL)")
      .hasMessageContaining("has no unit");
  }

  @Test
  void aMissingValueReadsAsTheDefault() {
    assertThat(INTERVAL.get(new JsonObject())).isEqualTo(Duration.ofMinutes(5));
    assertThat(PORT.get(new JsonObject().put("http", new JsonObject()))).isEqualTo(8080);
  }

  @Test
  void aValueOfTheWrongTypeNamesTheKeyAndItsVariable() {
    JsonObject config = PORT.put(new JsonObject(), "eighty");
    assertThatThrownBy(() -> PORT.get(config))
      .isInstanceOf(ConfigException.class)
      .hasMessage("http.port (NEXUS_HTTP_PORT): 'eighty' is not an integer");
  }

  @Test
  void durationsRoundTripThroughTheirWrittenForm() {
    for (String text : new String[] {"250ms", "45s", "5m", "3h", "7d"}) {
      assertThat(ConfigKey.formatDuration(ConfigKey.parseDuration(text))).isEqualTo(text);
    }
  }

  @Test
  void emptyTextReadsAsUnset() {
    JsonObject config = ConfigKeys.DB_URL.put(new JsonObject(), "  ");
    assertThat(ConfigKeys.DB_URL.get(config)).isNull();
  }

  @Test
  void aValueOutOfRangeNamesTheBound() {
    JsonObject config = ConfigKeys.HTTP_PORT.put(new JsonObject(), 70000);
    assertThatThrownBy(() -> ConfigKeys.HTTP_PORT.get(config))
      .hasMessage("http.port (NEXUS_HTTP_PORT): '70000' is above the maximum 65535");
    assertThatThrownBy(() -> ConfigKeys.DEMO_FEED_INTERVAL.fromEnv("5ms"))
      .hasMessage("NEXUS_DEMO_FEED_INTERVAL: '5ms' is below the minimum 100ms");
  }

  @Test
  void everyDefaultIsWithinItsOwnRange() {
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(key.get(new JsonObject())).as(key.path()).isEqualTo(key.defaultValue());
      key.fromEnv(String.valueOf(key.defaultAsJson() == null ? "" : key.defaultAsJson()));
    }
  }
}
