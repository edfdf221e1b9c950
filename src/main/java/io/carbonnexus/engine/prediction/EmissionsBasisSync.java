package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Brings stored predictions to the configured basis at start, before any verticle reads them:
 * <ol>
 *   <li>Predictions made before the three figures existed (basis null) get them: a built-in one is
 *   computed again from its event (the same method; for an electric vehicle the old figure becomes
 *   well-to-tank and tank-to-wheel is zero), an ml-engine one keeps its figure as tank-to-wheel and
 *   gets the tables' well-to-tank. One whose event is gone, or whose vehicle the tables do not
 *   know, is kept as tank-to-wheel only.</li>
 *   <li>Predictions stored on the other basis get {@code co2_kg} from the figure on this one.</li>
 * </ol>
 * The rollup triggers follow every update. When anything moved, the learnt normals and computed
 * baselines are dropped (they were learnt on the other figures) and learnt again at start. Each
 * step works in batches and only on rows still to do, so an interrupted run resumes, and engines
 * starting together do each row once.
 */
public final class EmissionsBasisSync {

  private static final Logger LOG = LoggerFactory.getLogger(EmissionsBasisSync.class);
  private static final int BATCH = 5_000;

  static final String SELECT_UNFILLED = """
    select p.event_id, p.model, p.co2_kg, e.vehicle_type, e.distance_km, e.load_tonnes, e.payload_capacity_tonnes
      from predictions p left join events_normalized e on e.id = p.event_id
     where p.basis is null
     order by p.event_id
     limit $1
    """;

  static final String FILL = """
    update predictions p
       set co2e_ttw_kg = u.ttw, co2e_wtt_kg = u.wtt, co2e_wtw_kg = u.ttw + u.wtt, factor_set = u.factor_set,
           basis = $5, co2_kg = case when $5 = 'wtw' then u.ttw + coalesce(u.wtt, 0) else u.ttw end
      from unnest($1::bigint[], $2::float8[], $3::float8[], $4::text[]) as u(event_id, ttw, wtt, factor_set)
     where p.event_id = u.event_id and p.basis is null
    """;

  static final String REBASE = """
    with batch as (select event_id from predictions where basis <> $1 limit $2)
    update predictions p
       set basis = $1, co2_kg = case when $1 = 'wtw' then coalesce(p.co2e_wtw_kg, p.co2e_ttw_kg) else p.co2e_ttw_kg end
      from batch
     where p.event_id = batch.event_id
    """;

  static final String FORGET_NORMALS = """
    delete from entity_models;
    delete from lane_models;
    delete from baseline_bands;
    delete from baselines where source = 'computed';
    """;

  private EmissionsBasisSync() {
  }

  /** Returns how many predictions changed. */
  public static long run(Vertx vertx, PgConnectOptions options, EmissionsBasis basis) {
    EmissionModel model = EmissionModel.builtin(basis);
    PgConnection connection = PgConnection.connect(vertx, options).await();
    try {
      long filled = 0;
      while (true) {
        List<Row> rows = new ArrayList<>();
        connection.preparedQuery(SELECT_UNFILLED).execute(Tuple.of(BATCH)).await().forEach(rows::add);
        if (rows.isEmpty()) {
          break;
        }
        connection.preparedQuery(FILL).execute(fillColumns(rows, model, basis)).await();
        filled += rows.size();
        LOG.info("Emissions figures filled for {} predictions made before well-to-wheel existed", filled);
      }
      long rebased = 0;
      while (true) {
        int n = connection.preparedQuery(REBASE).execute(Tuple.of(basis.wire(), BATCH)).await().rowCount();
        if (n == 0) {
          break;
        }
        rebased += n;
        LOG.info("{} predictions moved to the {} basis", rebased, basis.wire());
      }
      if (filled + rebased > 0) {
        connection.query(FORGET_NORMALS).execute().await();
        LOG.info("Learnt normals and computed baselines dropped: they are learnt again on the {} basis", basis.wire());
      }
      return filled + rebased;
    } finally {
      connection.close().await();
    }
  }

  private static Tuple fillColumns(List<Row> rows, EmissionModel model, EmissionsBasis basis) {
    int n = rows.size();
    Long[] ids = new Long[n];
    Double[] ttw = new Double[n];
    Double[] wtt = new Double[n];
    String[] factorSet = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      ids[i] = r.getLong("event_id");
      double stored = r.getDouble("co2_kg");
      EmissionFactor factor = r.getString("vehicle_type") == null ? null
        : model.table().find(r.getString("vehicle_type")).orElse(null);
      Double distance = r.getDouble("distance_km");
      Double load = r.getDouble("load_tonnes");
      boolean known = factor != null && distance != null && load != null && distance >= 0 && load >= 0;
      ttw[i] = stored;
      if (known) {
        EmissionModel.Figures f = EmissionModel.figures(factor, distance, load, r.getDouble("payload_capacity_tonnes"));
        if (EmissionModel.MODEL.equals(r.getString("model"))) {
          ttw[i] = f.ttwKg();
        }
        wtt[i] = f.wttKg();
        factorSet[i] = EmissionFactorTable.FACTOR_SET;
      }
    }
    return Tuple.tuple().addArrayOfLong(ids).addArrayOfDouble(ttw).addArrayOfDouble(wtt).addArrayOfString(factorSet)
      .addString(basis.wire());
  }
}
