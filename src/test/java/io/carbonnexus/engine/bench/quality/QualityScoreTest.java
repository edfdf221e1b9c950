package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.bench.quality.Label.Entity;
import io.carbonnexus.engine.bench.quality.QualityScore.Change;
import io.carbonnexus.engine.bench.quality.QualityScore.ClassScore;
import io.carbonnexus.engine.bench.quality.QualityScore.Options;
import io.carbonnexus.engine.bench.quality.QualityScore.Result;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Hand-made replays, each with the score it must get. Times are hours after T0 ("h 1.5" = 90 min). */
class QualityScoreTest {

  private static final Instant FROM = Instant.parse("2026-03-02T00:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofDays(30));
  private static final Entity ACME = Entity.supplier("Acme");
  private static final Entity LANE = Entity.route("A-B");
  private static final Entity VANS = Entity.vehicleType("van_diesel");
  private static final Entity OTHER = Entity.supplier("Other");
  private static final Set<Entity> ENTITIES = Set.of(ACME, LANE, VANS, OTHER);

  private static Instant h(double hours) {
    return FROM.plusSeconds((long) (hours * 3600));
  }

  private static Label label(String cls, Entity target, double startHour, double endHour) {
    return new Label(cls, target.type(), target.name(), h(startHour), h(endHour), 4, Set.of(ACME, LANE, VANS), 10, "", null);
  }

  private static Change change(double hour, Entity e, String change, String severity) {
    return new Change(h(hour), e.type(), e.name(), change, severity, null, null);
  }

  private static Result score(List<Label> labels, Change... changes) {
    return QualityScore.score(labels, FROM, TO, List.of(changes), ENTITIES, Options.defaults());
  }

  @Test
  void aBurstWithAWarnOpeningWithinAnHourIsFoundWithItsDelay() {
    Result r = score(List.of(label(Label.BURST, ACME, 10, 11.5)), change(10.5, ACME, "opened", "warn"));

    ClassScore bursts = r.classes().get(Label.BURST);
    assertThat(bursts.found()).isEqualTo(1);
    assertThat(bursts.recall()).isEqualTo(1.0);
    assertThat(bursts.medianDelay()).isEqualTo(Duration.ofMinutes(30));
    assertThat(r.falseAlarms()).isEmpty();
  }

  @Test
  void anAirShiftIsAlsoTimedFromItsFirstMovedShipmentButJudgedFromItsStart() {
    // Begun at h 20 (night), first flight at h 30, seen at h 35: 15 h late from the start, 5 h from the flight.
    Label night = new Label(Label.AIR_SHIFT, "supplier", "Acme", h(20), h(80), 0.1, Set.of(ACME), 8, "", h(30));
    // Seen at h 103 before its first flight at h 104 (something else fired): no negative delay.
    Label early = new Label(Label.AIR_SHIFT, "supplier", "Other", h(100), h(160), 0.1, Set.of(OTHER), 8, "", h(104));
    Result r = score(List.of(night, early), change(35, ACME, "opened", "warn"), change(103, OTHER, "opened", "warn"));

    ClassScore air = r.classes().get(Label.AIR_SHIFT);
    assertThat(air.results()).extracting(QualityScore.LabelResult::delayFromFirstChange)
      .containsExactly(Duration.ofHours(5), Duration.ZERO);
    assertThat(air.recallWithin(Duration.ofHours(8))).isEqualTo(0.5);
    assertThat(air.recallWithinOfFirstChange(Duration.ofHours(8))).isEqualTo(1.0);
    assertThat(air.worstDelay()).isEqualTo(Duration.ofHours(15));
    assertThat(air.worstDelayFromFirstChange()).isEqualTo(Duration.ofHours(5));
    assertThat(air.targetMet()).isFalse();
  }

  @Test
  void aBurstSeenMoreThanAnHourAfterItsStartIsLateNotFoundAndNotFalse() {
    Result r = score(List.of(label(Label.BURST, ACME, 10, 11.5)), change(11.25, ACME, "opened", "critical"));

    ClassScore bursts = r.classes().get(Label.BURST);
    assertThat(bursts.found()).isZero();
    assertThat(bursts.late()).isEqualTo(1);
    assertThat(bursts.medianDelay()).isNull();
    assertThat(r.falseAlarms()).isEmpty();
  }

  @Test
  void anInfoOpeningFindsNothingButItsEscalationToWarnDoes() {
    Result r = score(List.of(label(Label.BURST, ACME, 10, 12)),
      change(10.1, ACME, "opened", "info"), change(10.75, ACME, "escalated", "warn"));

    assertThat(r.classes().get(Label.BURST).found()).isEqualTo(1);
    assertThat(r.classes().get(Label.BURST).medianDelay()).isEqualTo(Duration.ofMinutes(45));
    assertThat(r.alarms()).isEqualTo(1);
  }

  @Test
  void anAlarmOnAnotherEntityOfTheSupplierDoesNotFindARouteBurst() {
    Result r = score(List.of(label(Label.BURST, LANE, 10, 11)), change(10.2, ACME, "opened", "warn"));

    assertThat(r.classes().get(Label.BURST).found()).isZero();
    assertThat(r.falseAlarms()).as("the supplier is touched by the burst: excused, not false").isEmpty();
  }

  @Test
  void aSustainedIncreaseIsFoundUpToOneLongestWindowAfterItsEnd() {
    Label load = label(Label.SUSTAINED_LOAD, ACME, 100, 148);
    Result within = score(List.of(load), change(148 + 23, ACME, "opened", "warn"));
    Result after = score(List.of(load), change(148 + 25, ACME, "opened", "warn"));

    assertThat(within.classes().get(Label.SUSTAINED_LOAD).found()).isEqualTo(1);
    assertThat(within.classes().get(Label.SUSTAINED_LOAD).worstDelay()).isEqualTo(Duration.ofHours(71));
    assertThat(within.classes().get(Label.SUSTAINED_LOAD).targetMet()).as("found, but worst > 24 h").isFalse();
    assertThat(after.classes().get(Label.SUSTAINED_LOAD).found()).isZero();
    assertThat(after.falseAlarms()).hasSize(1);
  }

  @Test
  void aLabelWithNoAlarmIsMissed() {
    Result r = score(List.of(label(Label.SUSTAINED_VOLUME, ACME, 100, 160), label(Label.SUSTAINED_VOLUME, ACME, 300, 350)),
      change(120, ACME, "opened", "warn"));

    ClassScore volume = r.classes().get(Label.SUSTAINED_VOLUME);
    assertThat(volume.labels()).isEqualTo(2);
    assertThat(volume.found()).isEqualTo(1);
    assertThat(volume.recall()).isEqualTo(0.5);
    assertThat(volume.results().get(1).alarm()).isNull();
  }

  @Test
  void alarmsOutsideEveryLabelAreFalseAndCountedPerEntityPer30Days() {
    Result r = score(List.of(label(Label.BURST, ACME, 10, 11)),
      change(200, OTHER, "opened", "warn"), change(201, OTHER, "escalated", "critical"),
      change(300, ACME, "opened", "warn"), change(400, OTHER, "opened", "info"));

    assertThat(r.falseAlarms()).hasSize(3);
    // 3 false alarms on 4 entities over 30 days.
    assertThat(r.falsePerEntityPer30Days()).isEqualTo(0.75);
    assertThat(r.falseTargetMet()).isFalse();
  }

  @Test
  void anEscalationFromWarnToCriticalIsASecondAlarm() {
    Result r = score(List.of(), change(200, OTHER, "opened", "warn"), change(202, OTHER, "escalated", "critical"),
      change(203, OTHER, "deescalated", "warn"), change(204, OTHER, "resolved", "warn"));

    assertThat(r.alarms()).isEqualTo(2);
    assertThat(r.falseAlarms()).extracting(Change::change).containsExactly("opened", "escalated");
  }

  @Test
  void anAlarmOnAnEntityTheLabelDoesNotTouchIsFalseEvenDuringTheLabel() {
    Result r = score(List.of(label(Label.SUSTAINED_VOLUME, ACME, 100, 160)),
      change(101, ACME, "opened", "warn"), change(110, OTHER, "opened", "warn"));

    assertThat(r.falseAlarms()).extracting(Change::entity).containsExactly("Other");
  }

  @Test
  void aHistoryLabelExcusesAlarmsAtTheStartOfTheScoredRangeButIsNotScored() {
    Label history = label(Label.SUSTAINED_LOAD, ACME, -50, -2);
    Result r = score(List.of(history), change(0, ACME, "opened", "warn"));

    assertThat(r.classes().get(Label.SUSTAINED_LOAD).labels()).isZero();
    assertThat(r.falseAlarms()).isEmpty();
  }

  @Test
  void alarmsDuringAHolidayAreCountedOnTheirOwnAndAsFalse() {
    Label holiday = new Label(Label.HOLIDAY, "all", "*", h(48), h(72), 0, Set.of(), 0, "", null);
    Result r = score(List.of(holiday), change(50, OTHER, "opened", "warn"), change(80, OTHER, "opened", "critical"));

    assertThat(r.holidayAlarms()).hasSize(1);
    assertThat(r.falseAlarms()).hasSize(2);
  }

  @Test
  void theBurstTargetNeedsNinetyPercentFoundAndAMedianOfAtMost25Minutes() {
    List<Label> bursts = new java.util.ArrayList<>();
    List<Change> changes = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      bursts.add(label(Label.BURST, ACME, 100 + 48 * i, 101 + 48 * i));
      if (i < 9) {
        changes.add(change(100 + 48 * i + (i < 5 ? 0.25 : 0.75), ACME, "opened", "warn"));
      }
    }
    Result r = QualityScore.score(bursts, FROM, TO, changes, ENTITIES, Options.defaults());

    assertThat(r.classes().get(Label.BURST).recall()).isEqualTo(0.9);
    assertThat(r.classes().get(Label.BURST).medianDelay()).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.classes().get(Label.BURST).targetMet()).isTrue();
  }

  @Test
  void anAirShiftMeetsItsTargetOnlyWhenFoundWithinEightHours() {
    Label air = label(Label.AIR_SHIFT, ACME, 100, 150);

    assertThat(score(List.of(air), change(107, ACME, "opened", "warn")).classes().get(Label.AIR_SHIFT).targetMet()).isTrue();
    assertThat(score(List.of(air), change(109, ACME, "opened", "warn")).classes().get(Label.AIR_SHIFT).targetMet()).isFalse();
  }

  @Test
  void changesCarryingWindowAndKindAreReadAndCountedByWindow() {
    Change c = Change.fromJson(new JsonObject().put("at", h(10.2).toString()).put("entity_type", "supplier")
      .put("entity", "Acme").put("change", "opened").put("severity", "warn").put("window", "1h").put("kind", "volume")
      .put("predicted", 12.5).put("something_new", true));
    Result r = score(List.of(label(Label.BURST, ACME, 10, 11)), c);

    assertThat(c.window()).isEqualTo("1h");
    assertThat(c.kind()).isEqualTo("volume");
    assertThat(r.classes().get(Label.BURST).foundByWindow()).containsEntry("1h", 1);
  }

  @Test
  void changesOutsideTheScoredRangeAreIgnored() {
    Result r = score(List.of(), change(-5, OTHER, "opened", "warn"), change(24 * 30 + 1, OTHER, "opened", "warn"));

    assertThat(r.alarms()).isZero();
  }
}
