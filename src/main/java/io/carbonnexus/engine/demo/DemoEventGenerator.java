package io.carbonnexus.engine.demo;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Synthetic but plausible freight shipment events for the demo: a fixed cast of suppliers and
 * lanes, a non-homogeneous Poisson process (quieter nights and weekends) and occasional surges
 * that should show up as hotspots.
 *
 * <p>Everything is a pure function of the seed and of time. Randomness is drawn per one-hour slot
 * and supplier from a generator seeded with (seed, slot, supplier), and a slot is always drawn
 * whole and then cut to the requested range. So {@code generate(a, b)} followed by
 * {@code generate(b, c)} gives exactly the events of {@code generate(a, c)}, wherever {@code b}
 * falls, and a restart never rewrites the past: the live trickle is the same process as the
 * history.
 *
 * <p>Hours and weekdays are taken in UTC, close enough to UK time for a demo and free of
 * daylight-saving gaps.
 */
public final class DemoEventGenerator {

  /** Activity of an hour in [{@link #NIGHT_START_HOUR}, 24) or [0, {@link #NIGHT_END_HOUR}) UTC, relative to daytime. */
  public static final double NIGHT_FACTOR = 0.3;
  public static final int NIGHT_START_HOUR = 22;
  public static final int NIGHT_END_HOUR = 6;
  /** Activity of Saturdays and Sundays relative to weekdays; multiplies the night factor too. */
  public static final double WEEKEND_FACTOR = 0.4;
  /** The unit of randomness: splitting a range anywhere redraws nothing inside a slot. */
  public static final Duration SLOT = Duration.ofHours(1);
  /** Share of surges that hit one lane of the supplier instead of all of its lanes. */
  public static final double ROUTE_SURGE_SHARE = 0.35;
  /** During a surge the mean load factor moves this fraction of the way from its usual value to 1. */
  public static final double SURGE_LOAD_PULL = 0.6;
  /** Half-width of the (triangular) relative noise on a lane's distance: detours, depots, ports. */
  public static final double DISTANCE_NOISE = 0.10;
  public static final double LOAD_FACTOR_SD = 0.12;
  /** A shipment always carries something: the factor model divides by nothing, but a 0 t row is noise. */
  public static final double MIN_LOAD_FACTOR = 0.05;
  /** Bounds the look-back for surges still active at the start of a range. */
  public static final Duration MAX_SURGE_DURATION = Duration.ofDays(7);

  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final long SLOT_SECONDS = SLOT.toSeconds();
  private static final long SLOT_MICROS = SLOT_SECONDS * MICROS_PER_SECOND;
  private static final long HOURS_PER_WEEK = 7 * 24;
  /** Stream ids below the supplier indexes, so surge draws never share a generator with events. */
  private static final long SURGE_STREAM = -1;
  private static final DateTimeFormatter SLOT_LABEL =
      DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);
  private static final Comparator<DemoEvent> ORDER =
      Comparator.comparing(DemoEvent::occurredAt).thenComparing(DemoEvent::shipmentId);

  /**
   * @param eventsPerDay mean events per day over a whole week, surges excluded; weekday daytime
   *     hours run above it and nights and weekends below, see {@link #NIGHT_FACTOR} and
   *     {@link #WEEKEND_FACTOR}
   * @param surgesPerDay mean number of surges starting per day, across all suppliers
   * @param surgeMultiplier factor on the affected event rate while a surge lasts
   */
  public record Settings(
      long seed, double eventsPerDay, double surgesPerDay, Duration surgeDuration, double surgeMultiplier) {

    public Settings {
      if (!Double.isFinite(eventsPerDay) || eventsPerDay < 0) {
        throw new IllegalArgumentException("eventsPerDay must be a finite number >= 0, was " + eventsPerDay);
      }
      if (!Double.isFinite(surgesPerDay) || surgesPerDay < 0) {
        throw new IllegalArgumentException("surgesPerDay must be a finite number >= 0, was " + surgesPerDay);
      }
      if (surgeDuration == null
          || surgeDuration.compareTo(Duration.ofSeconds(1)) < 0
          || surgeDuration.compareTo(MAX_SURGE_DURATION) > 0) {
        throw new IllegalArgumentException(
            "surgeDuration must be between 1 second and " + MAX_SURGE_DURATION + ", was " + surgeDuration);
      }
      if (!Double.isFinite(surgeMultiplier) || surgeMultiplier < 1) {
        throw new IllegalArgumentException("surgeMultiplier must be a finite number >= 1, was " + surgeMultiplier);
      }
    }

    public static Settings defaults() {
      return new Settings(42L, 10_000, 3, Duration.ofHours(2), 6.0);
    }
  }

  /** A period in which a supplier's event rate is multiplied; {@code route} is null when all its lanes surge. */
  public record Surge(Instant start, Instant end, String supplier, String route, double rateMultiplier) {
  }

  // ---------------------------------------------------------------------------------------------
  // The cast. Capacities are per shipment: the payload of the vehicle on the road, the size of a
  // consignment on shared rail, sea and air transport (a wagon load, a 40-ft container, a few
  // pallets on a freighter).

  private record VehicleType(String id, double shipmentCapacityTonnes, boolean road) {
  }

  private static final List<VehicleType> VEHICLE_TYPES = List.of(
      new VehicleType("hgv_diesel", 20.0, true),
      new VehicleType("hgv_articulated_diesel", 26.0, true),
      new VehicleType("hgv_rigid_diesel", 9.0, true),
      new VehicleType("van_diesel", 1.2, true),
      new VehicleType("van_electric", 1.0, true),
      new VehicleType("truck_electric", 16.0, true),
      new VehicleType("rail", 60.0, false),
      new VehicleType("ship", 26.0, false),
      new VehicleType("air", 6.0, false),
      new VehicleType("air_short_haul", 3.0, false));

  /** What may run on a lane, so that the hand-written profiles cannot put a ship on a motorway. */
  private enum LaneKind {
    ROAD_SHORT(Set.of("van_diesel", "van_electric", "hgv_rigid_diesel", "truck_electric")),
    ROAD_TRUNK(Set.of("hgv_diesel", "hgv_articulated_diesel", "hgv_rigid_diesel", "truck_electric")),
    ROAD_TRUNK_AND_RAIL(
        Set.of("hgv_diesel", "hgv_articulated_diesel", "hgv_rigid_diesel", "truck_electric", "rail")),
    SEA(Set.of("ship")),
    AIR_LONG(Set.of("air")),
    AIR_SHORT(Set.of("air_short_haul"));

    private final Set<String> vehicleTypes;

    LaneKind(Set<String> vehicleTypes) {
      this.vehicleTypes = vehicleTypes;
    }
  }

  private record Lane(String id, String origin, String destination, double km, LaneKind kind) {
  }

  private static final List<Lane> LANES = List.of(
      new Lane("R01", "London", "Birmingham", 190, LaneKind.ROAD_TRUNK),
      new Lane("R02", "Manchester", "Leeds", 70, LaneKind.ROAD_SHORT),
      new Lane("R03", "London", "Glasgow", 650, LaneKind.ROAD_TRUNK_AND_RAIL),
      new Lane("R04", "Felixstowe", "Birmingham", 265, LaneKind.ROAD_TRUNK_AND_RAIL),
      new Lane("R05", "Bristol", "Cardiff", 70, LaneKind.ROAD_SHORT),
      new Lane("R06", "London", "Reading", 65, LaneKind.ROAD_SHORT),
      new Lane("R07", "Rotterdam", "Felixstowe", 230, LaneKind.SEA),
      new Lane("R08", "Shanghai", "Felixstowe", 19_500, LaneKind.SEA),
      new Lane("R09", "London Heathrow", "New York JFK", 5_540, LaneKind.AIR_LONG),
      new Lane("R10", "East Midlands Airport", "Leipzig/Halle", 940, LaneKind.AIR_SHORT),
      new Lane("R11", "Paris", "Lyon", 465, LaneKind.ROAD_TRUNK),
      new Lane("R12", "Rotterdam", "Duisburg", 220, LaneKind.ROAD_TRUNK));

  private record Service(String route, String vehicleType, double weight) {
  }

  /** A supplier: its share of the total volume, its usual load factor and its lanes × vehicles mix. */
  private record Profile(String name, double share, double meanLoadFactor, List<Service> services) {
  }

  private static Service service(String route, String vehicleType, double weight) {
    return new Service(route, vehicleType, weight);
  }

  private static final List<Profile> PROFILES = List.of(
      new Profile("Northwind Haulage", 0.14, 0.75, List.of(
          service("R01", "hgv_articulated_diesel", 4), service("R01", "hgv_diesel", 2),
          service("R03", "hgv_articulated_diesel", 2), service("R12", "hgv_diesel", 1))),
      new Profile("Atlas Freight", 0.12, 0.65, List.of(
          service("R04", "hgv_diesel", 3), service("R04", "hgv_articulated_diesel", 2),
          service("R11", "hgv_articulated_diesel", 2), service("R12", "truck_electric", 1))),
      new Profile("Pennine Logistics", 0.10, 0.55, List.of(
          service("R02", "hgv_rigid_diesel", 3), service("R02", "van_diesel", 3),
          service("R01", "hgv_rigid_diesel", 1))),
      new Profile("Severn Carriers", 0.08, 0.50, List.of(
          service("R05", "van_diesel", 4), service("R05", "hgv_rigid_diesel", 2),
          service("R05", "van_electric", 1))),
      new Profile("Bluewater Shipping", 0.05, 0.85, List.of(
          service("R08", "ship", 3), service("R07", "ship", 2))),
      new Profile("Kestrel Air Cargo", 0.03, 0.60, List.of(
          service("R09", "air", 2), service("R10", "air_short_haul", 3))),
      new Profile("Thames Gateway Distribution", 0.10, 0.45, List.of(
          service("R06", "van_electric", 4), service("R06", "van_diesel", 2),
          service("R06", "truck_electric", 1))),
      new Profile("Highland Rail Freight", 0.04, 0.80, List.of(
          service("R03", "rail", 3), service("R04", "rail", 2))),
      new Profile("Meridian Express", 0.09, 0.40, List.of(
          service("R02", "van_diesel", 2), service("R06", "van_diesel", 2),
          service("R10", "air_short_haul", 1))),
      new Profile("Greenline Couriers", 0.08, 0.50, List.of(
          service("R06", "van_electric", 3), service("R02", "van_electric", 2),
          service("R01", "truck_electric", 1))),
      new Profile("Continental Roadways", 0.10, 0.70, List.of(
          service("R11", "hgv_articulated_diesel", 3), service("R12", "hgv_articulated_diesel", 2),
          service("R11", "hgv_diesel", 1))),
      new Profile("Harbourline Forwarding", 0.07, 0.80, List.of(
          service("R07", "ship", 2), service("R04", "rail", 1),
          service("R04", "hgv_diesel", 2), service("R04", "hgv_articulated_diesel", 1))));

  /** A profile resolved to indexes, with service weights normalised to sum to 1. */
  private static final class Supplier {
    final String name;
    final String code;
    final double share;
    final double meanLoadFactor;
    final double surgeLoadFactor;
    final int[] lane;
    final int[] vehicle;
    final double[] weight;
    final int[] distinctLanes;

    Supplier(int index, Profile profile, double totalShare) {
      this.name = profile.name();
      this.code = String.format("s%02d", index + 1);
      this.share = profile.share() / totalShare;
      this.meanLoadFactor = profile.meanLoadFactor();
      this.surgeLoadFactor = meanLoadFactor + SURGE_LOAD_PULL * (1 - meanLoadFactor);
      int n = profile.services().size();
      this.lane = new int[n];
      this.vehicle = new int[n];
      this.weight = new double[n];
      double totalWeight = profile.services().stream().mapToDouble(Service::weight).sum();
      Set<Integer> lanes = new LinkedHashSet<>();
      for (int k = 0; k < n; k++) {
        Service service = profile.services().get(k);
        lane[k] = laneIndex(service.route());
        vehicle[k] = vehicleIndex(service.vehicleType());
        weight[k] = service.weight() / totalWeight;
        if (!LANES.get(lane[k]).kind().vehicleTypes.contains(service.vehicleType())) {
          throw new IllegalStateException(
              profile.name() + " runs " + service.vehicleType() + " on " + service.route() + ", which cannot carry it");
        }
        lanes.add(lane[k]);
      }
      this.distinctLanes = lanes.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private static final List<Supplier> SUPPLIERS = resolveSuppliers();
  private static final Double[] PAYLOAD_CAPACITY = VEHICLE_TYPES.stream()
      .map(v -> v.road() ? Double.valueOf(v.shipmentCapacityTonnes()) : null)
      .toArray(Double[]::new);
  /** Sum of the activity factors over the 168 hours of any week. */
  private static final double WEEKLY_ACTIVITY_HOURS = weeklyActivityHours();

  private static List<Supplier> resolveSuppliers() {
    double totalShare = PROFILES.stream().mapToDouble(Profile::share).sum();
    List<Supplier> suppliers = new ArrayList<>();
    Set<String> vehiclesUsed = new HashSet<>();
    for (int i = 0; i < PROFILES.size(); i++) {
      suppliers.add(new Supplier(i, PROFILES.get(i), totalShare));
      PROFILES.get(i).services().forEach(s -> vehiclesUsed.add(s.vehicleType()));
    }
    // The demo must exercise every factor of the table, or a vehicle type would never show in the dashboard.
    for (VehicleType type : VEHICLE_TYPES) {
      if (!vehiclesUsed.contains(type.id())) {
        throw new IllegalStateException("no demo supplier runs " + type.id());
      }
    }
    return List.copyOf(suppliers);
  }

  private static int laneIndex(String route) {
    for (int i = 0; i < LANES.size(); i++) {
      if (LANES.get(i).id().equals(route)) {
        return i;
      }
    }
    throw new IllegalStateException("unknown demo route " + route);
  }

  private static int vehicleIndex(String vehicleType) {
    for (int i = 0; i < VEHICLE_TYPES.size(); i++) {
      if (VEHICLE_TYPES.get(i).id().equals(vehicleType)) {
        return i;
      }
    }
    throw new IllegalStateException("unknown demo vehicle type " + vehicleType);
  }

  private static double weeklyActivityHours() {
    double sum = 0;
    for (long slot = 0; slot < HOURS_PER_WEEK; slot++) {
      sum += activity(slot);
    }
    return sum;
  }

  /** Relative event rate of an hour slot: 1 on weekday daytime hours. */
  private static double activity(long slot) {
    int hour = (int) Math.floorMod(slot, 24L);
    // 1970-01-01, slot 0, was a Thursday.
    DayOfWeek day = DayOfWeek.THURSDAY.plus(Math.floorMod(Math.floorDiv(slot, 24L), 7L));
    double factor = (hour >= NIGHT_START_HOUR || hour < NIGHT_END_HOUR) ? NIGHT_FACTOR : 1.0;
    if (day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY) {
      factor *= WEEKEND_FACTOR;
    }
    return factor;
  }

  // ---------------------------------------------------------------------------------------------

  private record SurgeWindow(long startMicros, long endMicros, int supplier, int lane, double multiplier) {

    boolean covers(long fromMicros, long toMicros) {
      return startMicros <= fromMicros && endMicros >= toMicros;
    }

    Surge toSurge() {
      return new Surge(instantOfMicros(startMicros), instantOfMicros(endMicros), SUPPLIERS.get(supplier).name,
          lane < 0 ? null : LANES.get(lane).id(), multiplier);
    }
  }

  private final Settings settings;
  private final double peakHourlyRate;
  private final long surgeMicros;
  /** The first start's surge (null: none): so that a new user sees a hotspot at once, whatever the hour. */
  private final SurgeWindow showcase;

  public DemoEventGenerator(Settings settings) {
    this(settings, null);
  }

  private DemoEventGenerator(Settings settings, Instant showcaseStart) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.peakHourlyRate = settings.eventsPerDay() * 7 / WEEKLY_ACTIVITY_HOURS;
    this.surgeMicros = settings.surgeDuration().toNanos() / 1_000;
    this.showcase = showcaseStart == null || settings.surgeMultiplier() <= 1 ? null
      : new SurgeWindow(toMicrosFloor(showcaseStart), toMicrosFloor(showcaseStart) + surgeMicros, largestSupplier(), -1,
        settings.surgeMultiplier());
  }

  /**
   * The same generator with one more surge, on the largest supplier (all its lanes), from
   * {@code start} for the surge duration: the demo's first start puts it around "now", so that
   * detection has a burst to find within a minute on any day at any hour, and every channel
   * carries traffic from the start. A pure function still: the feed stores {@code start}.
   */
  public DemoEventGenerator withShowcase(Instant start) {
    return new DemoEventGenerator(settings, start);
  }

  private static int largestSupplier() {
    int best = 0;
    for (int i = 1; i < SUPPLIERS.size(); i++) {
      if (SUPPLIERS.get(i).share > SUPPLIERS.get(best).share) {
        best = i;
      }
    }
    return best;
  }

  public List<String> suppliers() {
    return SUPPLIERS.stream().map(s -> s.name).toList();
  }

  public List<String> routes() {
    return LANES.stream().map(Lane::id).toList();
  }

  public List<String> vehicleTypes() {
    return VEHICLE_TYPES.stream().map(VehicleType::id).toList();
  }

  /** Events with {@code from <= occurredAt < to}, sorted by time (ties by shipment id). */
  public List<DemoEvent> generate(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      return List.of();
    }
    long firstSlot = slotOf(from);
    long lastSlot = slotOf(to.minusNanos(1));
    List<List<SurgeWindow>> surgesBySupplier = new ArrayList<>();
    SUPPLIERS.forEach(s -> surgesBySupplier.add(new ArrayList<>()));
    for (SurgeWindow w : surgeWindows(firstSlot * SLOT_MICROS, (lastSlot + 1) * SLOT_MICROS)) {
      surgesBySupplier.get(w.supplier()).add(w);
    }

    double days = Duration.between(from, to).toSeconds() / 86_400.0;
    List<DemoEvent> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, 1.2 * days * settings.eventsPerDay() + 16));
    List<SurgeWindow> slotSurges = new ArrayList<>();
    for (long slot = firstSlot; slot <= lastSlot; slot++) {
      long slotStart = slot * SLOT_MICROS;
      long slotEnd = slotStart + SLOT_MICROS;
      double slotRate = peakHourlyRate * activity(slot);
      String slotLabel = SLOT_LABEL.format(instantOfMicros(slotStart));
      for (int s = 0; s < SUPPLIERS.size(); s++) {
        slotSurges.clear();
        for (SurgeWindow w : surgesBySupplier.get(s)) {
          if (w.startMicros() < slotEnd && w.endMicros() > slotStart) {
            slotSurges.add(w);
          }
        }
        generateSlot(slot, slotLabel, s, slotRate, slotSurges, from, to, out);
      }
    }
    out.sort(ORDER);
    return out;
  }

  /** Surges active at any time in [from, to), in order of start. */
  public List<Surge> surgesBetween(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      return List.of();
    }
    List<Surge> surges = new ArrayList<>();
    for (SurgeWindow w : surgeWindows(toMicrosFloor(from), toMicrosFloor(to.minusNanos(1)) + 1)) {
      Surge surge = w.toSurge();
      if (surge.start().isBefore(to) && surge.end().isAfter(from)) {
        surges.add(surge);
      }
    }
    return surges;
  }

  /**
   * Surges overlapping [fromMicros, toMicros). Whether and where a surge starts depends only on
   * (seed, slot of its start), so the set never depends on the range asked for.
   */
  private List<SurgeWindow> surgeWindows(long fromMicros, long toMicros) {
    List<SurgeWindow> windows = new ArrayList<>();
    if (showcase != null && showcase.startMicros() < toMicros && showcase.endMicros() > fromMicros) {
      windows.add(showcase);
    }
    if (settings.surgesPerDay() == 0) {
      return windows;
    }
    double perSlot = settings.surgesPerDay() * SLOT_SECONDS / 86_400.0;
    long firstSlot = Math.floorDiv(fromMicros - surgeMicros, SLOT_MICROS);
    long lastSlot = Math.floorDiv(toMicros - 1, SLOT_MICROS);
    for (long slot = firstSlot; slot <= lastSlot; slot++) {
      SplittableRandom rng = new SplittableRandom(streamSeed(settings.seed(), slot, SURGE_STREAM));
      double t = exponential(rng) / perSlot;
      while (t < 1) {
        int supplier = rng.nextInt(SUPPLIERS.size());
        int lane = -1;
        if (rng.nextDouble() < ROUTE_SURGE_SHARE) {
          int[] lanes = SUPPLIERS.get(supplier).distinctLanes;
          lane = lanes[rng.nextInt(lanes.length)];
        }
        long start = slot * SLOT_MICROS + (long) (t * SLOT_SECONDS) * MICROS_PER_SECOND;
        long end = start + surgeMicros;
        if (start < toMicros && end > fromMicros) {
          windows.add(new SurgeWindow(start, end, supplier, lane, settings.surgeMultiplier()));
        }
        t += exponential(rng) / perSlot;
      }
    }
    return windows;
  }

  /**
   * Draws one supplier's whole slot, then keeps what falls in [from, to). Within the slot the
   * rate is piecewise constant between surge edges, so each piece is a homogeneous Poisson
   * process drawn from exponential gaps.
   */
  private void generateSlot(long slot, String slotLabel, int s, double slotRate, List<SurgeWindow> surges,
      Instant from, Instant to, List<DemoEvent> out) {
    Supplier supplier = SUPPLIERS.get(s);
    double supplierRate = slotRate * supplier.share;
    if (supplierRate <= 0) {
      return;
    }
    SplittableRandom rng = new SplittableRandom(streamSeed(settings.seed(), slot, s));
    long slotStart = slot * SLOT_MICROS;
    long[] edges = pieceEdges(slotStart, surges);
    int services = supplier.weight.length;
    double[] rates = new double[services];
    boolean[] surging = new boolean[services];
    String idPrefix = "demo-" + slotLabel + "-" + supplier.code + "-";
    int index = 0;

    for (int p = 0; p + 1 < edges.length; p++) {
      long pieceStart = edges[p];
      long pieceEnd = edges[p + 1];
      double total = 0;
      for (int k = 0; k < services; k++) {
        double multiplier = 1;
        surging[k] = false;
        for (SurgeWindow w : surges) {
          if (w.covers(pieceStart, pieceEnd) && (w.lane() < 0 || w.lane() == supplier.lane[k])) {
            multiplier = Math.max(multiplier, w.multiplier());
            surging[k] = true;
          }
        }
        rates[k] = supplierRate * supplier.weight[k] * multiplier;
        total += rates[k];
      }
      double ratePerMicro = total / SLOT_MICROS;
      // Offsets from the slot start keep the doubles small enough for exact microseconds.
      long end = pieceEnd - slotStart;
      double t = (pieceStart - slotStart) + exponential(rng) / ratePerMicro;
      while (t < end) {
        int k = pick(rates, total, rng.nextDouble());
        Lane lane = LANES.get(supplier.lane[k]);
        VehicleType vehicle = VEHICLE_TYPES.get(supplier.vehicle[k]);
        double distance = lane.km() * (1 + DISTANCE_NOISE * (rng.nextDouble() + rng.nextDouble() - 1));
        double meanLoadFactor = surging[k] ? supplier.surgeLoadFactor : supplier.meanLoadFactor;
        double loadFactor = Math.min(1.0,
            Math.max(MIN_LOAD_FACTOR, meanLoadFactor + LOAD_FACTOR_SD * rng.nextGaussian()));
        Instant occurredAt = instantOfMicros(slotStart + (long) t);
        String shipmentId = idPrefix + index++;
        if (!occurredAt.isBefore(from) && occurredAt.isBefore(to)) {
          out.add(new DemoEvent(occurredAt, supplier.name, lane.id(), vehicle.id(),
              round(distance, 10), round(vehicle.shipmentCapacityTonnes() * loadFactor, 1000),
              PAYLOAD_CAPACITY[supplier.vehicle[k]], lane.origin(), lane.destination(), shipmentId));
        }
        t += exponential(rng) / ratePerMicro;
      }
    }
  }

  private static long[] pieceEdges(long slotStart, List<SurgeWindow> surges) {
    long slotEnd = slotStart + SLOT_MICROS;
    long[] edges = new long[2 + 2 * surges.size()];
    int n = 0;
    edges[n++] = slotStart;
    edges[n++] = slotEnd;
    for (SurgeWindow w : surges) {
      if (w.startMicros() > slotStart && w.startMicros() < slotEnd) {
        edges[n++] = w.startMicros();
      }
      if (w.endMicros() > slotStart && w.endMicros() < slotEnd) {
        edges[n++] = w.endMicros();
      }
    }
    long[] sorted = Arrays.copyOf(edges, n);
    Arrays.sort(sorted);
    return Arrays.stream(sorted).distinct().toArray();
  }

  private static int pick(double[] weights, double total, double u) {
    double target = u * total;
    double cumulative = 0;
    for (int k = 0; k < weights.length - 1; k++) {
      cumulative += weights[k];
      if (target < cumulative) {
        return k;
      }
    }
    return weights.length - 1;
  }

  private static double exponential(SplittableRandom rng) {
    return -Math.log(1.0 - rng.nextDouble());
  }

  private static double round(double value, double scale) {
    return Math.round(value * scale) / scale;
  }

  private static long slotOf(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), SLOT_SECONDS);
  }

  private static long toMicrosFloor(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1_000);
  }

  /** Microsecond resolution, as PostgreSQL stores timestamps: a stored row reads back equal. */
  private static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1_000);
  }

  /** SplitMix64 finaliser over (seed, slot, stream): neighbouring slots get unrelated generators. */
  private static long streamSeed(long seed, long slot, long stream) {
    long z = mix(seed + 0x9E3779B97F4A7C15L);
    z = mix(z ^ (slot * 0xBF58476D1CE4E5B9L));
    return mix(z ^ (stream * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
