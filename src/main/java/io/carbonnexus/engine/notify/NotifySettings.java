package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The receivers and routes of {@code notify.*}, checked as a whole: a receiver or route that
 * cannot work stops start-up (and a live re-read keeps the previous settings) with a message
 * naming the entry, rather than failing silently at the first alert.
 */
public record NotifySettings(Map<String, Receiver> receivers, List<Route> routes, Route defaults, Delivery delivery,
                             String externalUrl) {

  /** How deliveries are retried and timed. */
  public record Delivery(Duration retryFirst, Duration retryMax, Duration giveUpAfter, Duration timeout,
                         Duration pollInterval, Duration alertmanagerRefresh) {
  }

  private static final Set<String> RECEIVER_FIELDS = Set.of("name", "kind", "url", "secret", "headers", "to", "smtp");
  private static final Set<String> SMTP_FIELDS = Set.of("host", "port", "tls", "user", "password", "from");
  private static final Set<String> ROUTE_FIELDS = Set.of("receiver", "min_severity", "entity_type", "entity",
    "group_by", "group_wait", "group_interval", "send_resolved");

  public static NotifySettings of(JsonObject config) {
    Map<String, Receiver> receivers = new LinkedHashMap<>();
    JsonArray listed = ConfigKeys.NOTIFY_RECEIVERS.get(config);
    for (int i = 0; i < listed.size(); i++) {
      JsonObject entry = listed.getJsonObject(i);
      String where = "notify.receivers[" + i + "]" + (entry.getValue("name") instanceof String n ? " '" + n + "'" : "");
      try {
        Receiver r = receiver(entry, config);
        if (receivers.putIfAbsent(r.name(), r) != null) {
          throw new IllegalArgumentException("another receiver has the same name");
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + ": " + e.getMessage());
      }
    }
    List<Receiver> single;
    try {
      single = fromSingleKeys(config);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    for (Receiver r : single) {
      if (receivers.putIfAbsent(r.name(), r) != null) {
        throw new ConfigException("notify.receivers: '" + r.name() + "' is also set by NEXUS_NOTIFY_"
          + r.kind().wire().toUpperCase(Locale.ROOT) + "_*: rename the listed one");
      }
    }
    List<String> defaultGroupBy;
    try {
      defaultGroupBy = labels(ConfigKeys.NOTIFY_GROUP_BY.get(config));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("notify.group_by (NEXUS_NOTIFY_GROUP_BY): " + e.getMessage());
    }
    Route defaults = new Route("default", null, null, null, null, defaultGroupBy,
      ConfigKeys.NOTIFY_GROUP_WAIT.get(config), ConfigKeys.NOTIFY_GROUP_INTERVAL.get(config),
      ConfigKeys.NOTIFY_SEND_RESOLVED.get(config));
    List<Route> routes = new ArrayList<>();
    JsonArray listedRoutes = ConfigKeys.NOTIFY_ROUTES.get(config);
    for (int i = 0; i < listedRoutes.size(); i++) {
      try {
        routes.add(route(i, listedRoutes.getJsonObject(i), defaults, receivers));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("notify.routes[" + i + "]: " + e.getMessage());
      }
    }
    Delivery delivery = new Delivery(ConfigKeys.NOTIFY_RETRY_FIRST.get(config), ConfigKeys.NOTIFY_RETRY_MAX.get(config),
      ConfigKeys.NOTIFY_GIVE_UP_AFTER.get(config), ConfigKeys.NOTIFY_TIMEOUT.get(config),
      ConfigKeys.NOTIFY_POLL_INTERVAL.get(config), ConfigKeys.NOTIFY_ALERTMANAGER_REFRESH.get(config));
    String external = ConfigKeys.NOTIFY_EXTERNAL_URL.get(config);
    if (external == null) {
      external = "http://" + ConfigKeys.HTTP_HOST.get(config) + ":" + ConfigKeys.HTTP_PORT.get(config) + "/";
    } else {
      try {
        checkUrl(external, "notify.external_url (NEXUS_NOTIFY_EXTERNAL_URL)");
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
    return new NotifySettings(Map.copyOf(receivers), List.copyOf(routes), defaults, delivery, external);
  }

  /** The routes an alert takes: per receiver the first of its routes that matches, or the default route. */
  public List<Route> routesFor(NotifyAlert alert) {
    List<Route> chosen = new ArrayList<>();
    for (Receiver r : receivers.values()) {
      List<Route> own = routes.stream().filter(route -> route.receiver().equals(r.name())).toList();
      if (own.isEmpty()) {
        Route d = withReceiver(defaults, r.name());
        if (d.matches(alert)) {
          chosen.add(d);
        }
      } else {
        own.stream().filter(route -> route.matches(alert)).findFirst().ifPresent(chosen::add);
      }
    }
    return chosen;
  }

  private static Route withReceiver(Route d, String receiver) {
    return new Route(d.name(), receiver, d.minSeverity(), d.entityType(), d.entityPattern(), d.groupBy(), d.groupWait(),
      d.groupInterval(), d.sendResolved());
  }

  private static List<Receiver> fromSingleKeys(JsonObject config) {
    List<Receiver> found = new ArrayList<>();
    String webhook = ConfigKeys.NOTIFY_WEBHOOK_URL.get(config);
    if (webhook != null) {
      checkUrl(webhook, "notify.webhook.url (NEXUS_NOTIFY_WEBHOOK_URL)");
      found.add(new Receiver("webhook", Receiver.Kind.WEBHOOK, webhook, ConfigKeys.NOTIFY_WEBHOOK_SECRET.get(config),
        Map.of(), List.of(), null));
    }
    String slack = ConfigKeys.NOTIFY_SLACK_URL.get(config);
    if (slack != null) {
      checkUrl(slack, "notify.slack.url (NEXUS_NOTIFY_SLACK_URL)");
      found.add(new Receiver("slack", Receiver.Kind.SLACK, slack, null, Map.of(), List.of(), null));
    }
    String to = ConfigKeys.NOTIFY_EMAIL_TO.get(config);
    if (to != null) {
      List<String> addresses = Arrays.stream(to.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      try {
        found.add(new Receiver("email", Receiver.Kind.EMAIL, null, null, Map.of(), addresses(addresses),
          smtp(new JsonObject(), config)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("notify.email.to (NEXUS_NOTIFY_EMAIL_TO): " + e.getMessage());
      }
    }
    String alertmanager = ConfigKeys.NOTIFY_ALERTMANAGER_URL.get(config);
    if (alertmanager != null) {
      checkUrl(alertmanager, "notify.alertmanager.url (NEXUS_NOTIFY_ALERTMANAGER_URL)");
      found.add(new Receiver("alertmanager", Receiver.Kind.ALERTMANAGER, alertmanager, null, Map.of(), List.of(), null));
    }
    return found;
  }

  private static Receiver receiver(JsonObject entry, JsonObject config) {
    unknownFields(entry, RECEIVER_FIELDS);
    String name = text(entry, "name");
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("name is required: letters, digits, '.', '_' or '-', at most 64");
    }
    Receiver.Kind kind = Receiver.Kind.of(text(entry, "kind"));
    String url = text(entry, "url");
    Map<String, String> headers = new LinkedHashMap<>();
    if (entry.getValue("headers") != null) {
      if (!(entry.getValue("headers") instanceof JsonObject h)) {
        throw new IllegalArgumentException("headers must be name: value pairs");
      }
      h.forEach(e -> {
        if (!e.getKey().matches("[A-Za-z0-9-]+") || e.getValue() == null || String.valueOf(e.getValue()).contains("\n")) {
          throw new IllegalArgumentException("header '" + e.getKey() + "' is not a valid HTTP header");
        }
        headers.put(e.getKey(), String.valueOf(e.getValue()));
      });
    }
    return switch (kind) {
      case WEBHOOK, SLACK, ALERTMANAGER -> {
        if (url == null) {
          throw new IllegalArgumentException("url is required for a " + kind.wire() + " receiver");
        }
        checkUrl(url, "url");
        if (kind != Receiver.Kind.WEBHOOK && text(entry, "secret") != null) {
          throw new IllegalArgumentException("only a webhook receiver is signed with a secret");
        }
        yield new Receiver(name, kind, url, text(entry, "secret"), Map.copyOf(headers), List.of(), null);
      }
      case EMAIL -> {
        Object to = entry.getValue("to");
        List<String> addresses = to instanceof JsonArray a ? a.stream().map(String::valueOf).toList()
          : to instanceof String s ? Arrays.stream(s.split(",")).map(String::trim).toList() : List.of();
        Object smtp = entry.getValue("smtp");
        if (smtp != null && !(smtp instanceof JsonObject)) {
          throw new IllegalArgumentException("smtp must be an object of host, port, tls, user, password, from");
        }
        yield new Receiver(name, kind, null, null, Map.of(), addresses(addresses),
          smtp(smtp == null ? new JsonObject() : (JsonObject) smtp, config));
      }
    };
  }

  private static List<String> addresses(List<String> addresses) {
    List<String> checked = addresses.stream().filter(s -> !s.isBlank()).toList();
    if (checked.isEmpty()) {
      throw new IllegalArgumentException("to needs at least one address");
    }
    for (String a : checked) {
      if (!a.matches("[^@\\s,<>]+@[^@\\s,<>]+")) {
        throw new IllegalArgumentException("'" + a + "' is not an e-mail address");
      }
    }
    return checked;
  }

  /** A receiver's own SMTP fields, each falling back to {@code notify.smtp.*}. */
  private static Receiver.Smtp smtp(JsonObject own, JsonObject config) {
    unknownFields(own, SMTP_FIELDS);
    String host = or(text(own, "host"), ConfigKeys.NOTIFY_SMTP_HOST.get(config));
    if (host == null) {
      throw new IllegalArgumentException("an e-mail receiver needs an SMTP server: set notify.smtp.host (NEXUS_NOTIFY_SMTP_HOST)");
    }
    int port = own.getValue("port") == null ? ConfigKeys.NOTIFY_SMTP_PORT.get(config) : port(own.getValue("port"));
    String tls = or(text(own, "tls"), ConfigKeys.NOTIFY_SMTP_TLS.get(config));
    if (!List.of("starttls", "tls", "none").contains(tls)) {
      throw new IllegalArgumentException("smtp tls '" + tls + "' is not starttls, tls or none");
    }
    return new Receiver.Smtp(host, port, tls, or(text(own, "user"), ConfigKeys.NOTIFY_SMTP_USER.get(config)),
      or(text(own, "password"), ConfigKeys.NOTIFY_SMTP_PASSWORD.get(config)),
      or(text(own, "from"), ConfigKeys.NOTIFY_SMTP_FROM.get(config)));
  }

  private static int port(Object raw) {
    try {
      int port = Integer.parseInt(String.valueOf(raw).trim());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("smtp port '" + raw + "' is not from 1 to 65535");
  }

  private static Route route(int index, JsonObject entry, Route defaults, Map<String, Receiver> receivers) {
    unknownFields(entry, ROUTE_FIELDS);
    String receiver = text(entry, "receiver");
    if (receiver == null) {
      throw new IllegalArgumentException("receiver is required");
    }
    if (!receivers.containsKey(receiver)) {
      throw new IllegalArgumentException("no receiver is named '" + receiver + "' (receivers: "
        + String.join(", ", receivers.keySet()) + ")");
    }
    String min = text(entry, "min_severity");
    String pattern = text(entry, "entity");
    Object groupBy = entry.getValue("group_by");
    List<String> labels = groupBy == null ? defaults.groupBy()
      : groupBy instanceof JsonArray a ? labels(String.join(",", a.stream().map(String::valueOf).toList()))
      : labels(String.valueOf(groupBy));
    Object resolved = entry.getValue("send_resolved");
    if (resolved != null && !(resolved instanceof Boolean)) {
      throw new IllegalArgumentException("send_resolved must be true or false");
    }
    return new Route("route" + index, receiver, min == null ? null : Severity.of(min), text(entry, "entity_type"),
      pattern == null ? null : Route.glob(pattern), labels, duration(entry, "group_wait", defaults.groupWait()),
      duration(entry, "group_interval", defaults.groupInterval()),
      resolved == null ? defaults.sendResolved() : (Boolean) resolved);
  }

  private static Duration duration(JsonObject entry, String field, Duration fallback) {
    Object raw = entry.getValue(field);
    if (raw == null) {
      return fallback;
    }
    try {
      return ConfigKey.parseDurationText(String.valueOf(raw));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage());
    }
  }

  private static List<String> labels(String list) {
    if (list == null || list.isBlank()) {
      return List.of();
    }
    List<String> labels = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String label : labels) {
      if (!Route.LABELS.contains(label)) {
        throw new IllegalArgumentException("group_by: '" + label + "' is not one of " + String.join(", ", Route.LABELS));
      }
    }
    return labels;
  }

  private static void checkUrl(String url, String what) {
    // Only the start of the URL is shown: a Slack webhook's path (or a token in a query) is its secret.
    String shown = url.replaceFirst("^([^:/]*:?/*[^/?#]*).*", "$1") + (url.matches("^[^:/]*:?/*[^/?#]*$") ? "" : "/...");
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getHost() == null) {
        throw new IllegalArgumentException(what + " '" + shown + "' is not an http(s) URL");
      }
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(what + " '" + shown + "' is not an http(s) URL");
    }
  }

  private static void unknownFields(JsonObject entry, Set<String> known) {
    for (String field : entry.fieldNames()) {
      if (!known.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' (known: " + String.join(", ",
          known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static String text(JsonObject entry, String field) {
    Object v = entry.getValue(field);
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? null : s;
  }

  private static String or(String value, String fallback) {
    return value != null ? value : fallback;
  }
}
