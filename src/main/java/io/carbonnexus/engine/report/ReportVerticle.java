package io.carbonnexus.engine.report;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EmissionsBasis;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the emissions report ({@link Addresses#EMISSIONS_REPORT}) from predictions: any
 * instance on any node gives the same answer. It never writes.
 */
public final class ReportVerticle extends VerticleBase {

  private final Clock clock;
  private Pool pool;
  private EmissionsBasis basis;

  public ReportVerticle() {
    this(Clock.systemUTC());
  }

  public ReportVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    basis = ConfigKeys.EMISSIONS_BASIS.get(conf);
    return vertx.eventBus().<JsonObject>consumer(Addresses.EMISSIONS_REPORT, m -> BusFailure.answer(m, this::report))
      .completion();
  }

  private Future<Buffer> report(JsonObject query) {
    ReportRequest request = ReportRequest.parse(query, clock.instant());
    return pool.preparedQuery(ReportSql.REPORT)
      .execute(Tuple.of(request.from().atOffset(ZoneOffset.UTC), request.to().atOffset(ZoneOffset.UTC),
        request.group().wire(), request.period().wire(),
        request.filterType() == null ? null : request.filterType().wire(), request.filterEntity()))
      .map(rows -> {
        List<EmissionsReport.Line> lines = new ArrayList<>();
        for (Row r : rows) {
          lines.add(new EmissionsReport.Line(r.getString("entity"), r.getOffsetDateTime("period_start").toInstant(),
            r.getLong("events"), r.getLong("shipments"), r.getDouble("tonne_km"), r.getDouble("tonne_km_wtw"),
            r.getDouble("ttw"), r.getDouble("wtt"), r.getDouble("wtw"), r.getLong("ttw_only_events")));
        }
        EmissionsReport report = new EmissionsReport(request, basis, lines);
        return request.format() == ReportRequest.Format.CSV ? Buffer.buffer(report.toCsv())
          : report.toJson().toBuffer();
      });
  }
}
