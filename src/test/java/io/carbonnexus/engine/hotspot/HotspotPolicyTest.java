package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.alerting.AlertPolicy;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.Percent;
import io.carbonnexus.engine.shared.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HotspotPolicyTest {

  private static final Thresholds T = Thresholds.defaults(); // info 0.8, warn 1.0, critical 1.5, hysteresis 0.05

  @ParameterizedTest(name = "predicted {0} on baseline 100 -> {1}")
  @CsvSource({
    "79.99, ", "80, info", "80.01, info", "99.99, info", "100, warn", "100.01, warn",
    "149.99, warn", "150, critical", "150.01, critical", "1000, critical", "0, "})
  void severityAtAndAroundEachThreshold(double predicted, String expected) {
    Severity s = T.classify(predicted / 100);
    assertThat(s == null ? null : s.wire()).isEqualTo(expected);
  }

  @Test
  void theSeedsExampleIsCriticalAt103PercentAbove() {
    Transition t = HotspotPolicy.evaluate(null, 122, 60, T);
    assertThat(t.kind()).isEqualTo(HotspotChange.OPENED);
    assertThat(t.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(t.percentAbove()).isEqualTo(103); // (122 - 60) / 60 = 1.0333
  }

  @Test
  void anEntityBelowInfoHasNoHotspot() {
    assertThat(HotspotPolicy.evaluate(null, 79, 100, T).kind()).isEqualTo(HotspotChange.NONE);
  }

  @Test
  void openEscalateDeescalateResolveWithHysteresis() {
    List<String> timeline = new ArrayList<>();
    Severity state = null;
    // predicted on a baseline of 100: opens at info, escalates twice, hovers, falls back.
    for (double p : new double[] {70, 85, 104, 160, 148, 146, 144, 98, 96, 94, 80, 76, 74}) {
      Transition t = HotspotPolicy.evaluate(state, p, 100, T);
      timeline.add((int) p + ":" + t.kind().wire() + (t.severity() == null ? "" : "/" + t.severity().wire()));
      state = t.kind() == HotspotChange.RESOLVED || t.kind() == HotspotChange.NONE ? null : t.severity();
    }
    assertThat(timeline).containsExactly(
      "70:none", "85:opened/info", "104:escalated/warn", "160:escalated/critical",
      "148:updated/critical",      // below 150 but within the 0.05 hysteresis
      "146:updated/critical",
      "144:deescalated/warn",      // 1.44 + 0.05 < 1.5
      "98:updated/warn", "96:updated/warn",
      "94:deescalated/info",       // 0.94 + 0.05 < 1.0
      "80:updated/info", "76:updated/info",
      "74:resolved/info");         // 0.74 + 0.05 < 0.8
  }

  @Test
  void aValueHoveringAtAThresholdDoesNotFlap() {
    Severity state = HotspotPolicy.evaluate(null, 101, 100, T).severity();
    int changes = 0;
    for (int i = 0; i < 50; i++) {
      double p = i % 2 == 0 ? 99 : 101;
      Transition t = HotspotPolicy.evaluate(state, p, 100, T);
      if (t.kind().isTransition()) {
        changes++;
        state = t.severity();
      }
    }
    assertThat(changes).isZero();
    assertThat(state).isEqualTo(Severity.WARN);
  }

  @Test
  void aReadingShownInARoutesKgIsJudgedOnItsLanesOwnNumbers() {
    // A busy route (1,000 kg from its other lanes) and a lane of 10 kg shipments whose normal is 1 to 5 an hour.
    Reading burst = new Reading("1h", Reading.Measure.EMISSIONS, 1_000 + 80, 1_000 + 10, 1_000 + 50,
      new Reading.Through("Lane Co", new Reading("1h", Reading.Measure.EMISSIONS, 80, 10, 50)));
    Transition opened = HotspotPolicy.evaluate(null, List.of(burst), T);
    // Critical: the lane is at 1.6 times its edge, though the route's kg are only 3 % above its baseline.
    assertThat(opened.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(opened.percentAbove()).isEqualTo(3);
    // The lane back to 2 shipments: the route's kg are 97 % of its baseline, within the hysteresis
    // of warn on the route's numbers, but the lane is at 40 % of its edge: resolved.
    Reading after = new Reading("1h", Reading.Measure.EMISSIONS, 1_000 + 20, 1_000 + 10, 1_000 + 50,
      new Reading.Through("Lane Co", new Reading("1h", Reading.Measure.EMISSIONS, 20, 10, 50)));
    assertThat(HotspotPolicy.evaluate(Severity.WARN, List.of(after), T).kind()).isEqualTo(HotspotChange.RESOLVED);
  }

  @Test
  void aDropPastSeveralLevelsGoesStraightToWhereItLands() {
    Transition t = HotspotPolicy.evaluate(Severity.CRITICAL, 50, 100, T);
    assertThat(t.kind()).isEqualTo(HotspotChange.RESOLVED);
    Transition toInfo = HotspotPolicy.evaluate(Severity.CRITICAL, 85, 100, T);
    assertThat(toInfo.kind()).isEqualTo(HotspotChange.DEESCALATED);
    assertThat(toInfo.severity()).isEqualTo(Severity.INFO);
  }

  @Test
  void withoutHysteresisAFallBelowTheThresholdChangesTheLevelAtOnce() {
    Thresholds none = new Thresholds(0.8, 1.0, 1.5, 0);
    assertThat(HotspotPolicy.evaluate(Severity.WARN, 99.9, 100, none).kind()).isEqualTo(HotspotChange.DEESCALATED);
  }

  private static final Instant T0 = Instant.parse("2026-11-17T20:30:00Z");
  /** The defaults with a hold of an hour. */
  private static final Thresholds HOUR = new Thresholds(0.8, 1.0, 1.5, 0.05, Duration.ofHours(1));

  /** One reading of {@code predicted} on a baseline of 100, judged {@code minutes} after T0. */
  private static Transition at(Severity current, Instant reachedAt, int minutes, double predicted) {
    return HotspotPolicy.evaluate(current, reachedAt, T0.plus(Duration.ofMinutes(minutes)),
      List.of(new Reading("1h", Reading.Measure.EMISSIONS, predicted, Double.NaN, 100)), HOUR);
  }

  @Test
  void aCountHoveringAtTheEdgeIsOneAlertNotOneEveryFewMinutes() {
    // The benchmark's case: a quiet hour's count at warn, below it five minutes later, at it again.
    List<String> timeline = new ArrayList<>();
    Severity state = null;
    Instant reachedAt = null;
    int minute = 0;
    for (double p : new double[] {104, 90, 101, 85, 102, 70, 60, 50, 40, 30, 20, 10, 5, 0, 0, 0, 0, 0, 0}) {
      Transition t = at(state, reachedAt, minute, p);
      timeline.add(minute + ":" + t.kind().wire() + (t.severity() == null ? "" : "/" + t.severity().wire()));
      state = t.kind() == HotspotChange.RESOLVED || t.kind() == HotspotChange.NONE ? null : t.severity();
      reachedAt = t.reachedAt();
      minute += 5;
    }
    // Reached at 0, 10 and 20 minutes: held at warn for an hour after 20, resolved at 80.
    assertThat(timeline).containsExactly("0:opened/warn", "5:updated/warn", "10:updated/warn", "15:updated/warn",
      "20:updated/warn", "25:updated/warn", "30:updated/warn", "35:updated/warn", "40:updated/warn", "45:updated/warn",
      "50:updated/warn", "55:updated/warn", "60:updated/warn", "65:updated/warn", "70:updated/warn", "75:updated/warn",
      "80:resolved/warn", "85:none", "90:none");
  }

  @Test
  void theHoldCountsFromTheLastTimeTheLevelWasReachedAndKeepsEscalationsImmediate() {
    Transition opened = at(null, null, 0, 104);
    assertThat(opened.reachedAt()).isEqualTo(T0);
    Transition held = at(Severity.WARN, opened.reachedAt(), 30, 60);
    assertThat(held.kind()).isEqualTo(HotspotChange.UPDATED);
    assertThat(held.severity()).isEqualTo(Severity.WARN);
    assertThat(held.reachedAt()).as("not reached again: still the opening's time").isEqualTo(T0);
    assertThat(held.predicted()).as("the numbers are this evaluation's").isEqualTo(60);
    Transition again = at(Severity.WARN, held.reachedAt(), 50, 100);
    assertThat(again.reachedAt()).isEqualTo(T0.plus(Duration.ofMinutes(50)));
    assertThat(at(Severity.WARN, again.reachedAt(), 109, 60).kind()).isEqualTo(HotspotChange.UPDATED);
    assertThat(at(Severity.WARN, again.reachedAt(), 110, 60).kind()).isEqualTo(HotspotChange.RESOLVED);
    Transition escalated = at(Severity.WARN, again.reachedAt(), 55, 160);
    assertThat(escalated.kind()).isEqualTo(HotspotChange.ESCALATED);
    assertThat(escalated.reachedAt()).isEqualTo(T0.plus(Duration.ofMinutes(55)));
  }

  @Test
  void aHeldCriticalDropsToTheLevelStillHeldOnceTheHoldIsOver() {
    Transition stillCritical = at(Severity.CRITICAL, T0, 59, 110);
    assertThat(stillCritical.kind()).isEqualTo(HotspotChange.UPDATED);
    assertThat(stillCritical.severity()).isEqualTo(Severity.CRITICAL);
    Transition toWarn = at(Severity.CRITICAL, T0, 60, 110);
    assertThat(toWarn.kind()).isEqualTo(HotspotChange.DEESCALATED);
    assertThat(toWarn.severity()).isEqualTo(Severity.WARN);
    assertThat(toWarn.reachedAt()).as("warn is reached now: held from here").isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(at(Severity.WARN, toWarn.reachedAt(), 61, 10).kind()).isEqualTo(HotspotChange.UPDATED);
  }

  @Test
  void aLevelDroppedToOnTheHysteresisAloneIsHeldToo() {
    // Critical held until T0 + 60 at 0.97 x baseline: warn only through the hysteresis (0.97 + 0.05 >= 1).
    Transition toWarn = at(Severity.CRITICAL, T0, 60, 97);
    assertThat(toWarn.kind()).isEqualTo(HotspotChange.DEESCALATED);
    assertThat(toWarn.severity()).isEqualTo(Severity.WARN);
    // A dip to 0.94 five minutes later, and back to 1.01: one alert, not a drop to info and a new warn.
    Transition dip = at(Severity.WARN, toWarn.reachedAt(), 65, 94);
    assertThat(dip.kind()).isEqualTo(HotspotChange.UPDATED);
    assertThat(at(Severity.WARN, dip.reachedAt(), 70, 101).kind()).isEqualTo(HotspotChange.UPDATED);
  }

  @Test
  void withoutAHoldOrAKnownTimeTheLevelDropsAtOnce() {
    Reading low = new Reading("1h", Reading.Measure.EMISSIONS, 60, Double.NaN, 100);
    Thresholds noHold = new Thresholds(0.8, 1.0, 1.5, 0.05);
    assertThat(noHold.hold()).isZero();
    assertThat(HotspotPolicy.evaluate(Severity.WARN, T0, T0.plus(Duration.ofMinutes(1)), List.of(low), noHold).kind())
      .isEqualTo(HotspotChange.RESOLVED);
    assertThat(at(Severity.WARN, null, 1, 60).kind()).as("a hotspot stored before V20: nothing to hold")
      .isEqualTo(HotspotChange.RESOLVED);
  }

  @Test
  void thresholdsOutOfOrderAreRefused() {
    assertThatThrownBy(() -> new Thresholds(1.0, 0.8, 1.5, 0.05)).hasMessageContaining("0 < info < warn < critical");
    assertThatThrownBy(() -> new Thresholds(0.8, 1.0, 1.5, 0.9)).hasMessageContaining("hysteresis");
    assertThatThrownBy(() -> new Thresholds(0.8, 1.0, 1.5, 0.05, Duration.ofMinutes(-1))).hasMessageContaining("hold");
  }

  @ParameterizedTest(name = "a target of {0} kg")
  @ValueSource(doubles = {0.0001, 1e-300, Double.MIN_VALUE})
  void aTinyTargetOpensACriticalHotspotAtTheMaximumPercentNeverANegativeOne(double target) {
    Transition opened = HotspotPolicy.evaluate(null, 1_000, target, T);
    assertThat(opened.kind()).isEqualTo(HotspotChange.OPENED);
    assertThat(opened.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(opened.percentAbove()).isEqualTo(Percent.MAX);
    Transition again = HotspotPolicy.evaluate(Severity.CRITICAL, 2_000, target, T);
    assertThat(again.kind()).isEqualTo(HotspotChange.UPDATED);
    assertThat(again.percentAbove()).isEqualTo(Percent.MAX);
  }

  @Test
  void theAlertForATinyTargetSaysExceeded() {
    int percent = HotspotPolicy.evaluate(null, 1_000, 1e-300, T).percentAbove();
    assertThat(AlertPolicy.message(AlertPolicy.Kind.FIRING, "Supplier A", percent))
      .isEqualTo("Supplier A exceeded emissions by " + Percent.MAX + "%");
    assertThat(AlertPolicy.message(AlertPolicy.Kind.REPEAT, "Supplier A", percent)).contains("exceeded");
  }
}
