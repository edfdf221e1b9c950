package io.carbonnexus.engine.db;

import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/**
 * The one way verticles get a database pool. Pools are shared by name: every verticle instance
 * of a node holds a handle on the same connections, and the pool closes when the last verticle
 * using it is undeployed.
 */
public final class Pools {

  private static final String SHARED_NAME = "nexus-db";

  private Pools() {
  }

  public static Pool shared(Vertx vertx, JsonObject config) {
    PgConnectOptions connect = DatabaseUrl.parse(ConfigKeys.DB_URL.get(config)).connectOptions();
    PoolOptions pool = new PoolOptions()
      .setMaxSize(ConfigKeys.DB_POOL_SIZE.get(config))
      .setShared(true)
      .setName(SHARED_NAME)
      // How long a query waits for a free (or new) connection before it fails.
      .setConnectionTimeout((int) ConfigKeys.DB_CONNECT_TIMEOUT.get(config).toMillis())
      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
