package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.hotspot.HotspotPolicy.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchDetectionTest {

  private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
  private static final Duration STEP = Duration.ofHours(1);
  private static final Duration WINDOW = Duration.ofHours(24);

  @Test
  void aSurgeOpensAndLaterResolvesAtTheStepsWhereTheWindowSeesIt() {
    // 10 kg per hour, then a 6-hour surge of 100 kg per hour starting 12 h after FROM.
    Map<Integer, Double> series = new HashMap<>();
    for (int b = 1; b <= 24 + 72; b++) {
      int hoursAfterFrom = b - 24;
      series.put(b, hoursAfterFrom > 12 && hoursAfterFrom <= 18 ? 100.0 : 10.0);
    }
    List<BatchDetection.Change> changes = BatchDetection.replay(FROM, FROM.plus(Duration.ofHours(72)), STEP, WINDOW,
      Map.of("supplier\u0000S", series), Map.of("supplier\u0000S", 300.0), Thresholds.defaults());
    // Window total = 240 (0.8 x 300: info at once) + 90 per surge hour inside the window (h after FROM
    // is inside at step s when s - 24 < h <= s). Up: 330 at 13 (warn), 510 at 15 (critical). Down,
    // with the 0.05 hysteresis: below 1.45 x 300 = 435 needs <= 2 surge hours left (step 40), below
    // 0.95 x 300 = 285 needs none (step 42).
    assertThat(changes).extracting(c -> c.transition().kind() + "@" + Duration.between(FROM, c.at()).toHours())
      .containsExactly("OPENED@0", "ESCALATED@13", "ESCALATED@15", "DEESCALATED@40", "DEESCALATED@42");
    assertThat(changes.get(0).transition().severity()).isNotNull();
  }

  @Test
  void theSlidingSumMatchesARecomputedWindowAtEveryStep() {
    Random random = new Random(3);
    Map<Integer, Double> series = new HashMap<>();
    for (int b = 1; b <= 24 + 200; b++) {
      series.put(b, random.nextDouble() * (b % 37 < 5 ? 60 : 12));
    }
    Thresholds t = Thresholds.defaults();
    List<BatchDetection.Change> changes = BatchDetection.replay(FROM, FROM.plus(Duration.ofHours(200)), STEP, WINDOW,
      Map.of("route\u0000R1", series), Map.of("route\u0000R1", 200.0), t);
    // Brute force: recompute every window from scratch and run the same policy.
    List<String> expected = new java.util.ArrayList<>();
    io.carbonnexus.engine.shared.Severity state = null;
    for (int s = 0; s <= 200; s++) {
      double total = 0;
      for (int b = s + 1; b <= s + 24; b++) {
        total += series.getOrDefault(b, 0.0);
      }
      HotspotPolicy.Transition tr = HotspotPolicy.evaluate(state, total, 200, t);
      if (tr.kind().isTransition()) {
        expected.add(s + ":" + tr.kind());
      }
      state = tr.kind() == Kind.RESOLVED || tr.kind() == Kind.NONE ? null : tr.severity();
    }
    assertThat(changes).extracting(c -> Duration.between(FROM, c.at()).toHours() + ":" + c.transition().kind())
      .containsExactlyElementsOf(expected);
    assertThat(expected).isNotEmpty();
  }

  @Test
  void entitiesWithoutABaselineAreNotReplayed() {
    assertThat(BatchDetection.replay(FROM, FROM.plus(STEP), STEP, WINDOW, Map.of("supplier\u0000X", Map.of(1, 1e9)),
      Map.of(), Thresholds.defaults())).isEmpty();
  }

  @Test
  void aStepThatDoesNotDivideTheWindowIsRefused() {
    assertThatThrownBy(() -> BatchDetection.replay(FROM, FROM.plus(STEP), Duration.ofMinutes(7), WINDOW, Map.of(),
      Map.of(), Thresholds.defaults())).hasMessageContaining("divide");
  }
}
