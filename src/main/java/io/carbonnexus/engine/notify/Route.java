package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.shared.Severity;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which alerts one receiver gets and how they are grouped, with Alertmanager's meaning: alerts
 * whose {@code group_by} labels agree form one group; a new group waits {@code group_wait} to
 * gather its burst into one message, and later messages of the group are at least
 * {@code group_interval} apart.
 *
 * @param name          how the delivery log and the group key name the route ({@code default} for the default one)
 * @param entityPattern null = every entity; else a full match with {@code *} as any text
 */
public record Route(String name, String receiver, Severity minSeverity, String entityType, Pattern entityPattern,
                    List<String> groupBy, Duration groupWait, Duration groupInterval, boolean sendResolved) {

  /** The labels every notified alert carries, the only ones {@code group_by} may name. */
  public static final List<String> LABELS = List.of("alertname", "severity", "entity_type", "entity");

  public boolean matches(NotifyAlert alert) {
    if (alert.resolved() && !sendResolved) {
      return false;
    }
    if (minSeverity != null && minSeverity.above(alert.level())) {
      return false;
    }
    if (entityType != null && !entityType.equals(alert.entityType())) {
      return false;
    }
    return entityPattern == null || (alert.entity() != null && entityPattern.matcher(alert.entity()).matches());
  }

  /** The values of the {@code group_by} labels, in their order. */
  public Map<String, String> groupLabels(NotifyAlert alert) {
    Map<String, String> labels = alert.labels();
    Map<String, String> group = new LinkedHashMap<>();
    for (String label : groupBy) {
      group.put(label, labels.get(label));
    }
    return group;
  }

  /** Identifies the group: alerts with the same key join one message while it gathers. */
  public String groupKey(NotifyAlert alert) {
    StringBuilder key = new StringBuilder(name).append(":{");
    groupLabels(alert).forEach((k, v) -> {
      if (key.charAt(key.length() - 1) != '{') {
        key.append(',');
      }
      key.append(k).append("=\"").append(v).append('"');
    });
    return key.append('}').toString();
  }

  /** A glob with {@code *} as the only wildcard; everything else matches itself. */
  static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
