package io.carbonnexus.engine;

import io.carbonnexus.engine.alerting.AlertingVerticle;
import io.carbonnexus.engine.demo.DemoFeedVerticle;
import io.carbonnexus.engine.hotspot.BaselineVerticle;
import io.carbonnexus.engine.hotspot.DetectionVerticle;
import io.carbonnexus.engine.hotspot.HotspotQueryVerticle;
import io.carbonnexus.engine.http.HttpVerticle;
import io.carbonnexus.engine.ingestion.IngestionVerticle;
import io.carbonnexus.engine.notify.NotificationVerticle;
import io.carbonnexus.engine.prediction.PredictionVerticle;
import io.carbonnexus.engine.recommendation.RecommendationVerticle;
import io.carbonnexus.engine.report.ReportVerticle;
import io.carbonnexus.engine.simulation.SimulationVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.ThreadingModel;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The catalogue of every verticle a node can run: its name in {@code node.verticles}, how it is
 * made, on which threads it runs and how many instances it gets unless {@code node.instances}
 * says otherwise. {@code NodePlan} reads the names and defaults, {@code Engine} the factories and
 * threads: adding a verticle is one line here.
 *
 * <p>The declaration order is the deployment order: listeners before the producers they hear
 * (alerting before detection publishes, ingestion and the demo feed last, once prediction
 * listens). The engine undeploys in reverse, so the producers stop first and the verticles that
 * finish their work in flight are still there.
 *
 * <p>It lives in the composition root because only the root may import the concerns.
 */
public enum Verticles {
  // Predicting thousands of events at a time is CPU work: on worker threads, so that the event
  // loops stay free for HTTP and the SockJS bridge while a backlog drains.
  PREDICTION("prediction", PredictionVerticle::new, ThreadingModel.WORKER, 1),
  ALERTING("alerting", AlertingVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  NOTIFY("notify", NotificationVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  RECOMMENDATION("recommendation", RecommendationVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  DETECTION("detection", DetectionVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  BASELINES("baselines", BaselineVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  QUERIES("queries", HotspotQueryVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  REPORTS("reports", ReportVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  SIMULATION("simulation", SimulationVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  INGESTION("ingestion", IngestionVerticle::new, ThreadingModel.EVENT_LOOP, 1),
  // One instance per core: each has its own event loop, and the server's connections (browsers'
  // SockJS sockets among them) are spread over them.
  HTTP("http", HttpVerticle::new, ThreadingModel.EVENT_LOOP, Math.max(1, Runtime.getRuntime().availableProcessors())),
  // Deployed only when demo data is on (the demo setting), even when the node's plan names it.
  DEMO("demo", DemoFeedVerticle::new, ThreadingModel.EVENT_LOOP, 1);

  /** Every name, in deployment order. */
  public static final List<String> NAMES = Arrays.stream(values()).map(Verticles::label).toList();

  private final String label;
  private final Supplier<? extends Deployable> factory;
  private final ThreadingModel threads;
  private final int defaultInstances;

  Verticles(String label, Supplier<? extends Deployable> factory, ThreadingModel threads, int defaultInstances) {
    this.label = label;
    this.factory = factory;
    this.threads = threads;
    this.defaultInstances = defaultInstances;
  }

  /** The name used in {@code node.verticles}, {@code node.instances} and the logs. */
  public String label() {
    return label;
  }

  public Supplier<? extends Deployable> factory() {
    return factory;
  }

  public ThreadingModel threads() {
    return threads;
  }

  public int defaultInstances() {
    return defaultInstances;
  }
}
