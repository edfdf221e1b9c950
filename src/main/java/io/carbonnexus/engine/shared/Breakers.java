package io.carbonnexus.engine.shared;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The one way to protect a call to an external service (ml-engine, rag-chatbot): a
 * vertx-circuit-breaker with options from configuration, retries with jittered exponential
 * backoff, state changes logged and exported as the gauge {@code nexus_breaker_state}
 * (0 closed, 1 half-open, 2 open).
 */
public final class Breakers {

  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);
  /** vertx-circuit-breaker's own default. */
  private static final long DEFAULT_FAILURES_WINDOW_MS = 10_000;

  /** How a service is protected; read from that service's configuration keys. */
  public record Settings(Duration timeout, int retries, int maxFailures, Duration resetTimeout) {
  }

  private Breakers() {
  }

  public static CircuitBreaker create(Vertx vertx, String service, Settings settings, MeterRegistry registry) {
    CircuitBreakerOptions options = new CircuitBreakerOptions()
      .setTimeout(settings.timeout().toMillis())
      .setMaxRetries(settings.retries())
      .setMaxFailures(settings.maxFailures())
      .setResetTimeout(settings.resetTimeout().toMillis())
      // Failures count within a rolling window (10 s by default): a service that stalls takes
      // (retries + 1) x timeout per call, so the window must hold maxFailures such calls or the
      // breaker never opens on a stall.
      .setFailuresRollingWindow(Math.max(DEFAULT_FAILURES_WINDOW_MS,
        2 * (settings.retries() + 1L) * settings.timeout().toMillis() * settings.maxFailures()))
      .setFallbackOnFailure(false)
      // State lives in the gauge and the log: no periodic notifications crossing the cluster.
      .setNotificationAddress(null);
    CircuitBreaker breaker = CircuitBreaker.create(service, vertx, options)
      .retryPolicy(RetryPolicy.exponentialDelayWithJitter(50, Math.max(100, settings.timeout().toMillis())))
      .openHandler(v -> LOG.warn("Circuit breaker for {} is OPEN: its calls are skipped for {} ms", service,
        settings.resetTimeout().toMillis()))
      .halfOpenHandler(v -> LOG.info("Circuit breaker for {} is HALF-OPEN: trying one call", service))
      .closeHandler(v -> LOG.info("Circuit breaker for {} is CLOSED: {} answers again", service, service));
    Gauge.builder("nexus_breaker_state", breaker, b -> stateValue(b.state()))
      .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
      .tag("service", service)
      .register(registry);
    return breaker;
  }

  /** The breaker's state as health reports it: closed, half_open or open. */
  public static String state(CircuitBreaker breaker) {
    return breaker.state().name().toLowerCase(java.util.Locale.ROOT);
  }

  static double stateValue(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
