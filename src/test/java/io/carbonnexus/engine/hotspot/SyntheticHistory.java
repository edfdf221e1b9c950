package io.carbonnexus.engine.hotspot;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

/**
 * Synthetic entity histories for the tests of the pure detection core: hour by hour, a Poisson
 * number of shipments around a rhythm the test knows, so that what a model learns can be checked
 * against the truth. Seeded, so every run sees the same shipments.
 */
final class SyntheticHistory {

  /** A Monday, midnight UTC: models are learnt here; the Tuesday after it is 2026-12-01. */
  static final Instant BUILT = Instant.parse("2026-11-30T00:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofHours(24);
  /** The usual kg CO2 of one shipment is 80 to 120, its tonne-km 800 to 1200: about 0.1 kg per tonne-km. */
  static final double KG_MIN = 80;
  static final double KG_SPAN = 40;
  static final double TKM_MIN = 800;
  static final double TKM_SPAN = 400;

  /** Expected shipments in one hour of a day type ({@link SeasonalModel#WEEKDAY} ...) at an hour of day (0-23). */
  @FunctionalInterface
  interface Rhythm {
    double perHour(int dayType, int hourOfDay);
  }

  private SyntheticHistory() {
  }

  /** Detection as configured in the examples: windows 1h and 24h, intensity over 24h from 20 shipments, legacy over 24h. */
  static DetectionSettings settings(String algorithm) {
    return new DetectionSettings(algorithm, WindowSpec.parseAll("1h:3.5,24h:3"), DAY, 4, 20,
      SeasonalModel.Settings.defaults(), DAY, BaselineStatistic.parse("median+3mad"), 28, 7);
  }

  /**
   * {@code days} days of the rhythm before the default 24 h gap before {@code builtAt}, and the gap
   * itself: [builtAt − (days + 1) d, builtAt).
   */
  static Hours history(Instant builtAt, int days, Rhythm rhythm, long seed) {
    return history(builtAt, days, rhythm, seed, true);
  }

  /** The same; {@code withTonneKm} false leaves tonne-km at zero (an entity whose intensity is not known). */
  static Hours history(Instant builtAt, int days, Rhythm rhythm, long seed, boolean withTonneKm) {
    return history(builtAt, days, rhythm, seed, withTonneKm, 0);
  }

  /**
   * The same with every hour's rate also multiplied by its own lognormal factor (mean 1, standard
   * deviation {@code hourNoise}): hours that vary beyond arrival noise, as a dispatcher's batches do.
   */
  static Hours history(Instant builtAt, int days, Rhythm rhythm, long seed, boolean withTonneKm, double hourNoise) {
    Random random = new Random(seed);
    int length = (days + 1) * 24;
    Instant start = builtAt.minus(Duration.ofHours(length));
    Hours hours = new Hours(start, length);
    for (int i = 0; i < length; i++) {
      Instant at = start.plus(Duration.ofHours(i));
      double rate = rhythm.perHour(SeasonalModel.dayType(at), at.atZone(ZoneOffset.UTC).getHour());
      int n = poisson(random, rate * noise(random, hourNoise));
      for (int s = 0; s < n; s++) {
        hours.add(i, shipment(KG_MIN + KG_SPAN * random.nextDouble(),
          withTonneKm ? TKM_MIN + TKM_SPAN * random.nextDouble() : 0));
      }
    }
    return hours;
  }

  /** Adds a Poisson number of usual shipments, {@code perHour} on average, to the hour holding {@code at}. */
  static void addShipments(Hours hours, Instant at, double perHour, Random random) {
    for (int n = poisson(random, perHour); n > 0; n--) {
      hours.add(at, shipment(KG_MIN + KG_SPAN * random.nextDouble(), TKM_MIN + TKM_SPAN * random.nextDouble()));
    }
  }

  static Activity shipment(double co2, double tkm) {
    return new Activity(co2, 1, tkm, co2 * co2, co2 * tkm, tkm * tkm);
  }

  /** {@code n} shipments of {@code co2} kg and {@code tkm} tonne-km each. */
  static Activity shipments(int n, double co2, double tkm) {
    return new Activity(n * co2, n, n * tkm, n * co2 * co2, n * co2 * tkm, n * tkm * tkm);
  }

  /** The same activity with every shipment flown (a lane's sums count flights). */
  static Activity flown(Activity a) {
    return a.plus(new Activity(0, 0, 0, 0, 0, 0, a.events()));
  }

  /** The same activity without its flights: an entity's own sums (only lanes count flights). */
  static Activity grounded(Activity a) {
    return a.minus(new Activity(0, 0, 0, 0, 0, 0, a.air()));
  }

  /** A lognormal factor of mean 1 and standard deviation about {@code sd}; 1 when sd is 0. */
  static double noise(Random random, double sd) {
    return sd == 0 ? 1 : Math.exp(sd * random.nextGaussian() - sd * sd / 2);
  }

  /**
   * Knuth's method up to a mean of 500 (e^−mean underflows near 700); above it, the normal
   * approximation, as close as these tests need.
   */
  static int poisson(Random random, double mean) {
    if (mean > 500) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    double l = Math.exp(-mean);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= random.nextDouble();
    } while (p > l);
    return k - 1;
  }
}
