package io.carbonnexus.engine.prediction;

import java.util.List;

/**
 * One vehicle type of the published factor tables (kg CO2e). The {@code kgPer*} factors are the
 * "Freighting goods" ones ({@code emission-factors.csv}); the {@code wtt*} factors are the
 * well-to-tank ones of the same vehicle ({@code emission-factors-wtt.csv}). Per-vehicle-km factors
 * exist only for road vehicles; empty and full ones only where DEFRA publishes the load-factor
 * method.
 *
 * <p>For a combustion vehicle the "Freighting goods" factor is tank-to-wheel (what the engine
 * burns). For a battery-electric one it is the emissions of generating its electricity, which ISO
 * 14083 counts as energy provision: its tank-to-wheel is zero and both factors are well-to-tank.
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
  String source,
  String energy,
  double wttKgPerTonneKm,
  Double wttKgPerVehicleKmEmpty,
  Double wttKgPerVehicleKmFull) {

  /** The energy carrier of battery-electric vehicles in the WTT table. */
  public static final String ELECTRICITY = "electricity";

  /** DEFRA's load-factor method needs both ends of the per-vehicle-km range, in both tables. */
  public boolean supportsLoadFactorMethod() {
    return kgPerVehicleKmEmpty != null && kgPerVehicleKmFull != null
      && wttKgPerVehicleKmEmpty != null && wttKgPerVehicleKmFull != null;
  }

  /** Battery-electric: no tank-to-wheel emissions (ISO 14083). */
  public boolean electric() {
    return ELECTRICITY.equals(energy);
  }

  /** Tank-to-wheel kg CO2e per tonne-km at average load (ISO 14083: zero for electric vehicles). */
  public double ttwKgPerTonneKm() {
    return electric() ? 0 : kgPerTonneKm;
  }

  /** Well-to-tank kg CO2e per tonne-km at average load (for electric vehicles, generation and its upstream). */
  public double wttKgPerTonneKmIso() {
    return electric() ? kgPerTonneKm + wttKgPerTonneKm : wttKgPerTonneKm;
  }

  /** Well-to-wheel kg CO2e per tonne-km at average load: the standards' headline intensity. */
  public double wtwKgPerTonneKm() {
    return kgPerTonneKm + wttKgPerTonneKm;
  }
}
