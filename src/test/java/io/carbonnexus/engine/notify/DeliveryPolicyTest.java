package io.carbonnexus.engine.notify;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.carbonnexus.engine.notify.DeliveryPolicy.Verdict.FAILED;
import static io.carbonnexus.engine.notify.DeliveryPolicy.Verdict.RETRY;
import static io.carbonnexus.engine.notify.DeliveryPolicy.Verdict.SENT;
import static org.assertj.core.api.Assertions.assertThat;

class DeliveryPolicyTest {

  private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

  @Test
  void successIsSentServerErrorsAndTooManyRequestsAreRetriedOtherClientErrorsFail() {
    assertThat(DeliveryPolicy.ofStatus(200)).isEqualTo(SENT);
    assertThat(DeliveryPolicy.ofStatus(204)).isEqualTo(SENT);
    assertThat(DeliveryPolicy.ofStatus(500)).isEqualTo(RETRY);
    assertThat(DeliveryPolicy.ofStatus(503)).isEqualTo(RETRY);
    assertThat(DeliveryPolicy.ofStatus(429)).isEqualTo(RETRY);
    assertThat(DeliveryPolicy.ofStatus(408)).isEqualTo(RETRY);
    assertThat(DeliveryPolicy.ofStatus(400)).isEqualTo(FAILED);
    assertThat(DeliveryPolicy.ofStatus(404)).isEqualTo(FAILED);
    assertThat(DeliveryPolicy.ofStatus(301)).isEqualTo(FAILED);
  }

  @Test
  void theWaitDoublesFromTheFirstUpToTheCap() {
    Duration first = Duration.ofSeconds(5);
    Duration cap = Duration.ofSeconds(30);
    assertThat(DeliveryPolicy.retryDelay(1, first, cap)).isEqualTo(Duration.ofSeconds(5));
    assertThat(DeliveryPolicy.retryDelay(2, first, cap)).isEqualTo(Duration.ofSeconds(10));
    assertThat(DeliveryPolicy.retryDelay(3, first, cap)).isEqualTo(Duration.ofSeconds(20));
    assertThat(DeliveryPolicy.retryDelay(4, first, cap)).isEqualTo(Duration.ofSeconds(30));
    assertThat(DeliveryPolicy.retryDelay(1000, first, cap)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aNewGroupWaitsGroupWait() {
    assertThat(DeliveryPolicy.groupDue(T0, Duration.ofSeconds(30), Duration.ofMinutes(5), null))
      .isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void aGroupThatSentRecentlyWaitsUntilGroupIntervalHasPassed() {
    assertThat(DeliveryPolicy.groupDue(T0, Duration.ofSeconds(30), Duration.ofMinutes(5), T0.minusSeconds(60)))
      .isEqualTo(T0.plusSeconds(240));
    assertThat(DeliveryPolicy.groupDue(T0, Duration.ofSeconds(30), Duration.ofMinutes(5), T0.minusSeconds(3600)))
      .isEqualTo(T0.plusSeconds(30));
  }
}
