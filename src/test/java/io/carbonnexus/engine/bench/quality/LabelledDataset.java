package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.bench.quality.Label.Entity;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A labelled world of freight shipments for measuring detection: ten suppliers of very different
 * sizes (15 to 600 shipments a weekday) on twelve lanes, each with its own daily rhythm, weekend
 * level and vehicle mix, and anomalies of five classes, each with its label. Pure and
 * deterministic: the same settings give the same events and labels.
 *
 * <p>Traffic: per supplier and hour, a Poisson number of shipments per service (lane × vehicle
 * type) at rate = weekday volume × weekday factor × the supplier's noise of the day (lognormal,
 * sd {@value #DAY_NOISE_SD}) × its hourly shape (normalised to 1 over a day); Saturdays run at the
 * supplier's weekend level and Sundays at 70 % of it; a public holiday runs at the Saturday level.
 * Distances vary ±{@value #DISTANCE_NOISE} around the lane's, loads by a load factor drawn around
 * the supplier's mean; road vehicles carry their payload capacity and never a load above it.
 *
 * <p>Anomalies change the events themselves: a rate factor (bursts on a supplier or one of its
 * lanes, volume increases) thins a Poisson draw at the highest factor of the hour, so the rate is
 * exact to the millisecond; a load increase multiplies loads (capped at capacity); an air shift
 * moves a share of the supplier's surface shipments to air freight on the same lanes. Labels of
 * one supplier are kept {@link Settings#separation} apart so that each is scored on its own.
 */
public final class LabelledDataset {

  static final double DAY_NOISE_SD = 0.10;
  static final double DISTANCE_NOISE = 0.08;
  static final double LOAD_FACTOR_SD = 0.12;
  static final double MIN_LOAD_FACTOR = 0.05;
  /** Lanes up to this long fly short-haul when shifted to air; longer ones long-haul (DEFRA's split). */
  static final double SHORT_HAUL_MAX_KM = 3_700;
  static final double SUNDAY_OF_WEEKEND = 0.7;
  /** Weekday volume relative to the supplier's weekday mean, Monday to Friday. */
  private static final double[] WEEKDAY_FACTOR = {1.06, 1.0, 1.0, 1.0, 0.94};

  /** One shipment, shaped like an {@code events_normalized} row. */
  public record Event(Instant occurredAt, String supplier, String route, String vehicleType, double distanceKm,
                      double loadTonnes, Double payloadCapacityTonnes, String shipmentId) {
  }

  /**
   * @param end the data set covers [end − days, end)
   * @param scoredDays the last days, replayed and scored; anomalies before them are history
   * @param bursts counts of each class in the scored days; {@code history*} the same before them
   * @param separation least gap between two labels on the same entity (the hotspot of the first may stay open that long)
   * @param minBurstShipments a burst is placed only where it adds at least this many shipments in
   *     expectation: 4× a rate of 0.1 an hour adds nothing any detector could see, and such a label
   *     would only measure luck
   * @param minChangedShipments the same for sustained load and volume changes (shipments changed or added)
   * @param minAirShipments the same for air shifts (shipments moved to air)
   * @param weekdayContrast how much the weekdays differ: 1 for the usual busier Monday (+6 %) and
   *     quieter Friday (−6 %), 4 for a world with a strong weekly rhythm (+24 % and −24 %)
   * @param weeklyGrowth every supplier's volume grows by this share a week (0: a steady world;
   *     0.015 is +1.5 % a week), at its weekday level on the last day: a robustness check for a
   *     business that grows (or, negative, shrinks) under the detector
   * @param hourNoise every supplier-hour's rate is also multiplied by its own lognormal noise of this
   *     standard deviation (mean 1; 0: none, the default): hours that vary beyond Poisson noise and
   *     beyond their day's level, as a real shipper's dispatch does, a robustness check
   */
  public record Settings(long seed, Instant end, int days, int scoredDays,
                         int bursts, int sustainedLoad, int sustainedVolume, int airShifts,
                         int historyBursts, int historySustainedLoad, int historySustainedVolume, int historyAirShifts,
                         double volumeScale, Duration separation,
                         double minBurstShipments, double minChangedShipments, double minAirShipments,
                         double weekdayContrast, double weeklyGrowth, double hourNoise) {

    public static Settings defaults(long seed, Instant end) {
      return new Settings(seed, end, 42, 14, 30, 3, 3, 3, 8, 1, 1, 1, 1.0, Duration.ofHours(24), 4, 30, 10, 1.0, 0, 0);
    }

    public Settings withWeekdayContrast(double contrast) {
      return withWorld(contrast, weeklyGrowth, hourNoise);
    }

    public Settings withWeeklyGrowth(double growth) {
      if (!(growth > -1)) {
        throw new IllegalArgumentException("weekly growth must be above -1 (got " + growth + ")");
      }
      return withWorld(weekdayContrast, growth, hourNoise);
    }

    public Settings withHourNoise(double sd) {
      if (!(sd >= 0)) {
        throw new IllegalArgumentException("hour noise must be 0 or more (got " + sd + ")");
      }
      return withWorld(weekdayContrast, weeklyGrowth, sd);
    }

    /**
     * These settings over a data set of this many days (the scored days kept): a shorter history,
     * a robustness check for an engine started on a few weeks of data.
     */
    public Settings withDays(int total) {
      if (total < scoredDays + 2) {
        throw new IllegalArgumentException("days must leave two days of history before the " + scoredDays
          + " scored days (got " + total + ")");
      }
      return new Settings(seed, end, total, scoredDays, bursts, sustainedLoad, sustainedVolume, airShifts, historyBursts,
        historySustainedLoad, historySustainedVolume, historyAirShifts, volumeScale, separation, minBurstShipments,
        minChangedShipments, minAirShipments, weekdayContrast, weeklyGrowth, hourNoise);
    }

    /**
     * These settings with every supplier's volume multiplied by this factor (1: as listed): a
     * robustness check for smaller or larger shippers than the world's.
     */
    public Settings withVolumeScale(double scale) {
      if (!(scale > 0)) {
        throw new IllegalArgumentException("volume scale must be above 0 (got " + scale + ")");
      }
      return new Settings(seed, end, days, scoredDays, bursts, sustainedLoad, sustainedVolume, airShifts, historyBursts,
        historySustainedLoad, historySustainedVolume, historyAirShifts, scale, separation, minBurstShipments,
        minChangedShipments, minAirShipments, weekdayContrast, weeklyGrowth, hourNoise);
    }

    /** These settings in a world of another shape: the robustness knobs, everything else kept. */
    private Settings withWorld(double contrast, double growth, double noise) {
      return new Settings(seed, end, days, scoredDays, bursts, sustainedLoad, sustainedVolume, airShifts, historyBursts,
        historySustainedLoad, historySustainedVolume, historyAirShifts, volumeScale, separation, minBurstShipments,
        minChangedShipments, minAirShipments, contrast, growth, noise);
    }

    /** The growth factor of a date against the last day of the data (1 on it, below it before when growing). */
    double growth(LocalDate date) {
      if (weeklyGrowth == 0) {
        return 1;
      }
      long last = Math.floorDiv(end.getEpochSecond() - 1, 86_400);
      return Math.pow(1 + weeklyGrowth, (date.toEpochDay() - last) / 7.0);
    }

    public Instant start() {
      return end.minus(Duration.ofDays(days));
    }

    public Instant scoredFrom() {
      return end.minus(Duration.ofDays(scoredDays));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The world. Capacities are per shipment: a road vehicle's payload, a consignment on rail, sea or air.

  private enum Vehicle {
    HGV_DIESEL("hgv_diesel", 20, true),
    HGV_ARTIC("hgv_articulated_diesel", 26, true),
    HGV_RIGID("hgv_rigid_diesel", 9, true),
    VAN_DIESEL("van_diesel", 1.2, true),
    VAN_ELECTRIC("van_electric", 1.0, true),
    TRUCK_ELECTRIC("truck_electric", 16, true),
    RAIL("rail", 60, false),
    SHIP("ship", 26, false),
    AIR("air", 6, false),
    AIR_SHORT("air_short_haul", 3, false);

    final String id;
    final double capacity;
    final boolean road;

    Vehicle(String id, double capacity, boolean road) {
      this.id = id;
      this.capacity = capacity;
      this.road = road;
    }

    boolean air() {
      return this == AIR || this == AIR_SHORT;
    }
  }

  private record Lane(String id, double km) {
  }

  private static final Lane SOU_BHM = new Lane("SOU-BHM", 205);
  private static final Lane DVR_LON = new Lane("DVR-LON", 125);
  private static final Lane LDS_NCL = new Lane("LDS-NCL", 150);
  private static final Lane LON_EDI = new Lane("LON-EDI", 640);
  private static final Lane LIV_MAN = new Lane("LIV-MAN", 55);
  private static final Lane IMM_SHF = new Lane("IMM-SHF", 120);
  private static final Lane HAM_TIL = new Lane("HAM-TIL", 760);
  private static final Lane SIN_SOU = new Lane("SIN-SOU", 15_300);
  private static final Lane LHR_ORD = new Lane("LHR-ORD", 6_350);
  private static final Lane STN_CGN = new Lane("STN-CGN", 560);
  private static final Lane GLA_ABZ = new Lane("GLA-ABZ", 235);
  private static final Lane BRS_EXE = new Lane("BRS-EXE", 120);

  /** Hourly activity, UTC, relative; normalised per supplier so that a day sums to 1. */
  private enum Shape {
    /** Office hours: a sharp day, near-empty nights. */
    DAY(0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 0.8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.5, 0.3, 0.2, 0.1, 0.06, 0.05),
    /** Parcel and dairy runs: early mornings. */
    EARLY(0.1, 0.1, 0.1, 0.3, 0.7, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.5, 0.5, 0.5, 0.5, 0.3, 0.15, 0.15, 0.15, 0.08, 0.08),
    /** Chilled food: loads out in the evening, delivered at night. */
    NIGHT(1, 1, 1, 1, 1, 0.7, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1, 1, 1, 1),
    /** Ports and terminals: round the clock, a little quieter before dawn. */
    FLAT(0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    /** Two shifts, 06:00-22:00. */
    SHIFTS(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1);

    final double[] share = new double[24];

    Shape(double... weights) {
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      for (int h = 0; h < 24; h++) {
        share[h] = weights[h] / sum;
      }
    }
  }

  private record Service(Lane lane, Vehicle vehicle, double weight) {
  }

  /**
   * @param weekday mean shipments on a weekday
   * @param weekend Saturday's volume relative to a weekday
   * @param loadFactor mean load / capacity
   */
  private record Supplier(String name, double weekday, Shape shape, double weekend, double loadFactor,
                          List<Service> services) {

    Set<String> routes() {
      Set<String> routes = new LinkedHashSet<>();
      services.forEach(s -> routes.add(s.lane().id()));
      return routes;
    }

    Set<Entity> entities() {
      Set<Entity> entities = new HashSet<>();
      entities.add(Entity.supplier(name));
      services.forEach(s -> {
        entities.add(Entity.route(s.lane().id()));
        entities.add(Entity.vehicleType(s.vehicle().id));
      });
      return entities;
    }

    Set<Entity> entitiesOfLane(String route) {
      Set<Entity> entities = new HashSet<>();
      entities.add(Entity.supplier(name));
      entities.add(Entity.route(route));
      services.stream().filter(s -> s.lane().id().equals(route)).forEach(s -> entities.add(Entity.vehicleType(s.vehicle().id)));
      return entities;
    }

    boolean surface() {
      return services.stream().anyMatch(s -> !s.vehicle().air());
    }

    /** Loads can rise 30-60 % and mostly stay within capacity, or are consignments without one. */
    boolean loadHeadroom() {
      return loadFactor <= 0.6;
    }
  }

  private static Service service(Lane lane, Vehicle vehicle, double weight) {
    return new Service(lane, vehicle, weight);
  }

  private static final List<Supplier> SUPPLIERS = List.of(
    new Supplier("Albion Bulk Haulage", 600, Shape.DAY, 0.25, 0.65, List.of(
      service(SOU_BHM, Vehicle.HGV_ARTIC, 4), service(SOU_BHM, Vehicle.HGV_DIESEL, 2),
      service(LON_EDI, Vehicle.HGV_ARTIC, 2), service(IMM_SHF, Vehicle.HGV_DIESEL, 2))),
    new Supplier("Crown Parcel Network", 450, Shape.EARLY, 0.35, 0.45, List.of(
      service(DVR_LON, Vehicle.VAN_DIESEL, 3), service(LIV_MAN, Vehicle.VAN_ELECTRIC, 3),
      service(BRS_EXE, Vehicle.VAN_DIESEL, 2), service(DVR_LON, Vehicle.TRUCK_ELECTRIC, 1))),
    new Supplier("Fenland Fresh Foods", 260, Shape.NIGHT, 0.45, 0.5, List.of(
      service(IMM_SHF, Vehicle.HGV_RIGID, 3), service(LDS_NCL, Vehicle.HGV_RIGID, 2),
      service(LDS_NCL, Vehicle.HGV_DIESEL, 1))),
    new Supplier("Caledonia Freight", 160, Shape.DAY, 0.2, 0.58, List.of(
      service(LON_EDI, Vehicle.RAIL, 2), service(LON_EDI, Vehicle.HGV_DIESEL, 2),
      service(GLA_ABZ, Vehicle.HGV_ARTIC, 2))),
    new Supplier("Oceanic Container Lines", 90, Shape.FLAT, 0.85, 0.7, List.of(
      service(HAM_TIL, Vehicle.SHIP, 3), service(SIN_SOU, Vehicle.SHIP, 1))),
    new Supplier("Meridian Pharma Logistics", 60, Shape.DAY, 0.3, 0.4, List.of(
      service(DVR_LON, Vehicle.VAN_DIESEL, 3), service(STN_CGN, Vehicle.AIR_SHORT, 1))),
    new Supplier("Tynebridge Steel", 40, Shape.SHIFTS, 0.15, 0.5, List.of(
      service(LDS_NCL, Vehicle.RAIL, 2), service(IMM_SHF, Vehicle.HGV_RIGID, 1))),
    new Supplier("Westcountry Dairies", 30, Shape.EARLY, 0.5, 0.45, List.of(
      service(BRS_EXE, Vehicle.HGV_RIGID, 2), service(BRS_EXE, Vehicle.VAN_DIESEL, 1))),
    new Supplier("Skyline Electronics", 20, Shape.DAY, 0.25, 0.5, List.of(
      service(LHR_ORD, Vehicle.AIR, 1), service(DVR_LON, Vehicle.VAN_DIESEL, 2))),
    new Supplier("Pennant Textiles", 15, Shape.DAY, 0.2, 0.55, List.of(
      service(SOU_BHM, Vehicle.HGV_DIESEL, 1), service(GLA_ABZ, Vehicle.TRUCK_ELECTRIC, 1))));

  // ---------------------------------------------------------------------------------------------

  /** An anomaly as the generator applies it; becomes a {@link Label} with what it changed. */
  private static final class Anomaly {
    final String anomalyClass;
    final int supplier;
    final String route;
    final long startMs;
    final long endMs;
    final double magnitude;
    final String note;
    double changed;
    /** The earliest shipment added or changed, as epoch ms; {@code Long.MAX_VALUE} while none. */
    long firstChangedMs = Long.MAX_VALUE;

    Anomaly(String anomalyClass, int supplier, String route, long startMs, long endMs, double magnitude, String note) {
      this.anomalyClass = anomalyClass;
      this.supplier = supplier;
      this.route = route;
      this.startMs = startMs;
      this.endMs = endMs;
      this.magnitude = magnitude;
      this.note = note;
    }

    boolean rate() {
      return anomalyClass.equals(Label.BURST) || anomalyClass.equals(Label.SUSTAINED_VOLUME);
    }

    boolean appliesTo(Service s) {
      return route == null || route.equals(s.lane().id());
    }

    Entity target() {
      return route != null ? Entity.route(route) : Entity.supplier(SUPPLIERS.get(supplier).name());
    }

    Label label() {
      Supplier s = SUPPLIERS.get(supplier);
      Set<Entity> affects = route != null ? s.entitiesOfLane(route) : new HashSet<>(s.entities());
      if (anomalyClass.equals(Label.AIR_SHIFT)) {
        s.services().stream().filter(v -> !v.vehicle().air())
          .forEach(v -> affects.add(Entity.vehicleType(airFor(v.lane()).id)));
      }
      Entity t = target();
      return new Label(anomalyClass, t.type(), t.name(), Instant.ofEpochMilli(startMs), Instant.ofEpochMilli(endMs),
        magnitude, affects, changed, note, firstChangedMs == Long.MAX_VALUE ? null : Instant.ofEpochMilli(firstChangedMs));
    }

    void changedAt(long at, double share) {
      changed += share;
      firstChangedMs = Math.min(firstChangedMs, at);
    }
  }

  private final Settings settings;
  private final List<Event> events;
  private final List<Label> labels;
  private final List<Label> holidays;

  private LabelledDataset(Settings settings, List<Event> events, List<Label> labels, List<Label> holidays) {
    this.settings = settings;
    this.events = events;
    this.labels = labels;
    this.holidays = holidays;
  }

  public Settings settings() {
    return settings;
  }

  /** Every shipment, by time. */
  public List<Event> events() {
    return events;
  }

  /** Every label, history and scored, holidays included, by start. */
  public List<Label> labels() {
    List<Label> all = new ArrayList<>(labels);
    all.addAll(holidays);
    all.sort(Comparator.comparing(Label::start));
    return all;
  }

  public static List<String> suppliers() {
    return SUPPLIERS.stream().map(Supplier::name).toList();
  }

  /** Supplier name → its weekday volume (shipments), for reports. */
  public static double weekdayVolume(String supplier) {
    return SUPPLIERS.stream().filter(s -> s.name().equals(supplier)).mapToDouble(Supplier::weekday).findFirst().orElse(0);
  }

  public static LabelledDataset generate(Settings settings) {
    SplittableRandom plan = new SplittableRandom(mix(settings.seed() ^ 0x5DEECE66DL));
    long startMs = settings.start().toEpochMilli();
    long scoredMs = settings.scoredFrom().toEpochMilli();
    long endMs = settings.end().toEpochMilli();

    // Holidays first: a weekday in the scored days and one in the history, away from the edges.
    List<Label> holidays = new ArrayList<>();
    LocalDate scoredHoliday = holiday(plan, scoredMs + Duration.ofDays(2).toMillis(), endMs - Duration.ofDays(2).toMillis());
    LocalDate historyHoliday = holiday(plan, startMs + Duration.ofDays(8).toMillis(), scoredMs - Duration.ofDays(2).toMillis());
    Set<LocalDate> holidayDates = new HashSet<>();
    for (LocalDate d : new LocalDate[] {historyHoliday, scoredHoliday}) {
      if (d != null) {
        holidayDates.add(d);
        Instant s = d.atStartOfDay(ZoneOffset.UTC).toInstant();
        holidays.add(new Label(Label.HOLIDAY, "all", "*", s, s.plus(Duration.ofDays(1)), 0, Set.of(), 0,
          d.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, Locale.ROOT) + " at weekend volume", null));
      }
    }

    List<Anomaly> anomalies = new ArrayList<>();
    long hour = Duration.ofHours(1).toMillis();
    long day = Duration.ofDays(1).toMillis();
    long historyFrom = startMs + 2 * day;
    // Long anomalies first: they are the hardest to place once bursts are in.
    place(anomalies, holidayDates, plan, settings, Label.SUSTAINED_LOAD, settings.historySustainedLoad(), historyFrom, scoredMs - day);
    place(anomalies, holidayDates, plan, settings, Label.SUSTAINED_VOLUME, settings.historySustainedVolume(), historyFrom, scoredMs - day);
    place(anomalies, holidayDates, plan, settings, Label.AIR_SHIFT, settings.historyAirShifts(), historyFrom, scoredMs - day);
    place(anomalies, holidayDates, plan, settings, Label.SUSTAINED_LOAD, settings.sustainedLoad(), scoredMs + 6 * hour, endMs - 6 * hour);
    place(anomalies, holidayDates, plan, settings, Label.SUSTAINED_VOLUME, settings.sustainedVolume(), scoredMs + 6 * hour, endMs - 6 * hour);
    place(anomalies, holidayDates, plan, settings, Label.AIR_SHIFT, settings.airShifts(), scoredMs + 6 * hour, endMs - 6 * hour);
    place(anomalies, holidayDates, plan, settings, Label.BURST, settings.historyBursts(), historyFrom, scoredMs - 3 * hour);
    place(anomalies, holidayDates, plan, settings, Label.BURST, settings.bursts(), scoredMs + hour, endMs - 3 * hour);

    List<Event> events = traffic(settings, anomalies, holidayDates);
    List<Label> labels = new ArrayList<>();
    anomalies.forEach(a -> labels.add(a.label()));
    return new LabelledDataset(settings, events, labels, holidays);
  }

  /** A weekday in [from, to), or null when the range holds none. */
  private static LocalDate holiday(SplittableRandom rng, long fromMs, long toMs) {
    List<LocalDate> candidates = new ArrayList<>();
    LocalDate d = Instant.ofEpochMilli(fromMs).atZone(ZoneOffset.UTC).toLocalDate().plusDays(1);
    while (d.atStartOfDay(ZoneOffset.UTC).plusDays(1).toInstant().toEpochMilli() <= toMs) {
      if (d.getDayOfWeek().getValue() <= 5) {
        candidates.add(d);
      }
      d = d.plusDays(1);
    }
    return candidates.isEmpty() ? null : candidates.get(rng.nextInt(candidates.size()));
  }

  /** Places {@code count} anomalies of a class with start in [fromMs, toMs − duration], each away from the others. */
  private static void place(List<Anomaly> placed, Set<LocalDate> holidays, SplittableRandom rng, Settings settings,
                            String anomalyClass, int count, long fromMs, long toMs) {
    long hour = Duration.ofHours(1).toMillis();
    long separation = settings.separation().toMillis();
    int done = 0;
    for (int attempt = 0; done < count && attempt < 2_000; attempt++) {
      Anomaly a = draw(rng, anomalyClass, fromMs, toMs);
      if (a == null || expectedEffect(a, settings, holidays) < minimum(a.anomalyClass, settings)
        || (a.anomalyClass.equals(Label.BURST) && !detectableInPrinciple(a, settings, holidays))) {
        continue;
      }
      boolean clash = holidays.stream().anyMatch(d -> {
        long ds = d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        return a.startMs < ds + Duration.ofDays(2).toMillis() && a.endMs > ds - Duration.ofHours(12).toMillis();
      });
      for (Anomaly b : placed) {
        if (clash) {
          break;
        }
        long gap = Math.max(a.startMs - b.endMs, b.startMs - a.endMs);
        boolean sameTarget = a.target().equals(b.target());
        boolean sameSupplier = a.supplier == b.supplier;
        // One label per entity at a time, a detection window apart; lanes of one supplier a few hours apart.
        clash = (sameTarget && gap < separation) || (sameSupplier && gap < (a.route != null && b.route != null
          && !a.route.equals(b.route) ? 3 * hour : separation));
      }
      if (!clash) {
        placed.add(a);
        done++;
      }
    }
    if (done < count) {
      System.out.printf(Locale.ROOT, "dataset: placed %d of %d %s anomalies (no room left without overlaps)%n",
        done, count, anomalyClass);
    }
  }

  private static Anomaly draw(SplittableRandom rng, String anomalyClass, long fromMs, long toMs) {
    long minute = 60_000L;
    long hour = 60 * minute;
    switch (anomalyClass) {
      case Label.BURST -> {
        int s = rng.nextInt(SUPPLIERS.size());
        Supplier supplier = SUPPLIERS.get(s);
        List<String> routes = new ArrayList<>(supplier.routes());
        String route = routes.size() > 1 && rng.nextDouble() < 0.4 ? routes.get(rng.nextInt(routes.size())) : null;
        // A third at night, a third at weekends, the rest any time: the cases a daytime detector misses.
        long start = fromMs + (long) (rng.nextDouble() * (toMs - fromMs));
        double kind = rng.nextDouble();
        if (kind < 0.35) {
          start = atHour(start, new int[] {22, 23, 0, 1, 2, 3, 4}[rng.nextInt(7)], rng);
        } else if (kind < 0.65) {
          start = onWeekend(start, rng);
        }
        start -= Math.floorMod(start, minute);
        if (start < fromMs || start > toMs) {
          return null;
        }
        long duration = (60 + rng.nextInt(61)) * minute;
        double multiplier = 3 + 3 * rng.nextDouble();
        return new Anomaly(anomalyClass, s, route, start, start + duration, multiplier, describe(start, supplier));
      }
      case Label.SUSTAINED_LOAD, Label.SUSTAINED_VOLUME, Label.AIR_SHIFT -> {
        boolean air = anomalyClass.equals(Label.AIR_SHIFT);
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < SUPPLIERS.size(); i++) {
          Supplier c = SUPPLIERS.get(i);
          if (anomalyClass.equals(Label.SUSTAINED_LOAD) ? c.loadHeadroom() : !air || c.surface()) {
            eligible.add(i);
          }
        }
        int s = eligible.get(rng.nextInt(eligible.size()));
        long duration = air ? (24 + rng.nextInt(73)) * hour : (48 + rng.nextInt(49)) * hour;
        long start = fromMs + (long) (rng.nextDouble() * Math.max(0, toMs - duration - fromMs));
        start -= start % minute;
        double magnitude = air ? 0.10 + 0.10 * rng.nextDouble() : 1.3 + 0.3 * rng.nextDouble();
        return new Anomaly(anomalyClass, s, null, start, start + duration, magnitude, describe(start, SUPPLIERS.get(s)));
      }
      default -> throw new IllegalArgumentException(anomalyClass);
    }
  }

  /**
   * Whether a burst could be told from chance at all: its first hour must bring, in expectation,
   * at least the count an ideal detector — one that knows the true rate — needs at about 4
   * standard deviations of Poisson noise (λ + 4√λ + 2.5, the Cornish–Fisher edge), the rate a
   * false-alarm budget of 0.5 per entity a month allows for hour windows. A 3× burst on three
   * shipments an hour is not, whatever the detector: such labels would measure luck.
   */
  static boolean detectableInPrinciple(Anomaly a, Settings settings, Set<LocalDate> holidays) {
    double hours = (a.endMs - a.startMs) / 3_600_000.0;
    double extraPerHour = expectedEffect(a, settings, holidays) / hours;
    double base = extraPerHour / Math.max(1e-9, a.magnitude - 1);
    double firstHour = Math.min(1, hours) * (base + extraPerHour);
    return firstHour >= base + 4 * Math.sqrt(base) + 2.5;
  }

  private static double minimum(String anomalyClass, Settings settings) {
    return switch (anomalyClass) {
      case Label.BURST -> settings.minBurstShipments();
      case Label.AIR_SHIFT -> settings.minAirShipments();
      default -> settings.minChangedShipments();
    };
  }

  /**
   * Shipments the anomaly adds (bursts, volume) or changes (load, air) in expectation, from the
   * rate model without its daily noise: what decides whether it can be seen at all.
   */
  static double expectedEffect(Anomaly a, Settings settings, Set<LocalDate> holidays) {
    Supplier supplier = SUPPLIERS.get(a.supplier);
    double total = supplier.services().stream().mapToDouble(Service::weight).sum();
    double share = supplier.services().stream()
      .filter(sv -> a.appliesTo(sv) && !(a.anomalyClass.equals(Label.AIR_SHIFT) && sv.vehicle().air()))
      .mapToDouble(Service::weight).sum() / total;
    double base = 0;
    long minute = 60_000L;
    for (long t = a.startMs; t < a.endMs; t += minute) {
      long h = Math.floorDiv(t, 3_600_000L);
      LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(h, 24));
      base += supplier.weekday() * settings.volumeScale() * dayLevel(supplier, date, holidays, settings)
        * supplier.shape().share[(int) Math.floorMod(h, 24)] / 60.0;
    }
    base *= share;
    return switch (a.anomalyClass) {
      case Label.BURST, Label.SUSTAINED_VOLUME -> (a.magnitude - 1) * base;
      case Label.AIR_SHIFT -> a.magnitude * base;
      default -> base;
    };
  }

  private static long atHour(long ms, int hourOfDay, SplittableRandom rng) {
    long day = Duration.ofDays(1).toMillis();
    return Math.floorDiv(ms, day) * day + hourOfDay * 3_600_000L + rng.nextInt(60) * 60_000L;
  }

  private static long onWeekend(long ms, SplittableRandom rng) {
    LocalDate d = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC).toLocalDate();
    while (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
      d = d.plusDays(1);
    }
    if (rng.nextBoolean() && d.getDayOfWeek() == DayOfWeek.SATURDAY) {
      d = d.plusDays(1);
    }
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + rng.nextInt(24 * 60) * 60_000L;
  }

  private static String describe(long ms, Supplier supplier) {
    var t = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
    return String.format(Locale.ROOT, "%s %02d:%02d UTC, %s (%.0f shipments a weekday)",
      t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT), t.getHour(), t.getMinute(),
      supplier.name(), supplier.weekday());
  }

  private static Vehicle airFor(Lane lane) {
    return lane.km() <= SHORT_HAUL_MAX_KM ? Vehicle.AIR_SHORT : Vehicle.AIR;
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Event> traffic(Settings settings, List<Anomaly> anomalies, Set<LocalDate> holidays) {
    long hourMs = 3_600_000L;
    long firstHour = Math.floorDiv(settings.start().toEpochMilli(), hourMs);
    long endMs = settings.end().toEpochMilli();
    long lastHour = Math.floorDiv(endMs - 1, hourMs);
    List<Event> out = new ArrayList<>(80_000);
    List<List<Anomaly>> bySupplier = new ArrayList<>();
    SUPPLIERS.forEach(s -> bySupplier.add(new ArrayList<>()));
    anomalies.forEach(a -> bySupplier.get(a.supplier).add(a));
    List<Anomaly> active = new ArrayList<>();
    long serial = 0;
    for (int si = 0; si < SUPPLIERS.size(); si++) {
      Supplier supplier = SUPPLIERS.get(si);
      double serviceWeights = supplier.services().stream().mapToDouble(Service::weight).sum();
      for (long h = firstHour; h <= lastHour; h++) {
        long hourStart = h * hourMs;
        long dayIndex = Math.floorDiv(h, 24);
        LocalDate date = LocalDate.ofEpochDay(dayIndex);
        int hourOfDay = (int) Math.floorMod(h, 24);
        double dayLevel = dayLevel(supplier, date, holidays, settings)
          * Math.exp(DAY_NOISE_SD * new SplittableRandom(mix(settings.seed() * 31 + si * 1_000_003L + dayIndex)).nextGaussian());
        double hourRate = supplier.weekday() * settings.volumeScale() * dayLevel * supplier.shape().share[hourOfDay]
          * hourNoise(settings, si, h);
        active.clear();
        for (Anomaly a : bySupplier.get(si)) {
          if (a.startMs < hourStart + hourMs && a.endMs > hourStart) {
            active.add(a);
          }
        }
        SplittableRandom rng = new SplittableRandom(mix(mix(settings.seed() + si * 0x9E3779B97F4A7C15L) ^ h));
        for (Service service : supplier.services()) {
          double rate = hourRate * service.weight() / serviceWeights;
          double peak = 1;
          for (Anomaly a : active) {
            if (a.rate() && a.appliesTo(service)) {
              peak *= a.magnitude;
            }
          }
          int n = poisson(rate * peak, rng);
          for (int i = 0; i < n; i++) {
            long at = hourStart + (long) (rng.nextDouble() * hourMs);
            double factor = 1;
            double loadFactor = 1;
            double airShare = 0;
            Anomaly rateAnomaly = null;
            Anomaly loadAnomaly = null;
            Anomaly airAnomaly = null;
            for (Anomaly a : active) {
              if (at >= a.startMs && at < a.endMs && a.appliesTo(service)) {
                switch (a.anomalyClass) {
                  case Label.BURST, Label.SUSTAINED_VOLUME -> {
                    factor *= a.magnitude;
                    rateAnomaly = a;
                  }
                  case Label.SUSTAINED_LOAD -> {
                    loadFactor = a.magnitude;
                    loadAnomaly = a;
                  }
                  case Label.AIR_SHIFT -> {
                    airShare = a.magnitude;
                    airAnomaly = a;
                  }
                  default -> {
                  }
                }
              }
            }
            // Thinning: accept with rate(t) / peak, so the process follows the anomaly's edges exactly.
            double u = rng.nextDouble();
            double distance = service.lane().km() * (1 + DISTANCE_NOISE * (rng.nextDouble() + rng.nextDouble() - 1));
            double lf = Math.min(1, Math.max(MIN_LOAD_FACTOR, supplier.loadFactor() + LOAD_FACTOR_SD * rng.nextGaussian()));
            double shift = rng.nextDouble();
            if (u >= factor / peak || at >= endMs) {
              continue;
            }
            if (rateAnomaly != null) {
              rateAnomaly.changedAt(at, (rateAnomaly.magnitude - 1) / rateAnomaly.magnitude);
            }
            Vehicle vehicle = service.vehicle();
            double load = vehicle.capacity * lf;
            if (loadAnomaly != null) {
              load = vehicle.road ? Math.min(vehicle.capacity, load * loadFactor) : load * loadFactor;
              loadAnomaly.changedAt(at, 1);
            }
            if (airAnomaly != null && !vehicle.air() && shift < airShare) {
              vehicle = airFor(service.lane());
              airAnomaly.changedAt(at, 1);
            }
            out.add(new Event(Instant.ofEpochMilli(at), supplier.name(), service.lane().id(), vehicle.id,
              round(distance, 10), round(load, 1000), vehicle.road ? vehicle.capacity : null,
              "q" + settings.seed() + "-" + Long.toString(serial++, 36)));
          }
        }
      }
    }
    out.sort(Comparator.comparing(Event::occurredAt).thenComparing(Event::shipmentId));
    return out;
  }

  /** A supplier's volume on a date relative to its weekday mean. */
  private static double dayLevel(Supplier supplier, LocalDate date, Set<LocalDate> holidays, Settings settings) {
    DayOfWeek d = date.getDayOfWeek();
    double growth = settings.growth(date);
    if (d == DayOfWeek.SATURDAY || holidays.contains(date)) {
      return growth * supplier.weekend();
    }
    if (d == DayOfWeek.SUNDAY) {
      return growth * supplier.weekend() * SUNDAY_OF_WEEKEND;
    }
    return growth * (1 + settings.weekdayContrast() * (WEEKDAY_FACTOR[d.getValue() - 1] - 1));
  }

  /** A supplier-hour's own lognormal factor of mean 1, from a stream of its own (1 without hour noise). */
  private static double hourNoise(Settings settings, int supplier, long hour) {
    double sd = settings.hourNoise();
    if (sd == 0) {
      return 1;
    }
    double z = new SplittableRandom(mix(mix(settings.seed() * 17 + supplier * 0x632BE59BD9B4E019L) ^ ~hour)).nextGaussian();
    return Math.exp(sd * z - sd * sd / 2);
  }

  private static int poisson(double lambda, SplittableRandom rng) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda > 40) {
      return (int) Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.nextGaussian()));
    }
    double limit = Math.exp(-lambda);
    double p = rng.nextDouble();
    int k = 0;
    while (p > limit) {
      p *= rng.nextDouble();
      k++;
    }
    return k;
  }

  private static double round(double value, double scale) {
    return Math.round(value * scale) / scale;
  }

  /** SplitMix64's finaliser: neighbouring seeds give unrelated generators. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
