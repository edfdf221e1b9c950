package io.carbonnexus.engine.prediction;

import java.util.List;

/**
 * One row of the published factor table (kg CO2e, tank-to-wheel). Per-vehicle-km factors exist
 * only for road vehicles; empty and full ones only where DEFRA publishes the load-factor method.
 */
public record EmissionFactor(
  String vehicleType,
  List<String> aliases,
  String mode,
  double kgPerTonneKm,
  Double kgPerVehicleKmEmpty,
  Double kgPerVehicleKmFull,
  Double kgPerVehicleKmAverage,
  String status,
  String source) {

  /** DEFRA's load-factor method needs both ends of the per-vehicle-km range. */
  public boolean supportsLoadFactorMethod() {
    return kgPerVehicleKmEmpty != null && kgPerVehicleKmFull != null;
  }
}
