package io.carbonnexus.engine.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL session advisory lock held on a connection of its own: whoever holds it does a
 * job that must have one doer among every engine on the database (ingestion's reading of
 * {@code events_normalized}). The others try again every {@code period}; when the holder dies,
 * PostgreSQL ends its session and releases the lock, and another engine takes it over.
 * Needs a session (a direct connection or a session pooler), as LISTEN does.
 */
public final class SessionLock {

  private static final Logger LOG = LoggerFactory.getLogger(SessionLock.class);
  private static final String TRY_LOCK = "select pg_try_advisory_lock(hashtextextended($1, 0))";

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final String name;
  private final Runnable onAcquired;
  private PgConnection connection;
  private boolean held;
  private boolean trying;
  private boolean closed;
  private long timer = -1;

  public SessionLock(Vertx vertx, PgConnectOptions options, String name, Runnable onAcquired) {
    this.vertx = vertx;
    this.options = options;
    this.name = name;
    this.onAcquired = onAcquired;
  }

  /** Tries now and then every {@code periodMs}; {@code onAcquired} runs each time the lock is won. */
  public Future<Void> start(long periodMs) {
    timer = vertx.setPeriodic(periodMs, id -> check());
    return attempt();
  }

  public boolean held() {
    return held;
  }

  /** Releases the lock by ending the session. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(timer);
    held = false;
    return connection == null ? Future.succeededFuture() : connection.close().otherwiseEmpty();
  }

  private void check() {
    if (closed || trying) {
      return;
    }
    if (!held) {
      attempt();
      return;
    }
    // Still ours only while the session lives.
    trying = true;
    connection.query("select 1").execute().onComplete(ar -> {
      trying = false;
      if (ar.failed()) {
        lost(ar.cause().getMessage());
      }
    });
  }

  private Future<Void> attempt() {
    trying = true;
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection)
      : PgConnection.connect(vertx, options).onSuccess(c -> {
        connection = c;
        c.closeHandler(v -> {
          if (connection == c) {
            connection = null;
            if (held) {
              lost("connection closed");
            }
          }
        });
      });
    return conn.compose(c -> c.preparedQuery(TRY_LOCK).execute(Tuple.of(name)))
      .map(rows -> {
        boolean won = rows.iterator().next().getBoolean(0);
        if (won && !held && !closed) {
          held = true;
          LOG.info("This engine now holds '{}'", name);
          onAcquired.run();
        }
        return (Void) null;
      })
      .recover(err -> {
        LOG.debug("'{}' not acquired: {}", name, err.getMessage());
        if (connection != null) {
          connection.close();
          connection = null;
        }
        return Future.succeededFuture();
      })
      .onComplete(ar -> trying = false);
  }

  private void lost(String why) {
    if (held) {
      held = false;
      LOG.warn("Lost '{}' ({}): another engine may take it over; this one retries", name, why);
    }
    if (connection != null) {
      PgConnection c = connection;
      connection = null;
      c.close();
    }
  }
}
