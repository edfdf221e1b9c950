package io.carbonnexus.engine.recommendation;

import io.carbonnexus.engine.recommendation.RuleRecommender.Action;
import io.carbonnexus.engine.recommendation.RuleRecommender.Mix;
import io.carbonnexus.engine.recommendation.RuleRecommender.Shift;
import io.carbonnexus.engine.shared.Percent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RuleRecommenderTest {

  private static final Mix LONG_HGV = new Mix("hgv_diesel", 800, 8_000, 650, 0.4, 20);
  private static final Mix VANS = new Mix("van_diesel", 200, 300, 40, 0.7, 30);

  /** A supplier's hotspot of the day's emissions. */
  private static RuleRecommender.Subject daily(double predicted, double baseline) {
    return new RuleRecommender.Subject("Supplier A", predicted, baseline, Percent.above(predicted, baseline), "24h",
      "emissions", null);
  }

  @Test
  void longHgvLanesGoToRailAndDieselVansToElectricVans() {
    assertThat(RuleRecommender.shifts(List.of(LONG_HGV, VANS))).extracting(Shift::from, Shift::alternative)
      .containsExactly(org.assertj.core.groups.Tuple.tuple("hgv_diesel", "rail"),
        org.assertj.core.groups.Tuple.tuple("van_diesel", "van_electric"));
    assertThat(RuleRecommender.shifts(List.of(new Mix("hgv_diesel", 10, 10, 120, null, 1))))
      .extracting(Shift::alternative).containsExactly("truck_electric");
    assertThat(RuleRecommender.shifts(List.of(new Mix("air", 10, 10, 5_500, null, 1))))
      .extracting(Shift::alternative).containsExactly("ship");
  }

  @Test
  void reductionsArePercentOfTheEntitysEmissionsAndRankedByReductionFeasibilityAndCost() {
    List<Shift> shifts = RuleRecommender.shifts(List.of(LONG_HGV, VANS));
    // What the model would predict for the same tonne-km: rail 8,000 tkm x 0.02779 = 222.32 kg;
    // electric vans 300 tkm x 0.21992 = 65.976 kg.
    Map<Shift, Double> alternatives = Map.of(shifts.get(0), 222.32, shifts.get(1), 65.976);
    List<Action> actions = RuleRecommender.actions(daily(1_000, 600), List.of(LONG_HGV, VANS), alternatives);
    // rail: (800 - 222.32) / 1000 = 58% (cost 4, feasibility 6): score 87
    // consolidation of the HGV loads at 40%: 800 x (0.4/0.85) x 0.9475/0.79 = 451.6 kg, saves 35% (cost 2, feas. 8): 140
    // electric vans: (200 - 65.976) / 1000 = 13% (cost 6, feasibility 7): 15
    assertThat(actions).extracting(Action::co2Reduction).containsExactly(35, 58, 13);
    assertThat(actions.get(0).title()).startsWith("Consolidate part-loads on hgv_diesel (average load factor 40%)");
    assertThat(actions.get(1).title()).contains("to rail");
  }

  @Test
  void anAlternativeThatEmitsMoreIsNotRecommended() {
    List<Shift> shifts = RuleRecommender.shifts(List.of(VANS));
    assertThat(RuleRecommender.actions(daily(200, 150), List.of(VANS), Map.of(shifts.get(0), 500.0))).isEmpty();
  }

  @Test
  void theRootCauseNamesTheExcessItsWindowAndWhatDominates() {
    assertThat(RuleRecommender.rootCause(daily(1_000, 600), List.of(LONG_HGV, VANS), null))
      .isEqualTo("Supplier A emitted 1000 kg CO2 over the last 24h, 67% above its baseline of 600 kg; 80% of it from"
        + " hgv_diesel (20 shipments, average load factor 40%, 650 km on average).");
  }

  @Test
  void aVehicleTypesRootCauseNamesTheSupplierWithMostOfItsCo2NotItself() {
    RuleRecommender.Subject type = new RuleRecommender.Subject("hgv_diesel", 800, 500, 60, "30m", "emissions", null);
    assertThat(RuleRecommender.rootCause(type, List.of(LONG_HGV), new RuleRecommender.TopSupplier("Northwind Haulage",
      520, 12, 800)))
      .isEqualTo("hgv_diesel emitted 800 kg CO2 over the last 30m, 60% above its baseline of 500 kg; 20 shipments,"
        + " average load factor 40%, 650 km on average; 65% of it from Northwind Haulage's shipments (12).");
  }

  @Test
  void anIntensityHotspotIsSaidInKgPerTonneKmWithItsOwnPercent() {
    // A sea carrier at 0.01634 kg per tonne-km against 0.01283: the hotspot says 27 % above, and so does the text.
    RuleRecommender.Subject shipped = new RuleRecommender.Subject("Supplier A", 0.01634, 0.01283, 27, "24h", "intensity",
      null);
    assertThat(RuleRecommender.rootCause(shipped, List.of(LONG_HGV, VANS), null))
      .startsWith("Supplier A emitted 0.01634 kg CO2 per tonne-km over the last 24h, 27% above its baseline of 0.01283"
        + " kg per tonne-km; 80% of the window's CO2 from hgv_diesel");
    // Reductions are still percent of the kg of the mix, never of a per-tonne-km figure.
    List<Shift> shifts = RuleRecommender.shifts(List.of(VANS));
    assertThat(RuleRecommender.actions(shipped, List.of(VANS), Map.of(shifts.get(0), 65.976)))
      .extracting(Action::co2Reduction).containsExactly(67);
  }

  @Test
  void aRouteReadThroughOneLaneNamesItsSupplierAndWeighsActionsAgainstTheWholeRoute() {
    // The route emitted 2,000 kg over the last 30 minutes; the mix is the lane's supplier's shipments on it.
    RuleRecommender.Subject lane = new RuleRecommender.Subject("R01", 2_000, 800, 150, "30m", "emissions",
      "Northwind Haulage");
    assertThat(RuleRecommender.rootCause(lane, List.of(LONG_HGV, VANS), null))
      .isEqualTo("R01 emitted 2000 kg CO2 over the last 30m, 150% above its baseline of 800 kg; from Northwind"
        + " Haulage's shipments on it: 80% of theirs from hgv_diesel (20 shipments, average load factor 40%,"
        + " 650 km on average).");
    List<Shift> shifts = RuleRecommender.shifts(List.of(LONG_HGV));
    // Rail saves 800 - 222.32 = 577.68 kg: 29% of the route's 2,000 kg, not 58% of the lane's 1,000.
    assertThat(RuleRecommender.actions(lane, List.of(LONG_HGV, VANS), Map.of(shifts.get(0), 222.32)))
      .extracting(Action::title, Action::co2Reduction)
      .contains(org.assertj.core.groups.Tuple.tuple(shifts.get(0).title(), 29));
  }
}
