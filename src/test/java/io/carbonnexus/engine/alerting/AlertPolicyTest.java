package io.carbonnexus.engine.alerting;

import io.carbonnexus.engine.alerting.AlertPolicy.Decision;
import io.carbonnexus.engine.alerting.AlertPolicy.Kind;
import io.carbonnexus.engine.alerting.AlertPolicy.Settings;
import io.carbonnexus.engine.alerting.AlertPolicy.State;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alert timelines in the style of Alertmanager's acceptance tests: a sequence of hotspot changes
 * at given minutes, and the notifications that must (and must not) go out.
 */
class AlertPolicyTest {

  private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
  private static final Settings SETTINGS = new Settings(Severity.WARN, Duration.ofMinutes(60));

  /** Replays changes ("minute change severity") and returns the notifications sent ("minute kind level"). */
  private static List<String> timeline(Settings settings, Instant silencedUntil, String... steps) {
    List<String> sent = new ArrayList<>();
    State state = State.NONE;
    for (String step : steps) {
      String[] p = step.split(" ");
      Instant at = T0.plus(Duration.ofMinutes(Long.parseLong(p[0])));
      if (p[1].equals("ack")) {
        state = new State(state.firingLevel(), state.lastSentAt(), true);
        continue;
      }
      Decision d = AlertPolicy.decide(HotspotChange.parse(p[1]), Severity.of(p[2]), state, silencedUntil, settings, at);
      if (d.kind() != Kind.NONE) {
        sent.add(p[0] + " " + d.kind().wire() + " " + d.level().wire());
        state = d.kind() == Kind.RESOLVED ? State.NONE : new State(d.level(), at, d.kind() == Kind.REPEAT && state.acknowledged());
      }
    }
    return sent;
  }

  @Test
  void anAlertFiresOnOpenAndResolvesOnce() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "5 updated warn", "10 updated warn", "15 resolved warn"))
      .containsExactly("0 firing warn", "15 resolved warn");
  }

  @Test
  void aHotspotThatStaysHotRepeatsAfterTheRepeatInterval() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "30 updated warn", "59 updated warn", "60 updated warn",
      "90 updated warn", "120 updated warn"))
      .containsExactly("0 firing warn", "60 repeat warn", "120 repeat warn");
  }

  @Test
  void anEscalationFiresAtOnceAndTheCriticalAlertInhibitsLowerLevels() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "5 escalated critical", "10 deescalated warn",
      "20 updated warn", "30 updated warn"))
      .containsExactly("0 firing warn", "5 firing critical");
  }

  @Test
  void gettingWorseAgainAfterADeescalationFiresAgain() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "5 escalated critical", "10 deescalated warn",
      "15 escalated critical"))
      .containsExactly("0 firing warn", "5 firing critical", "15 firing critical");
  }

  @Test
  void belowTheMinimumLevelNothingIsSentNotEvenAResolution() {
    assertThat(timeline(SETTINGS, null, "0 opened info", "5 updated info", "10 resolved info")).isEmpty();
  }

  @Test
  void fallingBelowTheMinimumLevelResolvesTheAlert() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "5 deescalated info", "10 escalated warn"))
      .containsExactly("0 firing warn", "5 resolved warn", "10 firing warn");
  }

  @Test
  void aFlapIsNotSilenceReopeningFiresAgain() {
    assertThat(timeline(SETTINGS, null, "0 opened critical", "5 resolved critical", "6 opened critical"))
      .containsExactly("0 firing critical", "5 resolved critical", "6 firing critical");
  }

  @Test
  void anAcknowledgedAlertDoesNotRepeatButStillEscalatesAndResolves() {
    assertThat(timeline(SETTINGS, null, "0 opened warn", "1 ack", "61 updated warn", "121 updated warn",
      "130 escalated critical", "140 resolved critical"))
      .containsExactly("0 firing warn", "130 firing critical", "140 resolved critical");
  }

  @Test
  void aSilencedEntityGetsNothingAndFiresWhenTheSilenceEndsIfStillHot() {
    Instant until = T0.plus(Duration.ofMinutes(30));
    assertThat(timeline(SETTINGS, until, "0 opened critical", "10 updated critical", "31 updated critical"))
      .containsExactly("31 firing critical");
  }

  @Test
  void theMinimumLevelIsConfigurable() {
    Settings info = new Settings(Severity.INFO, Duration.ofMinutes(60));
    assertThat(timeline(info, null, "0 opened info", "5 resolved info")).containsExactly("0 firing info", "5 resolved info");
  }

  @Test
  void aRoutesAlertFromOneLaneNamesTheSupplierWhoseShipmentsItWas() {
    assertThat(AlertPolicy.message(Kind.FIRING, "DVR-LON", 12, "1h", "emissions", "24h", "Meridian Pharma"))
      .isEqualTo("DVR-LON exceeded emissions by 12% in the last 1h, from Meridian Pharma's shipments on it");
    assertThat(AlertPolicy.message(Kind.FIRING, "DVR-LON", 12, "1h", "emissions", "24h", null))
      .isEqualTo("DVR-LON exceeded emissions by 12% in the last 1h");
    assertThat(AlertPolicy.message(Kind.RESOLVED, "DVR-LON", -20, "1h", "emissions", "24h", "Meridian Pharma"))
      .isEqualTo("DVR-LON is back within its emissions baseline (20% below)");
  }

  @Test
  void messagesReadLikeTheSeeds() {
    assertThat(AlertPolicy.message(Kind.FIRING, "Supplier A", 120)).isEqualTo("Supplier A exceeded emissions by 120%");
    assertThat(AlertPolicy.message(Kind.RESOLVED, "Supplier A", -8))
      .isEqualTo("Supplier A is back within its emissions baseline (8% below)");
  }
}
