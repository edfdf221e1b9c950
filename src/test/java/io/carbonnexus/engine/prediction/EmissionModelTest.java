package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.shared.Prediction;
import io.carbonnexus.engine.shared.ShipmentEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The built-in model against DEFRA arithmetic done by hand: each expected number below was
 * computed from the published factor (in the comment), not by the code under test.
 */
class EmissionModelTest {

  private static final EmissionModel MODEL = EmissionModel.builtin();

  private static ShipmentEvent event(String type, Double distance, Double load, Double capacity) {
    return new ShipmentEvent(1, Instant.parse("2026-11-01T10:00:00Z"), "Supplier A", "R1", type, distance, load, capacity);
  }

  private static Prediction predicted(ShipmentEvent e) {
    EmissionModel.Outcome outcome = MODEL.predict(e);
    assertThat(outcome).isInstanceOf(EmissionModel.Predicted.class);
    return ((EmissionModel.Predicted) outcome).prediction();
  }

  private static String rejected(ShipmentEvent e) {
    EmissionModel.Outcome outcome = MODEL.predict(e);
    assertThat(outcome).isInstanceOf(EmissionModel.Rejected.class);
    return ((EmissionModel.Rejected) outcome).error().reason();
  }

  @ParameterizedTest(name = "{0}: {1} km x {2} t = TTW {3} + WTT {4} kg")
  @CsvSource({
    // type, km, tonnes, TTW = tkm x "Freighting goods" factor, WTT = tkm x WTT factor (electric: TTW 0, WTT both)
    "hgv_diesel,             250, 2,     50.815,     11.795",     // 500 tkm x 0.10163; x 0.02359
    "hgv_articulated_diesel, 250, 2,     38.515,      8.995",     // 500 tkm x 0.07703; x 0.01799
    "hgv_rigid_diesel,       250, 2,    181.81,      46.23",      // 500 tkm x 0.36362; x 0.09246
    "van_diesel,             40,  0.5,   12.626,      3.019",     // 20 tkm x 0.6313; x 0.15095
    "van_electric,           40,  0.5,    0,          5.525",     // 20 tkm x (0.21992 + 0.05633)
    "truck_electric,         120, 10,     0,         40.704",     // 1200 tkm x (0.027 + 0.00692)
    "rail,                   650, 60,  1083.81,     269.49",      // 39000 tkm x 0.02779; x 0.00691
    "ship,                 19500, 26,  8172.84,    1850.55",      // 507000 tkm x 0.01612; x 0.00365
    "air,                   5540, 6,  17660.412,   4492.7184",    // 33240 tkm x 0.5313; x 0.13516
    "air_short_haul,         940, 3,   2130.1998,   578.523",     // 2820 tkm x 0.75539; x 0.20515
  })
  void theTonneKmMethodGivesTankToWheelWellToTankAndTheirSum(String type, double km, double tonnes, double ttw,
                                                             double wtt) {
    Prediction p = predicted(event(type, km, tonnes, null));
    assertThat(p.ttwKg()).isCloseTo(ttw, within(1e-9));
    assertThat(p.wttKg()).isCloseTo(wtt, within(1e-9));
    assertThat(p.wtwKg()).isCloseTo(ttw + wtt, within(1e-9));
    assertThat(p.co2Kg()).as("co2_kg on the default basis, well-to-wheel").isCloseTo(ttw + wtt, within(1e-9));
    assertThat(p.method()).isEqualTo(EmissionModel.METHOD_TONNE_KM);
    assertThat(p.model()).isEqualTo("builtin");
    assertThat(p.factorSet()).isEqualTo("defra-2025");
  }

  @ParameterizedTest(name = "{0}: {1} km, {2} t of {3} t = TTW {4} + WTT {5} kg")
  @CsvSource({
    // LF = load / capacity; kg = km x (empty + LF x (full - empty)), with the TTW and then the WTT per-km factors
    "hgv_diesel,             100, 10, 20,  83.589,   19.7345",  // LF 0.5: 0.65975 + 0.5 x 0.35228; 0.15527 + 0.5 x 0.08415
    "hgv_diesel,             100,  0, 20,  65.975,   15.527",   // empty running still emits
    "hgv_diesel,             100, 20, 20, 101.203,   23.942",   // full
    "hgv_articulated_diesel, 200, 13, 26, 171.655,   40.474",   // LF 0.5: 0.64734 + 0.5 x 0.42187; 0.15178 + 0.5 x 0.10118
    "hgv_articulated_diesel,  50, 26, 26,  53.4605,  12.648",   // full: 1.06921; 0.25296 kg/km
  })
  void theLoadFactorMethodAppliesToBothPartsWhenCapacityIsKnownForHgvs(String type, double km, double load,
                                                                      double capacity, double ttw, double wtt) {
    Prediction p = predicted(event(type, km, load, capacity));
    assertThat(p.ttwKg()).isCloseTo(ttw, within(1e-9));
    assertThat(p.wttKg()).isCloseTo(wtt, within(1e-9));
    assertThat(p.co2Kg()).isCloseTo(ttw + wtt, within(1e-9));
    assertThat(p.method()).isEqualTo(EmissionModel.METHOD_LOAD_FACTOR);
  }

  @ParameterizedTest
  @CsvSource({"hgv_diesel, 100, 10, 20", "van_electric, 40, 0.5,", "rail, 650, 60,"})
  void onTheTankToWheelBasisCo2IsTheTankToWheelFigure(String type, double km, double load, Double capacity) {
    Prediction wtw = predicted(event(type, km, load, capacity));
    EmissionModel.Outcome outcome = EmissionModel.builtin(io.carbonnexus.engine.shared.EmissionsBasis.TTW)
      .predict(event(type, km, load, capacity));
    Prediction ttw = ((EmissionModel.Predicted) outcome).prediction();
    assertThat(ttw.co2Kg()).isEqualTo(wtw.ttwKg());
    assertThat(ttw.wtwKg()).isEqualTo(wtw.wtwKg());
    assertThat(ttw.basis().wire()).isEqualTo("ttw");
  }

  @ParameterizedTest
  @CsvSource({"hgv_rigid_diesel", "van_diesel", "van_electric", "truck_electric", "rail", "ship", "air", "air_short_haul"})
  void typesWithoutEmptyAndFullFactorsUseTonneKmEvenWithACapacity(String type) {
    Prediction withCapacity = predicted(event(type, 100.0, 5.0, 10.0));
    Prediction without = predicted(event(type, 100.0, 5.0, null));
    assertThat(withCapacity.method()).isEqualTo(EmissionModel.METHOD_TONNE_KM);
    assertThat(withCapacity.co2Kg()).isEqualTo(without.co2Kg());
  }

  @Test
  void aLoadAboveCapacityFallsBackToTonneKm() {
    Prediction p = predicted(event("hgv_diesel", 100.0, 30.0, 20.0));
    assertThat(p.method()).isEqualTo(EmissionModel.METHOD_TONNE_KM);
    assertThat(p.ttwKg()).isCloseTo(304.89, within(1e-9)); // 3000 tkm x 0.10163
    assertThat(p.wttKg()).isCloseTo(70.77, within(1e-9)); // 3000 tkm x 0.02359
  }

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource({
    "ev, truck_electric", "electric, truck_electric", "BEV, truck_electric", "diesel, hgv_diesel",
    "truck, hgv_diesel", "'  HGV  Diesel ', hgv_diesel", "van, van_diesel", "E-Van, van_electric",
    "evan, van_electric", "Artic, hgv_articulated_diesel", "train, rail", "Container Ship, ship",
    "plane, air", "AIR-SHORT-HAUL, air_short_haul"})
  void aliasesAndSpellingsMapToTheTablesTypes(String name, String type) {
    assertThat(predicted(event(name, 100.0, 1.0, null)).co2Kg())
      .isEqualTo(predicted(event(type, 100.0, 1.0, null)).co2Kg());
  }

  @Test
  void anUnknownVehicleTypeIsAnErrorNeverAZero() {
    assertThat(rejected(event("zeppelin", 100.0, 1.0, null))).isEqualTo("unknown vehicle type 'zeppelin'");
  }

  @Test
  void impossibleNumbersAreErrorsThatNameTheField() {
    assertThat(rejected(event("van", -5.0, 1.0, null))).startsWith("distance_km must be a number >= 0");
    assertThat(rejected(event("van", Double.NaN, 1.0, null))).startsWith("distance_km must be a number >= 0");
    assertThat(rejected(event("van", 10.0, null, null))).startsWith("load_tonnes must be a number >= 0");
    assertThat(rejected(event("van", 10.0, 1.0, 0.0))).startsWith("payload_capacity_tonnes must be a number > 0");
    assertThat(rejected(event(" ", 10.0, 1.0, null))).isEqualTo("vehicle_type is missing");
  }

  @Test
  void namesTooLongToIndexOrWithNulCharactersAreErrors() {
    ShipmentEvent longSupplier = new ShipmentEvent(1, Instant.now(), "S".repeat(3000), "R1", "van", 10.0, 1.0, null);
    assertThat(rejected(longSupplier)).isEqualTo("supplier is longer than 500 characters");
    ShipmentEvent nul = new ShipmentEvent(1, Instant.now(), "S", "R\u00001", "van", 10.0, 1.0, null);
    assertThat(rejected(nul)).isEqualTo("route contains a NUL character");
  }

  @Test
  void theSameInputGivesTheSameNumberAndVersion() {
    EmissionModel other = EmissionModel.builtin();
    ShipmentEvent e = event("hgv_diesel", 321.5, 7.25, 20.0);
    assertThat(other.version()).isEqualTo(MODEL.version()).startsWith("defra-2025+");
    assertThat(((EmissionModel.Predicted) other.predict(e)).prediction())
      .isEqualTo(((EmissionModel.Predicted) MODEL.predict(e)).prediction());
  }

  @Test
  void changingAFactorChangesTheModelVersion() throws Exception {
    String csv = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.RESOURCE).readAllBytes());
    EmissionModel changed = new EmissionModel(EmissionFactorTable.parse(csv.replace("0.10163", "0.10164")));
    assertThat(changed.version()).isNotEqualTo(MODEL.version());
  }

  @Test
  void changingAWellToTankFactorChangesTheModelVersion() throws Exception {
    String csv = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.RESOURCE).readAllBytes());
    String wtt = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.WTT_RESOURCE).readAllBytes());
    EmissionModel changed = new EmissionModel(EmissionFactorTable.parse(csv, wtt.replace("0.02359", "0.02360")));
    assertThat(changed.version()).isNotEqualTo(MODEL.version());
  }

  @Test
  void aVehicleTypeWithoutAWellToTankFactorIsRefused() throws Exception {
    String csv = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.RESOURCE).readAllBytes());
    String wtt = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.WTT_RESOURCE).readAllBytes());
    String withoutShip = wtt.lines().filter(l -> !l.startsWith("ship,")).collect(Collectors.joining("\n"));
    assertThatThrownBy(() -> EmissionFactorTable.parse(csv, withoutShip))
      .isInstanceOf(IllegalArgumentException.class).hasMessage("well-to-tank factors: no row for ship");
  }

  @Test
  void onlyBatteryElectricVehiclesHaveNoTankToWheelIntensity() {
    for (EmissionFactor f : MODEL.table().factors()) {
      boolean electric = f.vehicleType().endsWith("_electric");
      assertThat(f.electric()).as(f.vehicleType()).isEqualTo(electric);
      assertThat(f.ttwKgPerTonneKm()).as(f.vehicleType()).isEqualTo(electric ? 0 : f.kgPerTonneKm());
      assertThat(f.wtwKgPerTonneKm()).as(f.vehicleType()).isEqualTo(f.kgPerTonneKm() + f.wttKgPerTonneKm());
    }
  }

  @Test
  void everyTypeOfTheTableKeepsItsPublishedSource() {
    assertThat(MODEL.table().factors()).hasSize(10).allSatisfy(f -> assertThat(f.source()).isNotBlank());
    Set<String> types = MODEL.table().factors().stream().map(EmissionFactor::vehicleType).collect(Collectors.toSet());
    assertThat(types).contains("hgv_diesel", "truck_electric", "air_short_haul");
  }

  @Test
  void theBundledFactorTablesAreTheSharedOnes() throws Exception {
    Path shared = Path.of("..", "shared", "data");
    assumeThat(Files.exists(shared)).as("shared/ beside the checkout").isTrue();
    String bundled = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.RESOURCE).readAllBytes());
    assertThat(bundled).isEqualTo(Files.readString(shared.resolve("emission-factors.csv")));
    String wtt = new String(EmissionModelTest.class.getResourceAsStream(EmissionFactorTable.WTT_RESOURCE).readAllBytes());
    assertThat(wtt).isEqualTo(Files.readString(shared.resolve("emission-factors-wtt.csv")));
  }
}
