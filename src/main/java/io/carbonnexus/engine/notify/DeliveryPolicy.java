package io.carbonnexus.engine.notify;

import java.time.Duration;
import java.time.Instant;

/** When a notification is due, and what an attempt's outcome means for it. */
public final class DeliveryPolicy {

  /** What happens to a notification after one attempt. */
  public enum Verdict {
    SENT,
    /** The receiver may take it later: 5xx, 408, 429, a timeout or no connection. */
    RETRY,
    /** The receiver refuses it and would refuse it again (4xx other than 408 and 429): recorded, not retried. */
    FAILED
  }

  private DeliveryPolicy() {
  }

  public static Verdict ofStatus(int status) {
    if (status >= 200 && status < 300) {
      return Verdict.SENT;
    }
    if (status >= 500 || status == 429 || status == 408) {
      return Verdict.RETRY;
    }
    return Verdict.FAILED;
  }

  /** The wait after the {@code attempts}-th failed attempt (1 = the first): doubling from {@code first}, capped. */
  public static Duration retryDelay(int attempts, Duration first, Duration max) {
    int doublings = Math.max(0, Math.min(attempts - 1, 40));
    long ms = first.toMillis();
    for (int i = 0; i < doublings && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }

  /**
   * When a new message of a group is due: after {@code group_wait} for the group's burst to
   * gather, and not before {@code group_interval} after the group's last message.
   */
  public static Instant groupDue(Instant now, Duration groupWait, Duration groupInterval, Instant lastMessageAt) {
    Instant due = now.plus(groupWait);
    if (lastMessageAt != null && lastMessageAt.plus(groupInterval).isAfter(due)) {
      return lastMessageAt.plus(groupInterval);
    }
    return due;
  }
}
