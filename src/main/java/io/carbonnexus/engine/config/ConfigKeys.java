package io.carbonnexus.engine.config;

import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the engine with its default. {@code conf/config.yaml} mirrors this list (a
 * test keeps the two equal) and the configuration table of docs/configuration.md is made from it.
 */
public final class ConfigKeys {

  public static final ConfigKey<String> HTTP_HOST = ConfigKey.text("http.host", "127.0.0.1",
    "Interface the HTTP server binds to (0.0.0.0 to serve other machines, as the Docker image does)");
  public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("http.port", 8080,
    "Port of the REST API, health and metrics").within(0, 65535);

  public static final ConfigKey<Integer> HTTP_MAX_BODY_KB = ConfigKey.integer("http.max_body_kb", 10_240,
    "Largest request body of POST /events, in KiB (larger: 413)").within(1, 1_048_576);
  public static final ConfigKey<String> HTTP_CORS_ORIGINS = ConfigKey.text("http.cors_origins", null,
    "Origins allowed to call the REST API from a browser, comma-separated (https://dash.example.com); unset = same origin only");
  public static final ConfigKey<Duration> HTTP_REQUEST_TIMEOUT = ConfigKey.duration("http.request_timeout", "10s",
    "How long a read waits for the part of the engine that answers it (longer: 504); writes wait up to 2 minutes").within(Duration.ofMillis(100), Duration.ofMinutes(10));
  public static final ConfigKey<Integer> HTTP_MAX_SMALL_BODY_KB = ConfigKey.integer("http.max_small_body_kb", 16,
    "Largest request body of every operation but POST /events (reads, /simulate, targets, silences...), in KiB (larger: 413)").within(1, 1_048_576);
  public static final ConfigKey<Duration> HTTP_HEADER_TIMEOUT = ConfigKey.duration("http.header_timeout", "5s",
    "A new connection whose first request head is not complete within this is closed (slow clients, slow-loris)").within(Duration.ofMillis(100), Duration.ofMinutes(5));
  public static final ConfigKey<Duration> HTTP_BODY_TIMEOUT = ConfigKey.duration("http.body_timeout", "30s",
    "A request whose body has not fully arrived this long after its head is answered 408 and its connection closed").within(Duration.ofMillis(100), Duration.ofMinutes(30));
  public static final ConfigKey<Duration> HTTP_IDLE_TIMEOUT = ConfigKey.duration("http.idle_timeout", "60s",
    "A keep-alive connection with no complete new request this long after its last answer is closed").within(Duration.ofMillis(100), Duration.ofHours(1));
  public static final ConfigKey<Integer> HTTP_MAX_CONNECTIONS = ConfigKey.integer("http.max_connections", 10_000,
    "Most HTTP and bridge connections this node holds at once; more are closed at once").within(1, 1_000_000);
  public static final ConfigKey<Integer> HTTP_MAX_CONNECTIONS_PER_ADDRESS = ConfigKey.integer("http.max_connections_per_address", 256,
    "Most connections one client address may hold at once; more are closed at once").within(1, 1_000_000);
  public static final ConfigKey<Duration> HTTP_IDEMPOTENCY_KEY_TTL = ConfigKey.duration("http.idempotency_key_ttl", "24h",
    "How long POST /events remembers an Idempotency-Key: a retry within it replays, the same key with another body gets 422; after it the key counts as new")
    .within(Duration.ofMinutes(1), Duration.ofDays(90));
  public static final ConfigKey<String> API_TOKEN = ConfigKey.text("api.token", null,
    "Static operator token for machine clients: Authorization: Bearer <token> may call every operation (with JWT authentication off, only writes need it)");
  public static final ConfigKey<String> AUTH_JWT_SECRET = ConfigKey.text("auth.jwt_secret", null,
    "HS256 secret of the JWTs users present (Supabase: the project's JWT secret); set this or auth.jwks_url to require a JWT for every read");
  public static final ConfigKey<String> AUTH_JWKS_URL = ConfigKey.text("auth.jwks_url", null,
    "URL of the JSON Web Key Set whose RS256/ES256 keys sign the JWTs (Supabase: https://<project>.supabase.co/auth/v1/.well-known/jwks.json)");
  public static final ConfigKey<String> AUTH_JWT_ISSUER = ConfigKey.text("auth.jwt_issuer", null,
    "When set, a JWT's iss claim must equal it (Supabase: https://<project>.supabase.co/auth/v1)");
  public static final ConfigKey<String> AUTH_JWT_AUDIENCE = ConfigKey.text("auth.jwt_audience", null,
    "When set, a JWT's aud claim must contain it (Supabase: authenticated)");
  public static final ConfigKey<String> AUTH_WRITE_ROLES = ConfigKey.text("auth.write_roles", "service_role",
    "Comma-separated values of a JWT's role claim that may change state (POST /events, targets, silences...)");
  public static final ConfigKey<Duration> AUTH_JWKS_REFRESH = ConfigKey.duration("auth.jwks_refresh", "10m",
    "How often the key set at auth.jwks_url is fetched again (also at once, at most every 30 s, for an unknown key id)").within(Duration.ofSeconds(30), Duration.ofDays(1));
  public static final ConfigKey<Duration> AUTH_CLOCK_SKEW = ConfigKey.duration("auth.clock_skew", "30s",
    "Leeway on a JWT's exp, nbf and iat for clocks that differ").within(Duration.ZERO, Duration.ofMinutes(10));

  public static final ConfigKey<String> DB_URL = ConfigKey.text("db.url", null,
    "PostgreSQL URL, e.g. postgresql://user:secret@host:5432/db?sslmode=require; unset = embedded PostgreSQL");
  public static final ConfigKey<Integer> DB_POOL_SIZE = ConfigKey.integer("db.pool_size", 8,
    "Connections in the pool shared by the verticles of one node").within(1, 1000);
  public static final ConfigKey<Duration> DB_CONNECT_TIMEOUT = ConfigKey.duration("db.connect_timeout", "10s",
    "How long start-up and the pool wait for a connection before giving up").within(Duration.ofSeconds(1), null);
  public static final ConfigKey<String> DB_EMBEDDED_DATA_DIR = ConfigKey.text("db.embedded.data_dir", "data/postgres",
    "Data directory of the embedded PostgreSQL (kept across restarts)");
  public static final ConfigKey<Integer> DB_EMBEDDED_PORT = ConfigKey.integer("db.embedded.port", 0,
    "Port of the embedded PostgreSQL on 127.0.0.1; 0 = any free port (printed at start-up)").within(0, 65535);

  public static final ConfigKey<String> ML_URL = ConfigKey.text("ml.url", null,
    "Base URL of ml-engine (POST {url}/predict); unset = the built-in emission-factor model predicts");
  public static final ConfigKey<Integer> ML_BATCH_SIZE = ConfigKey.integer("ml.batch_size", 500,
    "Events per ml-engine call").within(1, 100_000);
  public static final ConfigKey<Duration> ML_TIMEOUT = ConfigKey.duration("ml.timeout", "2s",
    "Time limit of one ml-engine call").within(Duration.ofMillis(10), null);
  public static final ConfigKey<Integer> ML_RETRIES = ConfigKey.integer("ml.retries", 1,
    "Retries of a failed ml-engine call before the built-in model answers for that batch").within(0, 10);
  public static final ConfigKey<Integer> ML_BREAKER_MAX_FAILURES = ConfigKey.integer("ml.breaker.max_failures", 5,
    "Failed ml-engine calls that open the circuit breaker (counted over a window that holds that many timed-out calls); the built-in model then answers at once").within(1, 1000);
  public static final ConfigKey<Duration> ML_BREAKER_RESET_TIMEOUT = ConfigKey.duration("ml.breaker.reset_timeout", "30s",
    "How long the breaker stays open before one call tries ml-engine again").within(Duration.ofMillis(100), null);

  public static final ConfigKey<Integer> INGESTION_BATCH_SIZE = ConfigKey.integer("ingestion.batch_size", 5000,
    "Events read and predicted per batch").within(1, 100_000);
  public static final ConfigKey<Integer> INGESTION_BATCHES_IN_FLIGHT = ConfigKey.integer("ingestion.batches_in_flight", 3,
    "Batches being predicted and stored at once while a backlog drains").within(1, 32);
  public static final ConfigKey<Duration> INGESTION_POLL_INTERVAL = ConfigKey.duration("ingestion.poll_interval", "5s",
    "Polling for new events, the safety net under LISTEN/NOTIFY").within(Duration.ofMillis(100), null);
  public static final ConfigKey<Duration> INGESTION_SWEEP_INTERVAL = ConfigKey.duration("ingestion.sweep_interval", "10m",
    "How often the whole table is checked for events without a prediction (rows committed very late)")
    .within(Duration.ofMinutes(1), null);
  public static final ConfigKey<Integer> INGESTION_LOOKBACK_IDS = ConfigKey.integer("ingestion.lookback_ids", 10_000,
    "Ids below the watermark checked again for rows whose transaction committed late").within(0, 10_000_000);
  public static final ConfigKey<Duration> INGESTION_MAX_EVENT_AGE = ConfigKey.duration("ingestion.max_event_age", "3650d",
    "Oldest occurred_at accepted, back from now: an older event is refused by POST /events (400) and skipped as a bad row")
    .within(Duration.ofDays(1), Duration.ofDays(36_500));
  public static final ConfigKey<Duration> INGESTION_MAX_EVENT_AHEAD = ConfigKey.duration("ingestion.max_event_ahead", "1d",
    "Latest occurred_at accepted, ahead of now (clock skew, shipments booked ahead): a later event is refused by POST /events (400) and skipped as a bad row")
    .within(Duration.ofMinutes(1), Duration.ofDays(366));

  public static final ConfigKey<io.carbonnexus.engine.shared.EmissionsBasis> EMISSIONS_BASIS = ConfigKey.basis(
    "emissions.basis", "wtw",
    "Which figure is co2_kg for baselines, hotspots, simulations and recommendations: wtw (well-to-wheel, the ISO 14083 headline) or ttw (tank-to-wheel)");

  public static final ConfigKey<Duration> DETECTION_INTERVAL = ConfigKey.duration("detection.interval", "5m",
    "Period of the full detection cycle (one run per interval across all engines)").within(Duration.ofSeconds(1), null);
  public static final ConfigKey<Duration> DETECTION_WINDOW = ConfigKey.duration("detection.window", "24h",
    "Window of /emissions/current, the supplier comparison and targets (a target is kg CO2 per such window); the legacy algorithm's only window")
    .within(Duration.ofHours(1), Duration.ofDays(7));
  public static final ConfigKey<String> DETECTION_ALGORITHM = ConfigKey.text("detection.algorithm", "seasonal",
    "seasonal: each window against the upper edge of its normal for that hour of the week; legacy: one window against median + 3 MAD of past window totals (kept for comparison)");
  public static final ConfigKey<String> DETECTION_WINDOWS = ConfigKey.text("detection.windows", "30m:3.75,1h:3.4,24h:3",
    "Windows compared with their normal, as length:k (k = spreads from the expected value to the upper edge of normal, the baseline): short ones find bursts, 24h sustained changes");
  public static final ConfigKey<Duration> DETECTION_INTENSITY_WINDOW = ConfigKey.duration("detection.intensity_window", "24h",
    "Window over which kg CO2 per tonne-km is compared with the entity's usual intensity (a move to a dirtier mode at the same volume), and a supplier's flights with its lanes' usual share of air freight")
    .within(Duration.ofHours(1), Duration.ofDays(7));
  public static final ConfigKey<Double> DETECTION_INTENSITY_K = ConfigKey.decimal("detection.intensity_k", 4,
    "Spreads from the usual intensity to its upper edge; also the edge of a supplier's flights beyond its lanes' usual share of air freight").within(0.5, 20.0);
  public static final ConfigKey<Integer> DETECTION_MIN_SHIPMENTS = ConfigKey.integer("detection.min_shipments", 20,
    "Shipments a window needs before its CO2 per shipment, its intensity and its air share are judged (sparse entities do not flap)").within(1, 1_000_000);
  public static final ConfigKey<Duration> DETECTION_HISTORY = ConfigKey.duration("detection.history", "28d",
    "History an entity's normal is learnt from (its hour-of-week rhythm and its spreads)").within(Duration.ofDays(7), Duration.ofDays(366));
  public static final ConfigKey<Integer> DETECTION_MIN_DAYS = ConfigKey.integer("detection.min_days", 7,
    "Days with shipments an entity needs in that history before it is judged (fewer: not flagged, unless it has a target)").within(1, 366);
  public static final ConfigKey<Integer> DETECTION_SEASONAL_DAYS = ConfigKey.integer("detection.seasonal_days", 21,
    "Days of history from which weekdays, Saturdays and Sundays get a rhythm each (before: one rhythm for every day)").within(1, 366);
  public static final ConfigKey<Duration> DETECTION_FAST_PATH_DELAY = ConfigKey.duration("detection.fast_path_delay",
    "20ms", "How long the fast path gathers newly ingested entities before re-evaluating them")
    .within(Duration.ZERO, Duration.ofSeconds(10));

  public static final ConfigKey<Double> THRESHOLDS_INFO = ConfigKey.decimal("thresholds.info", 0.8,
    "Severity info from this multiple of the baseline (re-read live)").within(0.01, 100.0);
  public static final ConfigKey<Double> THRESHOLDS_WARN = ConfigKey.decimal("thresholds.warn", 1.0,
    "Severity warn from this multiple of the baseline (re-read live)").within(0.01, 100.0);
  public static final ConfigKey<Double> THRESHOLDS_CRITICAL = ConfigKey.decimal("thresholds.critical", 1.5,
    "Severity critical from this multiple of the baseline (re-read live)").within(0.01, 100.0);
  public static final ConfigKey<Double> THRESHOLDS_HYSTERESIS = ConfigKey.decimal("thresholds.hysteresis", 0.05,
    "A hotspot drops a level only this far (in multiples of the baseline) below its threshold").within(0.0, 10.0);
  public static final ConfigKey<Duration> THRESHOLDS_HOLD = ConfigKey.duration("thresholds.hold", "15m",
    "A hotspot keeps its level at least this long after its readings last reached it, so that a count at an edge does not alert again every few minutes (0s: no hold; re-read live)")
    .within(Duration.ZERO, Duration.ofDays(1));

  public static final ConfigKey<Duration> BASELINES_INTERVAL = ConfigKey.duration("baselines.interval", "1h",
    "How often entities' normals (and the baselines table) are learnt again, on the boundaries of this period; also whenever ingestion drains a backlog").within(Duration.ofSeconds(1), null);
  public static final ConfigKey<Integer> BASELINES_HISTORY_WINDOWS = ConfigKey.integer("baselines.history_windows", 28,
    "Legacy algorithm: past windows (e.g. days) a computed baseline is made from").within(1, 366);
  public static final ConfigKey<Integer> BASELINES_MIN_WINDOWS = ConfigKey.integer("baselines.min_windows", 7,
    "Legacy algorithm: windows with emissions an entity needs before it gets a computed baseline (and can be flagged)").within(1, 366);
  public static final ConfigKey<String> BASELINES_STATISTIC = ConfigKey.text("baselines.statistic", "median+3mad",
    "Legacy algorithm: statistic of past window totals: median, a percentile such as p90, or median+Kmad");

  public static final ConfigKey<Severity> ALERTING_MIN_LEVEL = ConfigKey.severity("alerting.min_level", "warn",
    "Lowest hotspot severity that raises an alert: info, warn or critical");
  public static final ConfigKey<Duration> ALERTING_REPEAT_INTERVAL = ConfigKey.duration("alerting.repeat_interval", "1h",
    "A firing alert not acknowledged is sent again after this while its hotspot stays hot")
    .within(Duration.ofSeconds(1), null);

  public static final ConfigKey<String> NOTIFY_WEBHOOK_URL = ConfigKey.text("notify.webhook.url", null,
    "URL that receives every alert as an Alertmanager webhook payload (version 4): the receiver named webhook; unset = none");
  public static final ConfigKey<String> NOTIFY_WEBHOOK_SECRET = ConfigKey.text("notify.webhook.secret", null,
    "Secret that signs each webhook request: X-Nexus-Signature: sha256=HMAC-SHA256(secret, X-Nexus-Timestamp + \".\" + body); unset = unsigned");
  public static final ConfigKey<String> NOTIFY_SLACK_URL = ConfigKey.text("notify.slack.url", null,
    "Slack incoming-webhook URL that receives every alert as a message: the receiver named slack; unset = none");
  public static final ConfigKey<String> NOTIFY_EMAIL_TO = ConfigKey.text("notify.email.to", null,
    "Comma-separated addresses that receive every alert by e-mail through notify.smtp.*: the receiver named email; unset = none");
  public static final ConfigKey<String> NOTIFY_SMTP_HOST = ConfigKey.text("notify.smtp.host", null,
    "SMTP server of the e-mail receivers (required when there is one)");
  public static final ConfigKey<Integer> NOTIFY_SMTP_PORT = ConfigKey.integer("notify.smtp.port", 587,
    "SMTP port (587 with starttls, 465 with tls, 25 with none)").within(1, 65535);
  public static final ConfigKey<String> NOTIFY_SMTP_TLS = ConfigKey.text("notify.smtp.tls", "starttls",
    "starttls (required: never sends in clear), tls (TLS from the first byte) or none (a trusted relay on the same host)");
  public static final ConfigKey<String> NOTIFY_SMTP_USER = ConfigKey.text("notify.smtp.user", null,
    "SMTP user name; unset = no login");
  public static final ConfigKey<String> NOTIFY_SMTP_PASSWORD = ConfigKey.text("notify.smtp.password", null,
    "SMTP password");
  public static final ConfigKey<String> NOTIFY_SMTP_FROM = ConfigKey.text("notify.smtp.from", "carbon-nexus@localhost",
    "Sender address of alert e-mails");
  public static final ConfigKey<String> NOTIFY_ALERTMANAGER_URL = ConfigKey.text("notify.alertmanager.url", null,
    "Base URL of a Prometheus Alertmanager that alerts are pushed to (POST {url}/api/v2/alerts): the receiver named alertmanager; unset = none");
  public static final ConfigKey<Duration> NOTIFY_ALERTMANAGER_REFRESH = ConfigKey.duration("notify.alertmanager.refresh", "1m",
    "How often firing alerts are pushed again to Alertmanager receivers (each push is valid three times this long)")
    .within(Duration.ofSeconds(1), Duration.ofHours(1));
  public static final ConfigKey<String> NOTIFY_GROUP_BY = ConfigKey.text("notify.group_by", null,
    "Default route: labels whose values split alerts into groups (comma-separated of alertname, severity, entity_type, entity); unset = one group per receiver");
  public static final ConfigKey<Duration> NOTIFY_GROUP_WAIT = ConfigKey.duration("notify.group_wait", "30s",
    "Default route: how long a new group gathers alerts before its first message").within(Duration.ZERO, Duration.ofHours(24));
  public static final ConfigKey<Duration> NOTIFY_GROUP_INTERVAL = ConfigKey.duration("notify.group_interval", "5m",
    "Default route: least time between two messages of one group").within(Duration.ZERO, Duration.ofDays(1));
  public static final ConfigKey<Boolean> NOTIFY_SEND_RESOLVED = ConfigKey.bool("notify.send_resolved", true,
    "Default route: resolutions are sent too");
  public static final ConfigKey<Duration> NOTIFY_RETRY_FIRST = ConfigKey.duration("notify.retry_first", "5s",
    "Wait before the first retry of a failed delivery (5xx, 429, timeout, no connection); doubled at each retry")
    .within(Duration.ofMillis(10), Duration.ofHours(1));
  public static final ConfigKey<Duration> NOTIFY_RETRY_MAX = ConfigKey.duration("notify.retry_max", "5m",
    "Longest wait between two retries of one delivery").within(Duration.ofMillis(10), Duration.ofDays(1));
  public static final ConfigKey<Duration> NOTIFY_GIVE_UP_AFTER = ConfigKey.duration("notify.give_up_after", "24h",
    "A delivery still failing this long after it was due is recorded as failed").within(Duration.ofSeconds(1), Duration.ofDays(30));
  public static final ConfigKey<Duration> NOTIFY_TIMEOUT = ConfigKey.duration("notify.timeout", "10s",
    "Time limit of one delivery (no answer within it: retried)").within(Duration.ofMillis(100), Duration.ofMinutes(5));
  public static final ConfigKey<Duration> NOTIFY_POLL_INTERVAL = ConfigKey.duration("notify.poll_interval", "1s",
    "How often new alerts and due deliveries are looked for").within(Duration.ofMillis(50), Duration.ofMinutes(5));
  public static final ConfigKey<String> NOTIFY_EXTERNAL_URL = ConfigKey.text("notify.external_url", null,
    "Address of the dashboard as people reach it, linked from every message; unset = http://{http.host}:{http.port}/");

  /** Receivers and routes (see the README); re-read live, checked at start-up, entries named in errors. */
  public static final ConfigList NOTIFY_RECEIVERS = ConfigList.of("notify.receivers",
    "Named receivers: name, kind (webhook, slack, email, alertmanager) and the kind's fields");
  public static final ConfigList NOTIFY_ROUTES = ConfigList.of("notify.routes",
    "Which alerts go to which receiver: receiver, min_severity, entity_type, entity (* wildcards), group_by, group_wait, group_interval, send_resolved; a receiver no route names gets every alert through the default route");

  public static final List<ConfigList> LISTS = List.of(NOTIFY_RECEIVERS, NOTIFY_ROUTES);

  public static final ConfigKey<String> RAG_URL = ConfigKey.text("rag.url", null,
    "Base URL of rag-chatbot (POST {url}/recommend); unset = the built-in rule-based recommender answers");
  public static final ConfigKey<Duration> RAG_TIMEOUT = ConfigKey.duration("rag.timeout", "10s",
    "Time limit of one rag-chatbot call").within(Duration.ofMillis(10), null);
  public static final ConfigKey<Integer> RAG_RETRIES = ConfigKey.integer("rag.retries", 1,
    "Retries of a failed rag-chatbot call within one attempt").within(0, 10);
  public static final ConfigKey<Integer> RAG_BREAKER_MAX_FAILURES = ConfigKey.integer("rag.breaker.max_failures", 5,
    "Failed rag-chatbot calls that open its circuit breaker").within(1, 1000);
  public static final ConfigKey<Duration> RAG_BREAKER_RESET_TIMEOUT = ConfigKey.duration("rag.breaker.reset_timeout", "30s",
    "How long the breaker stays open before one call tries rag-chatbot again").within(Duration.ofMillis(100), null);
  public static final ConfigKey<Duration> RAG_FALLBACK_AFTER = ConfigKey.duration("rag.fallback_after", "10m",
    "How long a hotspot waits for rag-chatbot before the rule-based recommender answers instead")
    .within(Duration.ZERO, null);
  public static final ConfigKey<Integer> SIMULATION_MAX_EVENTS = ConfigKey.integer("simulation.max_events", 50_000,
    "Most events one what-if may re-predict (more: 400, narrow it with route or supplier)").within(1, 1_000_000);
  public static final ConfigKey<Duration> RECOMMENDATIONS_RETRY = ConfigKey.duration("recommendations.retry", "5s",
    "First wait before a failed recommendation request is tried again (doubling up to 5 minutes)")
    .within(Duration.ofMillis(100), null);

  public static final ConfigKey<Duration> CONFIG_SCAN_PERIOD = ConfigKey.duration("config.scan_period", "5s",
    "How often conf/config.yaml is checked for changes (thresholds apply live)").within(Duration.ofMillis(100), null);

  public static final ConfigKey<Boolean> CLUSTER_ENABLED = ConfigKey.bool("cluster.enabled", false,
    "Join a Hazelcast cluster of engines (several nodes acting as one engine); off = this node runs alone");
  public static final ConfigKey<String> CLUSTER_NAME = ConfigKey.text("cluster.name", "carbon-nexus",
    "Name of the cluster: nodes join only a cluster of the same name");
  public static final ConfigKey<String> CLUSTER_HOST = ConfigKey.text("cluster.host", "127.0.0.1",
    "Address this node's Hazelcast member and event bus bind to and announce (127.0.0.1: one machine only)");
  public static final ConfigKey<Integer> CLUSTER_PORT = ConfigKey.integer("cluster.port", 5701,
    "This node's Hazelcast port").within(1, 65535);
  public static final ConfigKey<String> CLUSTER_MEMBERS = ConfigKey.text("cluster.members", "127.0.0.1:5701",
    "Comma-separated host:port of the members to join (TCP/IP discovery; no multicast)");
  public static final ConfigKey<Integer> CLUSTER_BUS_PORT = ConfigKey.integer("cluster.bus_port", 0,
    "Port of this node's clustered event bus; 0 = any free port").within(0, 65535);
  public static final ConfigKey<String> NODE_VERTICLES = ConfigKey.text("node.verticles", "all",
    "Verticles this node runs: all, none (only the embedded database, for other nodes), or a comma-separated list of prediction, alerting, notify, recommendation, detection, baselines, queries, reports, simulation, ingestion, http, demo");
  public static final ConfigKey<String> NODE_INSTANCES = ConfigKey.text("node.instances", null,
    "Instances of a verticle on this node, e.g. http=2,prediction=2 (default: http one per core, the others 1)");

  /** {@code auto}, {@code true} or {@code false} (yes/on and no/off accepted, read as true and false). */
  public static final ConfigKey<String> DEMO = ConfigKey.choice("demo", "auto",
    orderedWords("auto", "auto", "true", "true", "yes", "true", "on", "true", "false", "false", "no", "false", "off", "false"),
    "Synthetic demo events: auto (on with the embedded database only), true or false");
  public static final ConfigKey<Duration> DEMO_FEED_INTERVAL = ConfigKey.duration("demo_feed.interval", "5s",
    "How often the demo feed writes the events that happened since its last write").within(Duration.ofMillis(100), null);
  public static final ConfigKey<Double> DEMO_FEED_EVENTS_PER_DAY = ConfigKey.decimal("demo_feed.events_per_day", 10_000,
    "Average demo shipments per day over all suppliers (fewer at night and at weekends)").within(0.0, 10_000_000.0);
  public static final ConfigKey<Integer> DEMO_FEED_HISTORY_DAYS = ConfigKey.integer("demo_feed.history_days", 28,
    "Days of demo history written on first start, so that baselines have data").within(0, 3650);
  public static final ConfigKey<Double> DEMO_FEED_SURGES_PER_DAY = ConfigKey.decimal("demo_feed.surges_per_day", 3,
    "Average number of demo surges (a supplier or lane suddenly shipping much more) per day").within(0.0, 1000.0);
  public static final ConfigKey<Duration> DEMO_FEED_SURGE_DURATION = ConfigKey.duration("demo_feed.surge_duration", "2h",
    "How long a demo surge lasts").within(Duration.ofSeconds(1), Duration.ofDays(7));
  public static final ConfigKey<Double> DEMO_FEED_SURGE_MULTIPLIER = ConfigKey.decimal("demo_feed.surge_multiplier", 6,
    "Factor on the shipment rate of the supplier or lane in a surge").within(1.0, 1000.0);
  public static final ConfigKey<Boolean> DEMO_FEED_SHOWCASE = ConfigKey.bool("demo_feed.showcase", true,
    "On first start, the history ends 30 minutes into a surge of the largest supplier: a hotspot, its alert and its recommendation within a minute, whatever the hour");
  public static final ConfigKey<Integer> DEMO_FEED_SEED = ConfigKey.integer("demo_feed.seed", 42,
    "Seed of the demo generator: the same seed gives the same history");

  public static final List<ConfigKey<?>> ALL = List.of(
    HTTP_HOST, HTTP_PORT, HTTP_MAX_BODY_KB, HTTP_CORS_ORIGINS, HTTP_REQUEST_TIMEOUT, HTTP_MAX_SMALL_BODY_KB,
    HTTP_HEADER_TIMEOUT, HTTP_BODY_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_MAX_CONNECTIONS, HTTP_MAX_CONNECTIONS_PER_ADDRESS,
    HTTP_IDEMPOTENCY_KEY_TTL,
    API_TOKEN, AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE, AUTH_WRITE_ROLES, AUTH_JWKS_REFRESH,
    AUTH_CLOCK_SKEW,
    DB_URL, DB_POOL_SIZE, DB_CONNECT_TIMEOUT, DB_EMBEDDED_DATA_DIR, DB_EMBEDDED_PORT,
    ML_URL, ML_BATCH_SIZE, ML_TIMEOUT, ML_RETRIES, ML_BREAKER_MAX_FAILURES, ML_BREAKER_RESET_TIMEOUT,
    INGESTION_BATCH_SIZE, INGESTION_BATCHES_IN_FLIGHT, INGESTION_POLL_INTERVAL, INGESTION_SWEEP_INTERVAL,
    INGESTION_LOOKBACK_IDS, INGESTION_MAX_EVENT_AGE, INGESTION_MAX_EVENT_AHEAD,
    EMISSIONS_BASIS,
    DETECTION_INTERVAL, DETECTION_WINDOW, DETECTION_ALGORITHM, DETECTION_WINDOWS, DETECTION_INTENSITY_WINDOW,
    DETECTION_INTENSITY_K, DETECTION_MIN_SHIPMENTS, DETECTION_HISTORY, DETECTION_MIN_DAYS, DETECTION_SEASONAL_DAYS,
    DETECTION_FAST_PATH_DELAY,
    THRESHOLDS_INFO, THRESHOLDS_WARN, THRESHOLDS_CRITICAL, THRESHOLDS_HYSTERESIS, THRESHOLDS_HOLD,
    BASELINES_INTERVAL, BASELINES_HISTORY_WINDOWS, BASELINES_MIN_WINDOWS, BASELINES_STATISTIC,
    ALERTING_MIN_LEVEL, ALERTING_REPEAT_INTERVAL,
    NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET, NOTIFY_SLACK_URL, NOTIFY_EMAIL_TO, NOTIFY_SMTP_HOST, NOTIFY_SMTP_PORT,
    NOTIFY_SMTP_TLS, NOTIFY_SMTP_USER, NOTIFY_SMTP_PASSWORD, NOTIFY_SMTP_FROM, NOTIFY_ALERTMANAGER_URL,
    NOTIFY_ALERTMANAGER_REFRESH, NOTIFY_GROUP_BY, NOTIFY_GROUP_WAIT, NOTIFY_GROUP_INTERVAL, NOTIFY_SEND_RESOLVED,
    NOTIFY_RETRY_FIRST, NOTIFY_RETRY_MAX, NOTIFY_GIVE_UP_AFTER, NOTIFY_TIMEOUT, NOTIFY_POLL_INTERVAL, NOTIFY_EXTERNAL_URL,
    RAG_URL, RAG_TIMEOUT, RAG_RETRIES, RAG_BREAKER_MAX_FAILURES, RAG_BREAKER_RESET_TIMEOUT, RAG_FALLBACK_AFTER,
    RECOMMENDATIONS_RETRY,
    SIMULATION_MAX_EVENTS,
    CONFIG_SCAN_PERIOD,
    CLUSTER_ENABLED, CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_MEMBERS, CLUSTER_BUS_PORT,
    NODE_VERTICLES, NODE_INSTANCES,
    DEMO, DEMO_FEED_INTERVAL, DEMO_FEED_EVENTS_PER_DAY, DEMO_FEED_HISTORY_DAYS,
    DEMO_FEED_SURGES_PER_DAY, DEMO_FEED_SURGE_DURATION, DEMO_FEED_SURGE_MULTIPLIER, DEMO_FEED_SHOWCASE, DEMO_FEED_SEED);

  /** Spelling, word, spelling, word...: in order, so that error messages list the words as written here. */
  private static Map<String, String> orderedWords(String... pairs) {
    Map<String, String> words = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      words.put(pairs[i], pairs[i + 1]);
    }
    return words;
  }

  private ConfigKeys() {
  }

  /** The defaults as one nested JSON object, the same tree as {@code conf/config.yaml}. */
  public static JsonObject defaults() {
    JsonObject json = new JsonObject();
    for (ConfigKey<?> key : ALL) {
      key.put(json, key.defaultAsJson());
    }
    for (ConfigList list : LISTS) {
      list.put(json, new io.vertx.core.json.JsonArray());
    }
    return json;
  }
}
