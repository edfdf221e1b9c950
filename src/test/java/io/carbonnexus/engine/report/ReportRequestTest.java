package io.carbonnexus.engine.report;

import io.carbonnexus.engine.shared.EntityType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ReportRequestTest {

  @Test
  void withoutARangeTheReportCoversTheLastTwelveCalendarMonthsTheCurrentOneIncluded() {
    ReportRequest r = ReportRequest.parse(new JsonObject(), Instant.parse("2026-05-17T10:00:00Z"));
    assertThat(r.from()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
    assertThat(r.to()).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
    assertThat(r.group()).isEqualTo(EntityType.SUPPLIER);
    assertThat(r.period()).isEqualTo(ReportRequest.Period.MONTH);
    assertThat(r.format()).isEqualTo(ReportRequest.Format.JSON);
  }

  @Test
  void aDayIsItsMidnightInUtcAndAnInstantKeepsItsOffset() {
    ReportRequest r = ReportRequest.parse(new JsonObject().put("from", "2025-01-01").put("to", "2025-02-01T01:00:00+01:00"),
      Instant.EPOCH);
    assertThat(r.from()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(r.to()).isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));
  }

  @Test
  void aNameASpreadsheetWouldRunAsAFormulaGetsAnApostropheBeforeItsQuoting() {
    assertThat(EmissionsReport.field("=SUM(A1)")).isEqualTo("'=SUM(A1)");
    assertThat(EmissionsReport.field("+1")).isEqualTo("'+1");
    assertThat(EmissionsReport.field("-2")).isEqualTo("'-2");
    assertThat(EmissionsReport.field("@x")).isEqualTo("'@x");
    assertThat(EmissionsReport.field("=A1,\"B\"")).isEqualTo("\"'=A1,\"\"B\"\"\"");
    assertThat(EmissionsReport.field("Acme")).isEqualTo("Acme");
    assertThat(EmissionsReport.field("line\nbreak")).isEqualTo("\"line\nbreak\"");
  }
}
