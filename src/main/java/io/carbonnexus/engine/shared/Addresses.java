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
   * prediction model accepted every event. Served by ingestion. Fails with
   * {@link FailureCode#INVALID_REQUEST} and a {@link BusFailure} body listing the bad events.
   */
  public static final String SUBMIT_EVENTS = "nexus.ingestion.submit";

  /**
   * Publish, {@link EventsIngested}: events whose predictions were just stored, with the entities
   * they touch. The detection verticle's fast path re-evaluates those entities.
   */
  public static final String EVENTS_INGESTED = "nexus.ingestion.events-ingested";

  /**
   * Publish, JSON object {@code {"computed": n, "at": ..}}: computed baselines were recalculated.
   * The detection verticle re-evaluates every entity against them.
   */
  public static final String BASELINES_UPDATED = "nexus.baselines.updated";

  /**
   * Publish, JSON object: the whole new configuration, after {@code conf/config.yaml} changed and
   * the new content passed validation. Verticles with live settings (thresholds) apply it.
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
