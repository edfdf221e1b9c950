package io.carbonnexus.engine.shared;

import java.util.Locale;

/**
 * Which of an event's figures is "its CO2" ({@code co2_kg}) for baselines, hotspots, simulations
 * and recommendations: well-to-wheel (the ISO 14083 / GLEC headline, the default) or
 * tank-to-wheel. Configuration {@code emissions.basis}.
 */
public enum EmissionsBasis {
  WTW, TTW;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The figure on this basis. */
  public double pick(double ttwKg, double wtwKg) {
    return this == WTW ? wtwKg : ttwKg;
  }

  public static EmissionsBasis parse(String text) {
    if (text != null) {
      for (EmissionsBasis b : values()) {
        if (b.wire().equalsIgnoreCase(text.trim())) {
          return b;
        }
      }
    }
    throw new IllegalArgumentException("emissions basis must be wtw or ttw (was " + text + ")");
  }
}
