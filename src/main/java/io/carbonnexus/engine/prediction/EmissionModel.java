package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.carbonnexus.engine.shared.Prediction;
import io.carbonnexus.engine.shared.PredictionError;
import io.carbonnexus.engine.shared.ShipmentEvent;

/**
 * The built-in emission model on published DEFRA factors. Pure: the same event and the same
 * factor table always give the same number, and the version names the table's content.
 *
 * <ul>
 *   <li>Tonne-km method: {@code co2 = distance_km × load_tonnes × kg_per_tkm}.</li>
 *   <li>DEFRA's load-factor method, when the payload capacity is known and the vehicle type has
 *   empty and full per-vehicle-km factors: {@code co2 = distance_km × (empty + LF × (full − empty))}
 *   with {@code LF = load / capacity}. A load above capacity (LF &gt; 1) is outside the method's
 *   range: the tonne-km method answers instead, which keeps scaling with the load.</li>
 * </ul>
 *
 * <p>Each event gets three figures (ISO 14083, GLEC): tank-to-wheel from the "Freighting goods"
 * factors, well-to-tank from the WTT factors by the same method, and well-to-wheel, their sum. A
 * battery-electric vehicle's tank-to-wheel is zero: both its factors are energy provision
 * ({@link EmissionFactor}). {@code co2_kg} is the figure on the configured basis.
 */
public final class EmissionModel {

  public static final String MODEL = "builtin";
  public static final String METHOD_TONNE_KM = "tonne_km";
  public static final String METHOD_LOAD_FACTOR = "load_factor";

  /** What the model says of one event: a prediction or the reason there is none. */
  public sealed interface Outcome permits Predicted, Rejected {
  }

  public record Predicted(Prediction prediction) implements Outcome {
  }

  public record Rejected(PredictionError error) implements Outcome {
  }

  /** An event's three figures, kg CO2e, and the method that gave them. */
  public record Figures(double ttwKg, double wttKg, String method) {
    public double wtwKg() {
      return ttwKg + wttKg;
    }
  }

  private final EmissionFactorTable table;
  private final String version;
  private final EmissionsBasis basis;

  public EmissionModel(EmissionFactorTable table, EmissionsBasis basis) {
    this.table = table;
    this.basis = basis;
    this.version = EmissionFactorTable.FACTOR_SET + "+" + table.fingerprint();
  }

  public EmissionModel(EmissionFactorTable table) {
    this(table, EmissionsBasis.WTW);
  }

  /** The shipped tables, on the well-to-wheel basis. */
  public static EmissionModel builtin() {
    return builtin(EmissionsBasis.WTW);
  }

  public static EmissionModel builtin(EmissionsBasis basis) {
    return new EmissionModel(EmissionFactorTable.builtin(), basis);
  }

  public EmissionsBasis basis() {
    return basis;
  }

  public String version() {
    return version;
  }

  public EmissionFactorTable table() {
    return table;
  }

  public Outcome predict(ShipmentEvent event) {
    String problem = validate(event);
    if (problem != null) {
      return new Rejected(new PredictionError(event.id(), problem));
    }
    EmissionFactor factor = table.find(event.vehicleType()).orElse(null);
    if (factor == null) {
      return new Rejected(new PredictionError(event.id(), "unknown vehicle type '" + event.vehicleType() + "'"));
    }
    Figures f = figures(factor, event.distanceKm(), event.loadTonnes(), event.payloadCapacityTonnes());
    return new Predicted(Prediction.of(event.id(), MODEL, version, f.method(), f.ttwKg(), f.wttKg(),
      EmissionFactorTable.FACTOR_SET, basis));
  }

  /**
   * The three figures of {@code distance} km carrying {@code load} t (capacity null when unknown)
   * by the vehicle of {@code factor}: the load-factor method where it applies, else tonne-km; the
   * same method for both parts.
   */
  public static Figures figures(EmissionFactor factor, double distance, double load, Double capacity) {
    double generated;
    double upstream;
    String method;
    if (capacity != null && factor.supportsLoadFactorMethod() && load <= capacity) {
      double loadFactor = load / capacity;
      generated = distance * (factor.kgPerVehicleKmEmpty()
        + loadFactor * (factor.kgPerVehicleKmFull() - factor.kgPerVehicleKmEmpty()));
      upstream = distance * (factor.wttKgPerVehicleKmEmpty()
        + loadFactor * (factor.wttKgPerVehicleKmFull() - factor.wttKgPerVehicleKmEmpty()));
      method = METHOD_LOAD_FACTOR;
    } else {
      generated = distance * load * factor.kgPerTonneKm();
      upstream = distance * load * factor.wttKgPerTonneKm();
      method = METHOD_TONNE_KM;
    }
    // ISO 14083: an electric vehicle's "Freighting goods" factor is its electricity's generation, energy provision.
    return factor.electric() ? new Figures(0, generated + upstream, method) : new Figures(generated, upstream, method);
  }

  /**
   * The well-to-tank kg the tables give for this event (an ml-engine prediction is taken as
   * tank-to-wheel and completed with it), or null when the vehicle type is not in the tables.
   */
  public Double wellToTank(ShipmentEvent event) {
    EmissionFactor factor = table.find(event.vehicleType()).orElse(null);
    if (factor == null || validate(event) != null) {
      return null;
    }
    return figures(factor, event.distanceKm(), event.loadTonnes(), event.payloadCapacityTonnes()).wttKg();
  }

  /**
   * The reason an event cannot be predicted by any model (missing or impossible numbers), or
   * null. An unknown vehicle type is not checked here: ml-engine may know types we do not.
   */
  public static String validate(ShipmentEvent event) {
    if (event.vehicleType() == null || event.vehicleType().isBlank()) {
      return "vehicle_type is missing";
    }
    for (String[] name : new String[][] {
      {"supplier", event.supplier()}, {"route", event.route()}, {"vehicle_type", event.vehicleType()}}) {
      String problem = nameProblem(name[0], name[1]);
      if (problem != null) {
        return problem;
      }
    }
    String distance = nonNegative("distance_km", event.distanceKm());
    if (distance != null) {
      return distance;
    }
    String load = nonNegative("load_tonnes", event.loadTonnes());
    if (load != null) {
      return load;
    }
    Double capacity = event.payloadCapacityTonnes();
    if (capacity != null && !(Double.isFinite(capacity) && capacity > 0)) {
      return "payload_capacity_tonnes must be a number > 0 when given (was " + capacity + ")";
    }
    return null;
  }

  /** Longest entity name kept: a name is an index key in PostgreSQL, which refuses keys over ~2.7 kB. */
  public static final int MAX_NAME_LENGTH = 500;

  private static String nameProblem(String field, String value) {
    if (value == null) {
      return null;
    }
    if (value.length() > MAX_NAME_LENGTH) {
      return field + " is longer than " + MAX_NAME_LENGTH + " characters";
    }
    if (value.indexOf('\u0000') >= 0) {
      return field + " contains a NUL character";
    }
    return null;
  }

  private static String nonNegative(String field, Double value) {
    if (value == null || !Double.isFinite(value) || value < 0) {
      return field + " must be a number >= 0 (was " + value + ")";
    }
    return null;
  }
}
