package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/** {@link DetectionSettings} from the engine's configuration; a bad value names its key. */
public final class DetectionSettingsReader {

  private DetectionSettingsReader() {
  }

  public static DetectionSettings read(JsonObject conf) {
    String windows = ConfigKeys.DETECTION_WINDOWS.get(conf);
    DetectionSettings s;
    try {
      s = new DetectionSettings(ConfigKeys.DETECTION_ALGORITHM.get(conf), WindowSpec.parseAll(windows),
        ConfigKeys.DETECTION_INTENSITY_WINDOW.get(conf), ConfigKeys.DETECTION_INTENSITY_K.get(conf),
        ConfigKeys.DETECTION_MIN_SHIPMENTS.get(conf),
        new SeasonalModel.Settings(ConfigKeys.DETECTION_HISTORY.get(conf), ConfigKeys.DETECTION_MIN_DAYS.get(conf),
          ConfigKeys.DETECTION_SEASONAL_DAYS.get(conf)),
        ConfigKeys.DETECTION_WINDOW.get(conf), BaselineStatistic.parse(ConfigKeys.BASELINES_STATISTIC.get(conf)),
        ConfigKeys.BASELINES_HISTORY_WINDOWS.get(conf), ConfigKeys.BASELINES_MIN_WINDOWS.get(conf));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("detection settings (detection.algorithm, detection.windows (NEXUS_DETECTION_WINDOWS), "
        + "baselines.statistic): " + e.getMessage(), e);
    }
    if (s.legacy() && s.legacyWindow().toMillis() % 3_600_000 != 0) {
      throw new IllegalArgumentException("detection.window must be whole hours for the legacy algorithm");
    }
    return s;
  }

  /** Where live windows end: after the current minute, so that the events of this minute count. */
  static java.time.Instant liveEnd(java.time.Instant now) {
    return java.time.Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), 60) * 60 + 60);
  }

  static Duration hour() {
    return Duration.ofHours(1);
  }
}
