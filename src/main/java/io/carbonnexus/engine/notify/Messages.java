package io.carbonnexus.engine.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What each kind of receiver is sent for one notification (a group of alerts). Pure: the
 * delivery verticle does the I/O.
 */
public final class Messages {

  /** Alertmanager's "no end" time: a firing alert's {@code endsAt}. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private Messages() {
  }

  /** A notification as the senders see it. {@code topActions}: hotspot id → best action title, when known. */
  public record Group(String notificationId, String receiver, String groupKey, Map<String, String> groupLabels,
                      List<NotifyAlert> alerts, Map<Long, String> topActions, String externalUrl) {

    boolean firing() {
      return alerts.stream().anyMatch(a -> !a.resolved());
    }
  }

  /**
   * The Alertmanager webhook payload, version 4, so that any consumer of Alertmanager webhooks
   * reads it: common labels and annotations are those every alert of the group shares.
   */
  public static JsonObject webhook(Group g) {
    JsonArray alerts = new JsonArray();
    for (NotifyAlert a : g.alerts()) {
      alerts.add(new JsonObject()
        .put("status", a.resolved() ? "resolved" : "firing")
        .put("labels", new JsonObject(new LinkedHashMap<>(a.labels())))
        .put("annotations", annotations(a))
        .put("startsAt", startsAt(a))
        .put("endsAt", a.resolved() ? (a.endsAt() == null ? a.createdAt() : a.endsAt()).toString() : ZERO_TIME)
        .put("generatorURL", link(g.externalUrl(), a))
        .put("fingerprint", fingerprint(a.labels())));
    }
    return new JsonObject()
      .put("version", "4")
      .put("groupKey", g.groupKey())
      .put("truncatedAlerts", 0)
      .put("status", g.firing() ? "firing" : "resolved")
      .put("receiver", g.receiver())
      .put("groupLabels", new JsonObject(new LinkedHashMap<>(g.groupLabels())))
      .put("commonLabels", common(g.alerts().stream().map(NotifyAlert::labels).toList()))
      .put("commonAnnotations", common(g.alerts().stream()
        .map(a -> annotationMap(a)).toList()))
      .put("externalURL", g.externalUrl())
      .put("alerts", alerts);
  }

  /** The body Alertmanager's {@code POST /api/v2/alerts} takes: a firing alert ends at {@code validUntil} unless refreshed. */
  public static JsonArray alertmanager(List<NotifyAlert> alerts, String externalUrl, Instant validUntil) {
    JsonArray out = new JsonArray();
    for (NotifyAlert a : alerts) {
      out.add(new JsonObject()
        .put("labels", new JsonObject(new LinkedHashMap<>(a.labels())))
        .put("annotations", annotations(a))
        .put("startsAt", startsAt(a))
        .put("endsAt", a.resolved() ? (a.endsAt() == null ? a.createdAt() : a.endsAt()).toString() : validUntil.toString())
        .put("generatorURL", link(externalUrl, a)));
    }
    return out;
  }

  /** A Slack incoming-webhook message: one attachment per alert, coloured by severity. */
  public static JsonObject slack(Group g) {
    long firing = g.alerts().stream().filter(a -> !a.resolved()).count();
    String title = g.alerts().size() == 1 ? headline(g.alerts().get(0))
      : g.alerts().size() + " carbon alerts (" + firing + " firing, " + (g.alerts().size() - firing) + " resolved)";
    JsonArray attachments = new JsonArray();
    for (NotifyAlert a : g.alerts()) {
      StringBuilder text = new StringBuilder()
        .append(a.entityType()).append(" *").append(a.entity()).append('*');
      if (a.percentAbove() != null) {
        text.append(": ").append(a.percentAbove()).append("% above baseline");
      }
      if (a.window() != null) {
        text.append(" (").append(a.window()).append(a.hotspotKind() == null ? "" : " " + a.hotspotKind()).append(')');
      }
      String action = g.topActions().get(a.hotspotId());
      if (action != null && !a.resolved()) {
        text.append("\nTop recommendation: ").append(action);
      }
      attachments.add(new JsonObject()
        .put("color", a.resolved() ? "#2eb886" : colour(a))
        .put("title", headline(a))
        .put("title_link", link(g.externalUrl(), a))
        .put("text", text.toString())
        .put("fallback", headline(a)));
    }
    return new JsonObject()
      .put("text", title + " — <" + g.externalUrl() + "|open the dashboard>")
      .put("attachments", attachments);
  }

  /** The e-mail subject. */
  public static String subject(Group g) {
    if (g.alerts().size() == 1) {
      return "[Carbon Nexus] " + headline(g.alerts().get(0));
    }
    long firing = g.alerts().stream().filter(a -> !a.resolved()).count();
    return "[Carbon Nexus] " + g.alerts().size() + " alerts: " + firing + " firing, " + (g.alerts().size() - firing)
      + " resolved";
  }

  public static String text(Group g) {
    StringBuilder out = new StringBuilder();
    for (NotifyAlert a : g.alerts()) {
      out.append(headline(a)).append('\n')
        .append("  ").append(a.entityType()).append(": ").append(a.entity()).append('\n');
      if (a.percentAbove() != null) {
        out.append("  ").append(a.percentAbove()).append("% above baseline").append('\n');
      }
      String action = g.topActions().get(a.hotspotId());
      if (action != null && !a.resolved()) {
        out.append("  Top recommendation: ").append(action).append('\n');
      }
      out.append("  ").append(link(g.externalUrl(), a)).append("\n\n");
    }
    return out.append("Dashboard: ").append(g.externalUrl()).append('\n').toString();
  }

  public static String html(Group g) {
    StringBuilder out = new StringBuilder("<html><body><ul>");
    for (NotifyAlert a : g.alerts()) {
      out.append("<li><strong style=\"color:").append(a.resolved() ? "#2eb886" : colour(a)).append("\">")
        .append(escape(headline(a))).append("</strong><br>")
        .append(escape(a.entityType())).append(": ").append(escape(a.entity()));
      if (a.percentAbove() != null) {
        out.append("<br>").append(a.percentAbove()).append("% above baseline");
      }
      String action = g.topActions().get(a.hotspotId());
      if (action != null && !a.resolved()) {
        out.append("<br>Top recommendation: ").append(escape(action));
      }
      out.append("<br><a href=\"").append(escape(link(g.externalUrl(), a))).append("\">details</a></li>");
    }
    return out.append("</ul><p><a href=\"").append(escape(g.externalUrl())).append("\">Open the dashboard</a></p>")
      .append("</body></html>").toString();
  }

  /** Alertmanager-style: a stable hex id of the label set, the same on every node. */
  static String fingerprint(Map<String, String> labels) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0xff);
        digest.update(String.valueOf(e.getValue()).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0xff);
      });
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static String headline(NotifyAlert a) {
    String state = a.resolved() ? "RESOLVED" : a.level().wire().toUpperCase(java.util.Locale.ROOT);
    return "[" + state + "] " + a.message();
  }

  private static String colour(NotifyAlert a) {
    return switch (a.level()) {
      case CRITICAL -> "#d00000";
      case WARN -> "#f2a900";
      case INFO -> "#439fe0";
    };
  }

  private static String startsAt(NotifyAlert a) {
    return (a.startsAt() == null ? a.createdAt() : a.startsAt()).toString();
  }

  private static JsonObject annotations(NotifyAlert a) {
    return new JsonObject(new LinkedHashMap<>(annotationMap(a)));
  }

  private static Map<String, String> annotationMap(NotifyAlert a) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("summary", a.message());
    map.put("description", description(a));
    return map;
  }

  private static String description(NotifyAlert a) {
    StringBuilder d = new StringBuilder().append(a.entityType()).append(' ').append(a.entity());
    if (a.percentAbove() != null) {
      d.append(" is ").append(a.percentAbove()).append("% above its baseline");
    }
    if (a.window() != null) {
      d.append(" over ").append(a.window());
    }
    if (a.hotspotKind() != null) {
      d.append(" (").append(a.hotspotKind()).append(')');
    }
    return d.append(a.resolved() ? "; resolved" : "").toString();
  }

  private static JsonObject common(List<Map<String, String>> maps) {
    JsonObject common = new JsonObject();
    if (maps.isEmpty()) {
      return common;
    }
    maps.get(0).forEach((k, v) -> {
      if (maps.stream().allMatch(m -> Objects.equals(m.get(k), v))) {
        common.put(k, v);
      }
    });
    return common;
  }

  private static String link(String externalUrl, NotifyAlert a) {
    String base = externalUrl.endsWith("/") ? externalUrl : externalUrl + "/";
    return base + "#hotspot=" + a.hotspotId();
  }

  private static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
