package io.carbonnexus.engine.shared;

import java.util.List;

/**
 * The event-bus contract: every address the engine uses, with the shape of its body, whether it
 * is sent or published, and who listens or replies. No address is written anywhere else.
 */
public final class Addresses {

  /**
   * Publish, JSON object: the current emissions snapshot (window totals by entity type and the
   * top entities against their baselines). Browser channel.
   */
  public static final String EMISSIONS = "emissions";

  /** Publish, {@link Hotspot} with its {@code change}: after every change of a hotspot. Browser channel. */
  public static final String HOTSPOTS = "hotspots";

  /** Publish, {@link Alert}: a notification the alerting verticle stored (firing, repeat, resolved). Browser channel. */
  public static final String ALERTS = "alerts";

  /** Publish, {@link Recommendation}: root cause and ranked actions stored for a hotspot. Browser channel. */
  public static final String RECOMMENDATIONS = "recommendations";

  /**
   * Request/reply, {@link PredictionRequest} → {@link PredictionReply}. Served by the prediction
   * verticle, the only place that predicts (ingestion, detection and simulation all ask it). Fails
   * with {@link FailureCode#INVALID_REQUEST} for a malformed body, {@link FailureCode#STORAGE_FAILED}
   * when storing fails (nothing is half-stored).
   */
  public static final String PREDICT = "nexus.prediction.predict";

  /**
   * Request/reply, {@code {}} → the current {@link EmissionsSnapshot} as JSON text (a buffer, encoded
   * once and shared by the requests of the same second), from the database (any node answers the
   * same). Served by the hotspot query verticle.
   */
  public static final String EMISSIONS_CURRENT = "nexus.hotspot.emissions-current";

  /**
   * Request/reply, filters {@code {"severity":[..],"status","entity_type","entity","since","limit"}} →
   * JSON array of {@link Hotspot} as JSON text (a buffer), newest change first. Served by the hotspot query verticle; fails
   * with {@link FailureCode#INVALID_REQUEST}.
   */
  public static final String HOTSPOTS_LIST = "nexus.hotspot.list";

  /**
   * Request/reply, {@code {"supplier":[..]}} → {@code {"at","window_seconds","suppliers":[..]}}: the
   * suppliers side by side (predicted, baseline, intensity per tonne-km, trend against the previous
   * window, open hotspot). Served by the hotspot query verticle; {@link FailureCode#NOT_FOUND} names
   * suppliers the engine has never seen.
   */
  public static final String SUPPLIERS_COMPARE = "nexus.hotspot.compare";

  /**
   * Request/reply, {@code {"entity_type","entity","from","to","step"}} (the query of
   * {@code GET /emissions/history}) → JSON text (a buffer)
   * {@code {"entity_type","entity","from","to","step_seconds","basis","at","model","buckets":[..]}}:
   * per bucket the predicted CO2, its expected value and upper edge of normal, tonne-km and events.
   * Served by the hotspot query verticle; fails with {@link FailureCode#INVALID_REQUEST} naming
   * the bad parameter.
   */
  public static final String EMISSIONS_HISTORY = "nexus.hotspot.emissions-history";

  /**
   * Request/reply, {@code {"from","to","group","period","format"}} (the query of
   * {@code GET /reports/emissions}) → the report as text (a buffer): JSON
   * {@code {"from","to","group","period","basis","rows":[..]}}, or CSV when {@code format} is
   * {@code csv}. Served by the report verticle; fails with {@link FailureCode#INVALID_REQUEST}
   * naming the bad parameter.
   */
  public static final String EMISSIONS_REPORT = "nexus.report.emissions";

  /**
   * Request/reply, {@code {"entity_type","entity","limit"}} → JSON array of effective baselines
   * {@code {"entity_type","entity","baseline","source","computed_at","statistic","samples"}}. Served by
   * the baseline verticle.
   */
  public static final String BASELINES_LIST = "nexus.baselines.list";

  /**
   * Request/reply, {@code {"entity_type","entity","baseline"}} → the target as a baseline: an
   * operator's explicit baseline that wins over the computed one; {@link #BASELINES_UPDATED} follows.
   * Served by the baseline verticle; fails with {@link FailureCode#INVALID_REQUEST}.
   */
  public static final String TARGET_SET = "nexus.baselines.target-set";

  /**
   * Request/reply, {@code {"entity_type","entity"}} → {@code {"deleted":true}}; {@link FailureCode#NOT_FOUND}
   * when the entity has no target. Served by the baseline verticle.
   */
  public static final String TARGET_DELETE = "nexus.baselines.target-delete";

  /**
   * Request/reply, filters {@code {"severity":[..],"kind","entity_type","entity","hotspot_id","since","limit"}}
   * → JSON array of {@link Alert}, newest first. Served by alerting.
   */
  public static final String ALERTS_LIST = "nexus.alerting.list";

  /**
   * Request/reply, filters {@code {"status","receiver","alert_id","since","limit"}} → JSON array of
   * notifications (the delivery log), newest first. Served by notify.
   */
  public static final String NOTIFICATIONS_LIST = "nexus.notify.list";

  /**
   * Request/reply, {@code {"receiver":name}} → the test notification after its one attempt
   * ({@code status} sent, pending for a retry, or failed); {@link FailureCode#NOT_FOUND} for an unknown receiver.
   * Served by notify.
   */
  public static final String RECEIVER_TEST = "nexus.notify.test";

  /**
   * Publish, local to the node: the {@code notify} section of the configuration after it changed and
   * passed validation. Never crosses the cluster (it holds webhook secrets and SMTP passwords): each
   * node's engine reads its own file and tells its own notify verticle.
   */
  public static final String NOTIFY_SETTINGS = "nexus.notify.settings";

  /**
   * Request/reply, filters {@code {"severity":[..],"entity_type","entity","hotspot_id","source","since","limit"}} →
   * JSON array of {@link Recommendation}, newest first. Served by the recommendation verticle.
   */
  public static final String RECOMMENDATIONS_LIST = "nexus.recommendation.list";

  /**
   * Request/reply, {@code {}} → {@code {"model"|"recommender", "external_url_set", "breaker"}}: which model
   * answers and the state of the ml-engine circuit breaker (health). Served by prediction.
   */
  public static final String PREDICTION_STATUS = "nexus.prediction.status";

  /**
   * Request/reply, {@code {"from","to","supplier","after","limit"}} → JSON array of iLEAP
   * {@code ShipmentFootprint}s, by shipment id: the shipments whose first leg lies in [from, to),
   * after the shipment id {@code after}. Served by prediction; fails with
   * {@link FailureCode#INVALID_REQUEST} when {@code from} is not before {@code to}.
   */
  public static final String FOOTPRINTS_SHIPMENTS = "nexus.prediction.footprints-shipments";

  /**
   * Request/reply, {@code {"after","limit"}} → JSON array of iLEAP {@code TOC}s, one per vehicle type
   * of the factor table, by tocId. Served by prediction.
   */
  public static final String FOOTPRINTS_TOCS = "nexus.prediction.footprints-tocs";

  /** Request/reply, {@code {}} → the same for rag-chatbot and the recommendation queue (health). Served by recommendations. */
  public static final String RECOMMENDATION_STATUS = "nexus.recommendation.status";

  /**
   * Request/reply, {@code {"route","supplier","vehicle_type","load_change","distance_change"}} →
   * {@code {"new_value","delta","old_value","percent_change","events","skipped","model",..}}: what-if
   * over the current window's matching events, predicted through {@link #PREDICT}, nothing stored.
   * Served by simulation; {@link FailureCode#NOT_FOUND} for an unknown route or supplier,
   * {@link FailureCode#INVALID_REQUEST} for an impossible change (unknown vehicle type).
   */
  public static final String SIMULATE = "nexus.simulation.simulate";

  /**
   * Request/reply, {@code {"from":..,"to":..,"step":"5m"}} → {@code {"from","to","step","evaluations",
   * "changes":[{"at","entity_type","entity","change","severity","predicted","baseline","percent_above"}]}}:
   * replays detection over a past range with today's baselines and thresholds, in memory; the live
   * hotspots are not touched. Served by detection; fails with {@link FailureCode#INVALID_REQUEST}.
   */
  public static final String DETECTION_BATCH = "nexus.detection.batch";

  /**
   * Request/reply, {@code {"id": alert id, "by": who}} → the acknowledged {@link Alert}: stops repeats
   * of that hotspot's firing alert until it escalates or resolves. Served by alerting; fails with
   * {@link FailureCode#NOT_FOUND} for an unknown alert.
   */
  public static final String ALERT_ACKNOWLEDGE = "nexus.alerting.acknowledge";

  /**
   * Request/reply, {@code {"entity_type","entity","duration":"2h","reason","by"}} → the silence
   * {@code {"id","entity_type","entity","until","reason","created_by"}}: no alert for the entity
   * until then. Served by alerting; fails with {@link FailureCode#INVALID_REQUEST}.
   */
  public static final String SILENCE = "nexus.alerting.silence";

  /**
   * Request/reply, {@code {"events":[event..],"idempotency_key":..}} → {@code {"inserted":n,"ids":[..],
   * "replayed":bool}}: insert a producer's batch into events_normalized, all or nothing, after the
   * prediction model accepted every event and every time is within the {@link EventTimeWindow}.
   * Served by ingestion. Fails with {@link FailureCode#INVALID_REQUEST} and a {@link BusFailure}
   * body listing the bad events, or {@link FailureCode#IDEMPOTENCY_KEY_REUSED} when the key is
   * remembered for other events.
   */
  public static final String SUBMIT_EVENTS = "nexus.ingestion.submit";

  /**
   * Publish, {@link EventsIngested}: events whose predictions were just stored, with the entities
   * they touch. The detection verticle's fast path re-evaluates those entities.
   */
  public static final String EVENTS_INGESTED = "nexus.ingestion.events-ingested";

  /**
   * Publish, {@code {"events","first","watermark"}}: ingestion has worked off what was written so
   * far (after its first drain, and after any drain of at least a batch). The baselines verticle
   * learns entities' normals then, never from half-predicted history.
   */
  public static final String INGESTION_CAUGHT_UP = "nexus.ingestion.caught-up";

  /**
   * Publish, JSON object {@code {"why": .., "computed": n or null, "target_changed": true|false, "entity_type": ..,
   * "entity": .., "at": ..}}: computed baselines were recalculated or an operator's target was set or removed
   * ({@code target_changed}, with the entity). The detection verticle re-evaluates every entity against them; after
   * a target change, that entity's level is not held.
   */
  public static final String BASELINES_UPDATED = "nexus.baselines.updated";

  /**
   * Publish, JSON object: the live settings ({@code {"thresholds":{..}}}) after a node's
   * {@code conf/config.yaml} changed and passed validation; in a cluster every node's verticles
   * apply them. Nothing else of the configuration (never the database URL) crosses the bus.
   */
  public static final String CONFIG_CHANGED = "nexus.config.changed";

  /**
   * Publish, JSON object {@code {"from":..,"to":..,"events":n}}: the demo feed wrote {@code n}
   * synthetic events with occurred_at in [from, to). Informational; nobody needs to reply.
   */
  public static final String DEMO_EVENTS_WRITTEN = "nexus.demo.events-written";

  /** The only addresses a browser may see through the SockJS bridge, outbound only. */
  public static final List<String> BROWSER_CHANNELS = List.of(EMISSIONS, HOTSPOTS, ALERTS, RECOMMENDATIONS);

  private Addresses() {
  }
}
