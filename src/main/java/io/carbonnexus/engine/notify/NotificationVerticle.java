package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Takes stored alerts to the people who act on them. Two passes, on a timer and whenever an alert
 * is published: routing moves each new alert from the outbox into its receivers' grouped messages;
 * delivery claims the messages that are due (each by one node of a cluster) and sends them,
 * recording every attempt. A message is retried with a doubling wait until it is sent, refused
 * (4xx other than 408/429) or too old; the delivery log is {@code GET /notifications}.
 */
public final class NotificationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationVerticle.class);
  /** Alerts routed, and messages claimed, per transaction. */
  private static final int BATCH = 100;
  /** Longest error text kept in the log: a receiver's error page is not worth more. */
  private static final int MAX_ERROR = 500;

  private final Clock clock;
  private Pool pool;
  private WebClient http;
  private MeterRegistry registry;
  private volatile NotifySettings settings;
  private final Map<String, MailClient> mailers = new HashMap<>();
  private long pollTimer = -1;
  private long refreshTimer = -1;
  /** Event-loop state: one pass at a time; a request during a pass runs another after it. */
  private boolean passing;
  private boolean passAgain;
  private Future<Void> currentPass = Future.succeededFuture();

  public NotificationVerticle() {
    this(Clock.systemUTC());
  }

  public NotificationVerticle(Clock clock) {
    this.clock = clock;
  }

  /** One attempt's result: what it means, the HTTP status when there was one, and the error text. */
  record Outcome(DeliveryPolicy.Verdict verdict, Integer status, String error) {
  }

  @Override
  public Future<?> start() {
    try {
      settings = NotifySettings.of(config());
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    pool = Pools.shared(vertx, config());
    registry = Metrics.registry(config());
    http = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) settings.delivery().timeout().toMillis())
      .setUserAgent("carbon-nexus-notify")
      .setFollowRedirects(false));
    return vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFICATIONS_LIST, m -> BusFailure.answer(m, this::list))
      .completion()
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.RECEIVER_TEST,
        m -> BusFailure.answer(m, "test notification not stored", this::test)).completion())
      .compose(v -> vertx.eventBus().<JsonObject>localConsumer(Addresses.NOTIFY_SETTINGS, this::settingsChanged)
        .completion())
      // An alert was stored: route it now rather than at the next tick, so group_wait counts from about then.
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.ALERTS, m -> pass()).completion())
      .onSuccess(v -> {
        long poll = settings.delivery().pollInterval().toMillis();
        pollTimer = vertx.setPeriodic(poll, poll, id -> pass());
        long refresh = settings.delivery().alertmanagerRefresh().toMillis();
        refreshTimer = vertx.setPeriodic(refresh, refresh, id -> refreshAlertmanagers());
        LOG.info("Notifications up: receivers {}", settings.receivers().values());
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(refreshTimer);
    return currentPass.otherwiseEmpty().eventually(() -> {
      mailers.values().forEach(MailClient::close);
      if (http != null) {
        http.close();
      }
      return Future.succeededFuture();
    });
  }

  private void settingsChanged(Message<JsonObject> message) {
    try {
      JsonObject merged = config().copy().put("notify", message.body());
      NotifySettings next = NotifySettings.of(merged);
      settings = next;
      mailers.values().forEach(MailClient::close);
      mailers.clear();
      LOG.info("Notification receivers now {}", next.receivers().values());
    } catch (ConfigException e) {
      LOG.error("Keeping the previous notification settings: {}", e.getMessage());
    }
  }

  private void pass() {
    if (passing) {
      passAgain = true;
      return;
    }
    passing = true;
    passAgain = false;
    currentPass = routeAll().compose(v -> deliverAll())
      .recover(err -> {
        LOG.warn("Notification pass failed (the next one retries): {}", err.getMessage());
        return Future.succeededFuture();
      })
      .onComplete(ar -> {
        passing = false;
        if (passAgain) {
          pass();
        }
      });
  }

  // ---- routing -------------------------------------------------------------------------------

  private Future<Void> routeAll() {
    return routeBatch().compose(full -> full ? routeAll() : Future.succeededFuture());
  }

  /** Routes one batch of the outbox in one transaction; true when there may be more. */
  private Future<Boolean> routeBatch() {
    NotifySettings s = settings;
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(NotifySql.TAKE_OUTBOX).execute(Tuple.of(BATCH))
      .compose(rows -> {
        List<NotifyAlert> alerts = new ArrayList<>();
        rows.forEach(r -> alerts.add(alert(r)));
        Future<Void> chain = Future.succeededFuture();
        for (NotifyAlert a : alerts) {
          for (Route route : s.routesFor(a)) {
            Receiver receiver = s.receivers().get(route.receiver());
            chain = chain.compose(v -> addToGroup(conn, a, route, receiver, now));
          }
        }
        Long[] ids = alerts.stream().map(NotifyAlert::alertId).toArray(Long[]::new);
        return chain.compose(v -> ids.length == 0 ? Future.succeededFuture()
            : conn.preparedQuery(NotifySql.DELETE_OUTBOX).execute(Tuple.of(ids)).mapEmpty())
          .map(v -> alerts.size() == BATCH);
      }));
  }

  private Future<Void> addToGroup(SqlConnection conn, NotifyAlert a, Route route, Receiver receiver, Instant now) {
    String groupKey = route.groupKey(a);
    return conn.preparedQuery(NotifySql.GROUP_LAST_SENT).execute(Tuple.of(receiver.name(), groupKey))
      .compose(rows -> {
        OffsetDateTime last = rows.iterator().next().getOffsetDateTime(0);
        Instant due = DeliveryPolicy.groupDue(now, route.groupWait(), route.groupInterval(),
          last == null ? null : last.toInstant());
        return conn.preparedQuery(NotifySql.ADD_TO_GROUP).execute(Tuple.tuple()
          .addString(UUID.randomUUID().toString()).addString(receiver.name()).addString(receiver.kind().wire())
          .addString(route.name()).addString(groupKey).addValue(new JsonObject(new LinkedHashMap<>(route.groupLabels(a))))
          .addValue(a.toJson()).addLong(a.alertId()).addOffsetDateTime(at(now)).addOffsetDateTime(at(due)));
      })
      .mapEmpty();
  }

  private static NotifyAlert alert(Row r) {
    OffsetDateTime opened = r.getOffsetDateTime("opened_at");
    OffsetDateTime resolved = r.getOffsetDateTime("resolved_at");
    return new NotifyAlert(r.getLong("id"), r.getLong("hotspot_id"), Severity.of(r.getString("level")),
      r.getString("kind"), r.getString("message"), r.getString("entity_type"), r.getString("entity"),
      r.getInteger("percent_above"), r.getOffsetDateTime("created_at").toInstant(),
      opened == null ? null : opened.toInstant(),
      resolved == null || !"resolved".equals(r.getString("kind")) ? null : resolved.toInstant(),
      r.getString("window"), r.getString("hotspot_kind"));
  }

  // ---- delivery ------------------------------------------------------------------------------

  private Future<Void> deliverAll() {
    Instant now = clock.instant();
    Instant leaseEnd = now.plus(lease());
    return pool.preparedQuery(NotifySql.CLAIM_DUE).execute(Tuple.of(at(now), at(leaseEnd), BATCH))
      .compose(rows -> {
        List<Future<Void>> sends = new ArrayList<>();
        rows.forEach(r -> sends.add(sendAndRecord(r)));
        return Future.join(sends).otherwiseEmpty()
          .compose(v -> rows.size() == BATCH ? deliverAll() : Future.succeededFuture());
      });
  }

  /** Longer than any one attempt can take, so that a live node's claim never lapses mid-send. */
  private Duration lease() {
    return settings.delivery().timeout().multipliedBy(2).plusSeconds(5);
  }

  private Future<Void> sendAndRecord(Row row) {
    long id = row.getLong("id");
    String name = row.getString("receiver");
    int attempts = row.getInteger("attempts");
    Instant firstDue = row.getOffsetDateTime("first_due_at").toInstant();
    Receiver receiver = settings.receivers().get(name);
    long started = System.nanoTime();
    Future<Outcome> attempt = receiver == null
      ? Future.succeededFuture(new Outcome(DeliveryPolicy.Verdict.FAILED, null,
        "receiver '" + name + "' is no longer configured"))
      : group(row, receiver).compose(g -> send(receiver, g))
        .recover(err -> Future.succeededFuture(new Outcome(DeliveryPolicy.Verdict.RETRY, null, describe(err))));
    return attempt.compose(outcome -> {
      Timer.builder("nexus_notification_duration").description("Time of one delivery attempt to a receiver")
        .tag("receiver", name).register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      Instant now = clock.instant();
      return record(id, name, attempts, firstDue, outcome, now);
    }).recover(err -> {
      LOG.warn("Notification {} to {}: attempt not recorded ({}); sent again after its lease", id, name, err.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> record(long id, String receiver, int attempts, Instant firstDue, Outcome outcome, Instant now) {
    DeliveryPolicy.Verdict verdict = outcome.verdict();
    String error = outcome.error() == null ? null : truncate(outcome.error());
    if (verdict == DeliveryPolicy.Verdict.RETRY
      && !now.isBefore(firstDue.plus(settings.delivery().giveUpAfter()))) {
      verdict = DeliveryPolicy.Verdict.FAILED;
      error = "gave up after " + attempts + " attempts: " + error;
    }
    counter(verdict, receiver).increment();
    return switch (verdict) {
      case SENT -> pool.preparedQuery(NotifySql.RECORD_SENT)
        .execute(Tuple.of(id, at(now), outcome.status())).mapEmpty();
      case RETRY -> {
        Instant next = now.plus(DeliveryPolicy.retryDelay(attempts, settings.delivery().retryFirst(),
          settings.delivery().retryMax()));
        LOG.info("Notification {} to {} not delivered (attempt {}), retrying at {}: {}", id, receiver, attempts, next, error);
        yield pool.preparedQuery(NotifySql.RECORD_RETRY)
          .execute(Tuple.of(id, at(now), at(next), error, outcome.status())).mapEmpty();
      }
      case FAILED -> {
        LOG.warn("Notification {} to {} failed for good: {}", id, receiver, error);
        yield pool.preparedQuery(NotifySql.RECORD_FAILED)
          .execute(Tuple.of(id, at(now), error, outcome.status())).mapEmpty();
      }
    };
  }

  private Counter counter(DeliveryPolicy.Verdict verdict, String receiver) {
    String name = switch (verdict) {
      case SENT -> "nexus_notifications_sent_total";
      case RETRY -> "nexus_notifications_retried_total";
      case FAILED -> "nexus_notifications_failed_total";
    };
    return Counter.builder(name).description("Notification attempts per receiver that " + switch (verdict) {
      case SENT -> "were delivered";
      case RETRY -> "will be retried";
      case FAILED -> "failed for good";
    }).tag("receiver", receiver).register(registry);
  }

  private Future<Messages.Group> group(Row row, Receiver receiver) {
    List<NotifyAlert> alerts = new ArrayList<>();
    JsonArray listed = row.getJsonArray("alerts");
    for (int i = 0; i < listed.size(); i++) {
      alerts.add(NotifyAlert.fromJson(listed.getJsonObject(i)));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    JsonObject groupLabels = row.getJsonObject("group_labels");
    groupLabels.forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
    String notificationId = row.getString("notification_id");
    Future<Map<Long, String>> actions = receiver.kind() == Receiver.Kind.SLACK || receiver.kind() == Receiver.Kind.EMAIL
      ? topActions(alerts) : Future.succeededFuture(Map.of());
    return actions.map(top -> new Messages.Group(notificationId, receiver.name(), row.getString("group_key"), labels,
      alerts, top, settings.externalUrl()));
  }

  private Future<Map<Long, String>> topActions(List<NotifyAlert> alerts) {
    Long[] hotspots = alerts.stream().map(NotifyAlert::hotspotId).distinct().toArray(Long[]::new);
    return pool.preparedQuery(NotifySql.TOP_ACTIONS).execute(Tuple.of(hotspots)).map(rows -> {
      Map<Long, String> top = new HashMap<>();
      rows.forEach(r -> top.put(r.getLong(0), r.getString(1)));
      return top;
    });
  }

  private Future<Outcome> send(Receiver receiver, Messages.Group g) {
    return switch (receiver.kind()) {
      case WEBHOOK -> post(receiver, receiver.url(), g.notificationId(), Messages.webhook(g).toBuffer(), true);
      case SLACK -> post(receiver, receiver.url(), g.notificationId(), Messages.slack(g).toBuffer(), false);
      case ALERTMANAGER -> post(receiver, alertmanagerUrl(receiver), g.notificationId(),
        Messages.alertmanager(g.alerts(), g.externalUrl(), validUntil()).toBuffer(), false);
      case EMAIL -> mail(receiver, g);
    };
  }

  private static String alertmanagerUrl(Receiver receiver) {
    String base = receiver.url().endsWith("/") ? receiver.url().substring(0, receiver.url().length() - 1) : receiver.url();
    return base + "/api/v2/alerts";
  }

  /** Alertmanager resolves a pushed alert at its endsAt: three refreshes away, so that one lost push does not end it. */
  private Instant validUntil() {
    return clock.instant().plus(settings.delivery().alertmanagerRefresh().multipliedBy(3));
  }

  private Future<Outcome> post(Receiver receiver, String url, String notificationId, Buffer body, boolean signed) {
    HttpRequest<Buffer> request = http.postAbs(url)
      .timeout(settings.delivery().timeout().toMillis())
      .putHeader("Content-Type", "application/json")
      .putHeader(Signature.NOTIFICATION_ID_HEADER, notificationId);
    receiver.headers().forEach(request::putHeader);
    if (signed && receiver.secret() != null) {
      long timestamp = clock.instant().getEpochSecond();
      request.putHeader(Signature.TIMESTAMP_HEADER, String.valueOf(timestamp))
        .putHeader(Signature.SIGNATURE_HEADER, Signature.sign(receiver.secret(), timestamp, body.getBytes()));
    }
    return request.sendBuffer(body).map(response -> {
      DeliveryPolicy.Verdict verdict = DeliveryPolicy.ofStatus(response.statusCode());
      String error = verdict == DeliveryPolicy.Verdict.SENT ? null
        : "HTTP " + response.statusCode() + bodyText(response.body());
      return new Outcome(verdict, response.statusCode(), error);
    });
  }

  private static String bodyText(Buffer body) {
    if (body == null || body.length() == 0) {
      return "";
    }
    String text = body.getString(0, Math.min(body.length(), 200), StandardCharsets.UTF_8.name()).strip();
    return text.isEmpty() ? "" : ": " + text;
  }

  private Future<Outcome> mail(Receiver receiver, Messages.Group g) {
    MailClient client = mailers.computeIfAbsent(receiver.name(), n -> MailClient.create(vertx, mailConfig(receiver.smtp())));
    MailMessage message = new MailMessage()
      .setFrom(receiver.smtp().from())
      .setTo(receiver.to())
      .setSubject(Messages.subject(g))
      .setText(Messages.text(g))
      .setHtml(Messages.html(g));
    message.addHeader(Signature.NOTIFICATION_ID_HEADER, g.notificationId());
    return client.sendMail(message)
      .map(result -> new Outcome(DeliveryPolicy.Verdict.SENT, null, null))
      .recover(err -> {
        // A permanent SMTP refusal (5xx: unknown mailbox, relaying denied) would be refused again.
        String text = describe(err);
        boolean permanent = text.matches("(?s).*\\b5[0-9][0-9][ -].*") && !text.contains("timed out");
        return Future.succeededFuture(new Outcome(permanent ? DeliveryPolicy.Verdict.FAILED
          : DeliveryPolicy.Verdict.RETRY, null, text));
      });
  }

  private MailConfig mailConfig(Receiver.Smtp smtp) {
    MailConfig config = new MailConfig()
      .setHostname(smtp.host())
      .setPort(smtp.port())
      .setConnectTimeout((int) settings.delivery().timeout().toMillis())
      .setKeepAlive(false);
    switch (smtp.tls()) {
      case "tls" -> config.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
      case "none" -> config.setSsl(false).setStarttls(StartTLSOptions.DISABLED);
      default -> config.setSsl(false).setStarttls(StartTLSOptions.REQUIRED);
    }
    if (smtp.user() != null) {
      config.setUsername(smtp.user()).setPassword(smtp.password());
    }
    return config;
  }

  // ---- the delivery log and test messages ---------------------------------------------------

  /** GET /notifications: newest first, filtered. */
  private Future<JsonArray> list(JsonObject request) {
    ListQuery q = ListQuery.of(request);
    String status = ListQuery.oneOf(request, "status", List.of("pending", "sent", "failed"));
    String receiver = ListQuery.text(request, "receiver");
    Long alertId = ListQuery.number(request, "alert_id");
    return pool.preparedQuery(NotifySql.LIST).execute(Tuple.of(status, receiver, alertId, q.since(), q.limit()))
      .map(rows -> {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(logEntry(r)));
        return out;
      });
  }

  private static JsonObject logEntry(Row r) {
    JsonArray alertIds = new JsonArray();
    Long[] ids = r.getArrayOfLongs("alert_ids");
    for (Long id : ids) {
      alertIds.add(id);
    }
    boolean pending = "pending".equals(r.getString("status"));
    return new JsonObject()
      .put("id", r.getLong("id"))
      .put("notification_id", r.getString("notification_id"))
      .put("receiver", r.getString("receiver"))
      .put("receiver_kind", r.getString("receiver_kind"))
      .put("route", r.getString("route"))
      .put("group_key", r.getString("group_key"))
      .put("alert_ids", alertIds)
      .put("alerts", r.getInteger("alert_count"))
      .put("status", r.getString("status"))
      .put("attempts", r.getInteger("attempts"))
      .put("last_error", r.getString("last_error"))
      .put("last_status", r.getInteger("last_status"))
      .put("created_at", text(r.getOffsetDateTime("created_at")))
      .put("next_attempt_at", pending ? text(r.getOffsetDateTime("due_at")) : null)
      .put("sent_at", text(r.getOffsetDateTime("sent_at")))
      .put("updated_at", text(r.getOffsetDateTime("updated_at")));
  }

  /** POST /receivers/{name}/test: one message with a test alert, sent at once, recorded like any other. */
  private Future<JsonObject> test(JsonObject body) {
    String name = body.getString("receiver");
    Receiver receiver = name == null ? null : settings.receivers().get(name);
    if (receiver == null) {
      throw new BusFailure(FailureCode.NOT_FOUND, "no receiver is named '" + name + "'",
        new JsonObject().put("receivers", new JsonArray(settings.receivers().keySet().stream().sorted().toList())))
        .asException();
    }
    Instant now = clock.instant();
    NotifyAlert alert = new NotifyAlert(0, 0, Severity.INFO, "firing",
      "Test notification from Carbon Nexus to " + receiver.name(), EntityType.SUPPLIER.wire(), "test", 0, now, now, null,
      null, null);
    return pool.preparedQuery(NotifySql.INSERT_TEST).execute(Tuple.tuple()
        .addString(UUID.randomUUID().toString()).addString(receiver.name()).addString(receiver.kind().wire())
        .addString("test:" + UUID.randomUUID()).addValue(alert.toJson()).addOffsetDateTime(at(now))
        .addOffsetDateTime(at(now.plus(lease()))))
      .compose(rows -> {
        Row row = rows.iterator().next();
        long id = row.getLong("id");
        return sendAndRecord(row).compose(v -> pool.preparedQuery(NotifySql.BY_ID).execute(Tuple.of(id)));
      })
      .map(rows -> logEntry(rows.iterator().next()));
  }

  // ---- Alertmanager refresh -----------------------------------------------------------------

  /**
   * Alertmanager forgets an alert at its endsAt: firing alerts are pushed again, directly (a
   * refresh repeats a state, it is not a message worth a log entry; a lost one is covered by the
   * next, well before the last push's endsAt).
   */
  private void refreshAlertmanagers() {
    NotifySettings s = settings;
    if (s.receivers().values().stream().noneMatch(r -> r.kind() == Receiver.Kind.ALERTMANAGER)) {
      return;
    }
    pool.preparedQuery(NotifySql.FIRING).execute().onSuccess(rows -> {
      Map<String, List<NotifyAlert>> byReceiver = new HashMap<>();
      for (Row r : rows) {
        NotifyAlert a = alert(r);
        for (Route route : s.routesFor(a)) {
          Receiver receiver = s.receivers().get(route.receiver());
          if (receiver.kind() == Receiver.Kind.ALERTMANAGER) {
            byReceiver.computeIfAbsent(receiver.name(), k -> new ArrayList<>()).add(a);
          }
        }
      }
      byReceiver.forEach((name, alerts) -> {
        Receiver receiver = s.receivers().get(name);
        post(receiver, alertmanagerUrl(receiver), "refresh:" + UUID.randomUUID(),
          Messages.alertmanager(alerts, s.externalUrl(), validUntil()).toBuffer(), false)
          .onSuccess(o -> {
            if (o.verdict() != DeliveryPolicy.Verdict.SENT) {
              LOG.warn("Alertmanager {} refused the refresh of {} alerts: {}", name, alerts.size(), o.error());
            }
          })
          .onFailure(err -> LOG.warn("Alertmanager {} not refreshed: {}", name, describe(err)));
      });
    }).onFailure(err -> LOG.warn("Firing alerts not read for the Alertmanager refresh: {}", err.getMessage()));
  }

  private static String describe(Throwable err) {
    String message = err.getMessage();
    return err.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static String truncate(String text) {
    return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR) + "…";
  }

  private static String text(OffsetDateTime at) {
    return at == null ? null : at.toInstant().toString();
  }

}
