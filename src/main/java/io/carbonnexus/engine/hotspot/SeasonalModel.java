package io.carbonnexus.engine.hotspot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What is normal for one entity, learnt from its hourly history before {@link #builtAt}: how many
 * shipments, how much CO2 and how many tonne-km it has in each hour of a weekday, a Saturday and a
 * Sunday (UTC), and how much it varies around that. From it, for any window and time, the
 * expected value and the <b>upper edge of normal</b> (the baseline hotspots compare with).
 *
 * <p>How it is learnt (pure arithmetic, in {@link #learn}):
 * <ul>
 *   <li><b>Rhythm.</b> For each day type and hour, a weighted mean of that hour and its two
 *   neighbours (weights 1, 2, 1) over the history's days of that type — about 20 weekdays, 4
 *   Saturdays, 4 Sundays in four weeks — with values beyond 3 spreads of what arrival noise and a
 *   ±15 % day explain clipped (winsorized), so that a surge or a holiday in the history moves the
 *   expectation little. Where the hour's own mean differs from the smoothed one by more than its
 *   arrival noise explains (a shift that ends at 22:00), the hour keeps its own mean. Each
 *   weekday (Monday to Friday) then has its own level against that rhythm, shrunk towards 1 as
 *   far as noise explains it ({@link #weekdayLevels}).</li>
 *   <li><b>Spread.</b> Shipments arrive at random: the count in a window varies like a Poisson
 *   count around its expectation, and CO2 like a compound Poisson sum (in units of
 *   φ = Σ co2² / Σ co2 per shipment). On top, whole days are busier or quieter than their rhythm:
 *   the day-level dispersion is the value that gives the history's standardised daily residuals a
 *   spread of one, shrunk towards a typical ±10 %. Single hours may stray too, each on its own
 *   (a dispatcher's batches; a route whose hours mix suppliers): the hour-level dispersion
 *   ({@link #hourDispersion}), 0 where shipments arrive at random. And the rhythm itself is
 *   estimated from a few days, which adds its own uncertainty, largest for quiet hours.</li>
 *   <li><b>Upper edge</b> for a window with k spreads: the count whose tail probability is Φ(−k)
 *   under a negative binomial — Poisson around a mean that the day-level and hour-level
 *   dispersions and the estimation uncertainty widen — computed exactly ({@link PoissonTail}): a night hour expecting
 *   0.05 shipments needs 3, not 1.</li>
 *   <li><b>Kg per shipment and intensity.</b> The median day's kg CO2 per shipment and per
 *   tonne-km, one shipment's spread around them, and their own day-level dispersion (shrunk
 *   towards ±5 %), for the longer windows' per-shipment test and the intensity test.</li>
 * </ul>
 * With less than {@link Settings#seasonalDays} of history the rhythm is one profile for every
 * day (hour of day only); with data on fewer than {@link Settings#minDays} days there is no model
 * and the entity is not flagged.
 */
public record SeasonalModel(Instant builtAt, boolean seasonal, double[][] co2, double[][] events, double[][] tkm,
                            int[] samples, double phi, double countDispersion, double co2Dispersion,
                            double intensity, double shipmentVariance, double intensityDispersion,
                            PerShipment co2PerShipment, PerShipment tkmPerShipment, int days,
                            double[] weekdayLevels, double hourDispersion, Flights flights) {

  /** No day of the week busier than another: the level of models learnt without weekday levels. */
  static final double[] FLAT_WEEK = {1, 1, 1, 1, 1};

  /**
   * One shipment's usual value (kg CO2, or tonne-km) — the median day's mean — one shipment's
   * variance around it (the median day's), and how far whole days' means stray beyond what
   * sampling explains (shrunk towards {@link #TYPICAL_MIX_DISPERSION}).
   */
  public record PerShipment(double mean, double variance, double dispersion) {
    static final PerShipment NONE = new PerShipment(0, 0, TYPICAL_MIX_DISPERSION);

    /**
     * The usual sum over {@code shipments} shipments and its upper edge with k spreads (sampling of
     * so many shipments, the day-to-day variation of the mean, and the mean's own uncertainty from
     * {@code days} days). Null when there is no usual value.
     */
    double[] band(double shipments, double k, int days) {
      if (!(mean > 0) || !(shipments > 0)) {
        return null;
      }
      double sampling = variance / shipments;
      double day = dispersion * mean * dispersion * mean;
      double spread = Math.sqrt((sampling + day) * (1 + 1.0 / Math.max(1, days)));
      return new double[] {shipments * mean, shipments * (mean + k * spread)};
    }
  }

  /**
   * How many of the history's shipments flew: a lane's share of air freight, for the air-share
   * test ({@link Evaluator#airShare}). A lane — one supplier on one route — mostly keeps one mode,
   * so its share is near 0 or near 1, and a few flights where none are usual stand out however
   * many shipments the supplier has elsewhere.
   *
   * @param shipments the history's shipments (of the days kept: {@link #learn})
   * @param flown those of them that flew
   * @param dispersion how much more the days' flights vary than a binomial count at the share
   *     would (1 or more: a lane that flies on some days and not on others)
   */
  public record Flights(double shipments, double flown, double dispersion) {
    /** For models stored before flights were counted: no share is known, and the test waits for the next learning. */
    public static final Flights NONE = new Flights(0, 0, 1);

    /**
     * The share of shipments that fly, with half a shipment of prior either way (a lane that
     * never flew in 600 shipments has a share of 1 in 1,200, not 0); NaN without history.
     */
    public double share() {
      return shipments > 0 ? (flown + 0.5) / (shipments + 1) : Double.NaN;
    }

    /** How far out a day's flights must be, in spreads, for {@link #learn} to leave the day out. */
    static final double SCREEN_K = 2;

    /**
     * At most this share of the active days are left out: a lane that has flown for longer (about
     * six days of four weeks) flies now — a change of mode for good is normal once it lasts — and
     * is no longer a surprise.
     */
    static final double MOST_LEFT_OUT = 0.2;

    /** Binomial variance the kept days need, in all, before their dispersion is estimated (else 1). */
    static final double MIN_DISPERSION_VARIANCE = 10;

    /**
     * Flights of the history's days, without one run of days that flew far more than the share of
     * the others explains: an air shift in the history (a few days of vans flown) would otherwise
     * raise a lane's usual share for four weeks and hide the next one. A day is far out when its
     * flights pass a binomial edge at {@link #SCREEN_K} spreads around the share of the days kept
     * (the edge {@link Evaluator#airShare} puts, without the dispersion and the share's own
     * uncertainty); the share is learnt again without such days, until no day changes sides. Only
     * far-out days that follow one another (days without shipments between them do not count) are
     * a shift, and at most {@link #MOST_LEFT_OUT} of the active days: a lane that flies one day a
     * week, or more often than that, keeps every day, and its dispersion says how its days vary.
     * The dispersion is the kept days' Pearson χ² over their degrees of freedom (a
     * quasi-binomial), at least 1.
     */
    static Flights learn(double[] dayShipments, double[] dayFlown) {
      int active = 0;
      for (double n : dayShipments) {
        active += n > 0 ? 1 : 0;
      }
      boolean[] out = new boolean[dayShipments.length];
      for (int round = 0; round < SCREENINGS; round++) {
        double share = kept(dayShipments, dayFlown, out).share();
        boolean[] next = new boolean[dayShipments.length];
        int leftOut = 0;
        int runs = 0;
        boolean inRun = false;
        for (int d = 0; d < dayShipments.length; d++) {
          if (!(dayShipments[d] > 0)) {
            continue;
          }
          double variance = dayShipments[d] * share * (1 - share);
          next[d] = dayFlown[d] > 0 && dayFlown[d] > dayShipments[d] * share - variance
            + PoissonTail.edge(variance, SCREEN_K);
          leftOut += next[d] ? 1 : 0;
          runs += next[d] && !inRun ? 1 : 0;
          inRun = next[d];
        }
        if (runs > 1 || leftOut > MOST_LEFT_OUT * active) {
          out = new boolean[dayShipments.length];
          break;
        }
        if (Arrays.equals(next, out)) {
          break;
        }
        out = next;
      }
      return kept(dayShipments, dayFlown, out);
    }

    /** The flights of the days not left out, with their dispersion. */
    private static Flights kept(double[] dayShipments, double[] dayFlown, boolean[] out) {
      double shipments = 0;
      double flown = 0;
      for (int d = 0; d < dayShipments.length; d++) {
        if (!out[d]) {
          shipments += dayShipments[d];
          flown += dayFlown[d];
        }
      }
      double share = new Flights(shipments, flown, 1).share();
      double chi2 = 0;
      double variance = 0;
      int days = 0;
      for (int d = 0; d < dayShipments.length; d++) {
        double v = dayShipments[d] * share * (1 - share);
        if (!out[d] && v > 0) {
          double off = dayFlown[d] - dayShipments[d] * share;
          chi2 += off * off / v;
          variance += v;
          days++;
        }
      }
      double dispersion = variance >= MIN_DISPERSION_VARIANCE && days > 1 ? Math.max(1, chi2 / (days - 1)) : 1;
      return new Flights(shipments, flown, dispersion);
    }
  }

  /**
   * How learning works: history length, days needed, what makes a profile seasonal, and the gap
   * left out before the model's hour — the longest window: what is being judged now is never
   * part of the normal it is judged against.
   */
  public record Settings(Duration history, int minDays, int seasonalDays, Duration gap) {
    public Settings(Duration history, int minDays, int seasonalDays) {
      this(history, minDays, seasonalDays, Duration.ofHours(24));
    }

    public static Settings defaults() {
      return new Settings(Duration.ofDays(28), 7, 21);
    }

    public Settings withGap(Duration gap) {
      return new Settings(history, minDays, seasonalDays, gap);
    }
  }

  static final int WEEKDAY = 0;
  static final int SATURDAY = 1;
  static final int SUNDAY = 2;
  /** Least day-level dispersion assumed: no entity is more regular than ±2 % a day. */
  static final double MIN_DISPERSION = 0.02;
  /** What a freight entity's day-to-day variation typically is, before its own history says otherwise. */
  static final double TYPICAL_DISPERSION = 0.10;
  /**
   * The same for what depends on the mix of shipments rather than their number (kg per shipment,
   * kg per tonne-km): a busy day is busy on every lane, so the mix moves less than the volume.
   */
  static final double TYPICAL_MIX_DISPERSION = 0.05;
  /** How many days of evidence that typical value counts for. */
  static final double PRIOR_DAYS = 7;
  private static final double MAD_TO_SIGMA = 1.4826;
  /** Effective samples of a (1, 2, 1)-weighted mean of three neighbouring hours: (Σw)² / Σw². */
  private static final double SMOOTHING_SAMPLES = 16.0 / 6.0;
  /** Hours with less arrival noise than this (shipments², given their day's count) say little of the hour-level dispersion. */
  static final double MIN_HOUR_EVENTS = 3;
  /** Busy hours needed to learn an hour-level dispersion (two days' worth). */
  static final int MIN_HOURS = 48;
  /** Hours whose standardised squared residual is beyond this (four spreads) are left out. */
  private static final double FAR_OUT = 16;
  /** The far-out hours depend on the dispersion: screened again with each estimate, at most this often. */
  private static final int SCREENINGS = 4;
  /** Days with fewer shipments than this say nothing about the entity's intensity. */
  private static final double MIN_INTENSITY_EVENTS = 5;

  public static int dayType(Instant hour) {
    return dayTypeOfEpochDay(Math.floorDiv(hour.getEpochSecond(), 86_400));
  }

  /** 1970-01-01 was a Thursday. */
  static int dayTypeOfEpochDay(long day) {
    int dow = dayOfWeek(day);
    return dow == 5 ? SATURDAY : dow == 6 ? SUNDAY : WEEKDAY;
  }

  /**
   * Learns from the entity's hours before {@code builtAt} (an hour boundary) less the gap, at
   * most {@code settings.history()} of them. Null when there is too little.
   */
  public static SeasonalModel learn(Instant builtAt, Hours hours, Settings settings) {
    Span span = Span.of(builtAt, hours, settings);
    if (span == null) {
      return null;
    }
    boolean seasonal = span.builtHour - span.firstDay * 24 >= settings.seasonalDays() * 24L;
    double phi = span.totalCo2Sq / span.totalCo2;
    double tkmPhi = span.sumTkmSq > 0 ? span.sumTkmSq / Math.max(1e-9, span.sumTkm) : 1;
    double[][] co2 = new double[3][24];
    double[][] events = new double[3][24];
    double[][] tkm = new double[3][24];
    int[] samples = new int[3];
    Profiler profiler = new Profiler(span.dayCount * 3);
    for (int type = 0; type < 3; type++) {
      for (int d = 0; d < span.dayCount; d++) {
        if (!seasonal || dayTypeOfEpochDay(span.firstDay + d) == type) {
          samples[type]++;
        }
      }
      for (int h = 0; h < 24; h++) {
        co2[type][h] = profiler.value(hours.co2, hours, span, seasonal, type, h, phi);
        events[type][h] = profiler.value(hours.events, hours, span, seasonal, type, h, 1);
        tkm[type][h] = profiler.value(hours.tkm, hours, span, seasonal, type, h, tkmPhi);
      }
    }
    double[] levels = seasonal ? weekdayLevels(events[WEEKDAY], span.dayEvents, span.whole, span.firstDay) : FLAT_WEEK;

    // Day-level dispersion: how far span.whole days stray from their rhythm, beyond Poisson noise.
    List<Double> countResiduals = new ArrayList<>();
    List<Double> co2Residuals = new ArrayList<>();
    List<Double> dailyIntensity = new ArrayList<>();
    List<Double> countPoisson = new ArrayList<>();
    List<Double> co2Poisson = new ArrayList<>();
    for (int d = 0; d < span.dayCount; d++) {
      if (!span.whole[d]) {
        continue;
      }
      int type = seasonal ? dayTypeOfEpochDay(span.firstDay + d) : WEEKDAY;
      double level = level(seasonal, levels, type, span.firstDay + d);
      double expectedEvents = 0;
      double expectedCo2 = 0;
      for (int h = 0; h < 24; h++) {
        expectedEvents += events[type][h] * level;
        expectedCo2 += co2[type][h] * level;
      }
      if (expectedEvents >= 1) {
        countResiduals.add(span.dayEvents[d] / expectedEvents - 1);
        countPoisson.add(1 / expectedEvents);
      }
      if (expectedCo2 > 0) {
        co2Residuals.add(span.dayCo2[d] / expectedCo2 - 1);
        co2Poisson.add(phi / expectedCo2);
      }
      if (span.dayEvents[d] >= MIN_INTENSITY_EVENTS && span.dayTkm[d] > 0) {
        dailyIntensity.add(span.dayCo2[d] / span.dayTkm[d]);
      }
    }
    double cN = dispersion(countResiduals, countPoisson);
    double cC = dispersion(co2Residuals, co2Poisson);

    // Intensity: the median day, and one shipment's spread around it.
    double intensity = dailyIntensity.isEmpty() ? 0 : median(dailyIntensity);
    // One shipment's spread around the usual intensity, and around the usual kg per shipment: the
    // median day's, not the span.whole history's — one flown week in the history (a handful of
    // shipments a hundred times the others) would otherwise widen both tests for four weeks.
    List<Double> intensityVariances = new ArrayList<>();
    for (int d = 0; d < span.dayCount; d++) {
      if (span.whole[d] && span.dayEvents[d] >= MIN_INTENSITY_EVENTS) {
        double n = span.dayEvents[d];
        intensityVariances.add(Math.max(0,
          (span.dayCo2Sq[d] - 2 * intensity * span.dayCo2Tkm[d] + intensity * intensity * span.dayTkmSq[d]) / n));
      }
    }
    double shipmentVariance = intensityVariances.size() >= 3 ? median(intensityVariances) : span.sumEvents > 0
      ? Math.max(0, (span.totalCo2Sq - 2 * intensity * span.sumCo2Tkm + intensity * intensity * span.sumTkmSq)
        / span.sumEvents) : 0;
    double cI = 0;
    if (intensity > 0 && dailyIntensity.size() >= 3) {
      List<Double> residuals = new ArrayList<>();
      List<Double> sampling = new ArrayList<>();
      for (int d = 0; d < span.dayCount; d++) {
        if (span.whole[d] && span.dayEvents[d] >= MIN_INTENSITY_EVENTS && span.dayTkm[d] > 0) {
          residuals.add(span.dayCo2[d] / span.dayTkm[d] / intensity - 1);
          sampling.add(span.dayEvents[d] * shipmentVariance / (span.dayTkm[d] * span.dayTkm[d])
            / (intensity * intensity));
        }
      }
      cI = dispersion(residuals, sampling, TYPICAL_MIX_DISPERSION);
    }
    PerShipment co2PerShipment = perShipment(span.dayCo2, span.dayCo2Sq, span.dayEvents, span.whole,
      span.totalCo2 / span.sumEvents, span.totalCo2Sq / span.sumEvents);
    PerShipment tkmPerShipment = perShipment(span.dayTkm, span.dayTkmSq, span.dayEvents, span.whole,
      span.sumTkm / span.sumEvents, span.sumTkmSq / span.sumEvents);
    double cH = hourDispersion(hours, events, span.dayEvents, span.whole, span.firstDay, seasonal);
    return new SeasonalModel(builtAt, seasonal, co2, events, tkm, samples, phi, cN, cC, intensity, shipmentVariance, cI,
      co2PerShipment, tkmPerShipment, span.activeDays, levels, cH, Flights.learn(span.dayEvents, span.dayAir));
  }

  /**
   * The flights a lane's model would know at {@code builtAt} ({@code learn(...).flights()}),
   * without learning the rest: null where {@link #learn} would give no model. What a replay needs
   * of a supplier's lanes, whose rhythms only routes read.
   */
  public static Flights flights(Instant builtAt, Hours hours, Settings settings) {
    Span span = Span.of(builtAt, hours, settings);
    return span == null ? null : Flights.learn(span.dayEvents, span.dayAir);
  }

  /**
   * The history a model is learnt from: the hours [start, end) before {@code builtAt} less the
   * gap, their sums, and their days from the day of the entity's first shipment in the history
   * (a quiet day is a zero, not a gap), each day's sums and whether it lies whole in the span.
   */
  private static final class Span {
    long builtHour;
    int start;
    int end;
    double totalCo2;
    double totalCo2Sq;
    double sumEvents;
    double sumCo2Tkm;
    double sumTkmSq;
    double sumTkm;
    long firstDay;
    int dayCount;
    double[] dayEvents;
    double[] dayCo2;
    double[] dayTkm;
    double[] dayCo2Sq;
    double[] dayCo2Tkm;
    double[] dayTkmSq;
    double[] dayAir;
    boolean[] whole;
    int activeDays;

    /** Null when there is too little: no shipment or no CO2 in the span, or fewer active days than {@link Settings#minDays}. */
    static Span of(Instant builtAt, Hours hours, Settings settings) {
      Span x = new Span();
      // Learning stops `gap` before the hour: the windows judged now lie after what is learnt.
      x.builtHour = builtAt.getEpochSecond() / 3600 - settings.gap().toHours();
      int end = (int) (x.builtHour - hours.firstHour);
      int start = Math.max(0, end - (int) settings.history().toHours());
      end = Math.min(end, hours.length());
      if (end <= start) {
        return null;
      }
      x.start = start;
      x.end = end;
      int firstActive = -1;
      for (int i = start; i < end; i++) {
        if (hours.events[i] > 0) {
          if (firstActive < 0) {
            firstActive = i;
          }
          x.totalCo2 += hours.co2[i];
          x.totalCo2Sq += hours.co2Sq[i];
          x.sumEvents += hours.events[i];
          x.sumCo2Tkm += hours.co2Tkm[i];
          x.sumTkmSq += hours.tkmSq[i];
          x.sumTkm += hours.tkm[i];
        }
      }
      if (firstActive < 0 || !(x.totalCo2 > 0)) {
        return null;
      }
      x.firstDay = Math.floorDiv(hours.firstHour + firstActive, 24);
      long lastDay = Math.floorDiv(x.builtHour - 1, 24);
      int dayCount = (int) (lastDay - x.firstDay + 1);
      x.dayCount = dayCount;
      x.dayEvents = new double[dayCount];
      x.dayCo2 = new double[dayCount];
      x.dayTkm = new double[dayCount];
      x.dayCo2Sq = new double[dayCount];
      x.dayCo2Tkm = new double[dayCount];
      x.dayTkmSq = new double[dayCount];
      x.dayAir = new double[dayCount];
      x.whole = new boolean[dayCount];
      for (int d = 0; d < dayCount; d++) {
        int first = (int) ((x.firstDay + d) * 24 - hours.firstHour);
        x.whole[d] = first >= start && first + 24 <= end;
        for (int i = Math.max(start, first); i < Math.min(end, first + 24); i++) {
          x.dayEvents[d] += hours.events[i];
          x.dayCo2[d] += hours.co2[i];
          x.dayCo2Sq[d] += hours.co2Sq[i];
          x.dayCo2Tkm[d] += hours.co2Tkm[i];
          x.dayTkmSq[d] += hours.tkmSq[i];
          x.dayTkm[d] += hours.tkm[i];
          x.dayAir[d] += hours.air[i];
        }
        if (x.dayEvents[d] > 0) {
          x.activeDays++;
        }
      }
      return x.activeDays < settings.minDays() ? null : x;
    }
  }

  /**
   * The hour-level dispersion: how far single hours stray from their share of their own day,
   * beyond arrival noise — a dispatcher's batches, a route whose hours mix suppliers whose days
   * differ. Each busy hour (at least {@value #MIN_HOUR_EVENTS} shipments² of arrival noise once
   * its day's count is known) of each whole day is compared with the rhythm's share of its day's
   * actual count, so whole days that run busy or quiet (the day-level dispersion) do not count
   * here. Hours four spreads or more from their share (a surge; the hours before a young entity's
   * very first shipment) are left out, of their day's count too, and a day with half its rhythm
   * left out is not used; what four spreads are depends on c, so the screening is repeated with
   * each new estimate. c is the value for which the hours' standardised squared residuals average
   * one; 0 when arrival noise alone explains them (as it does for shipments that arrive at random),
   * and when fewer than {@value #MIN_HOURS} hours are busy enough to tell.
   */
  static double hourDispersion(Hours hours, double[][] events, double[] dayEvents, boolean[] whole, long firstDay,
                               boolean seasonal) {
    // Each day type's rhythm as shares of its day, and Σ shares².
    double[][] shares = new double[3][24];
    double[] shareSquares = new double[3];
    for (int type = 0; type < 3; type++) {
      double expectedDay = 0;
      for (double e : events[type]) {
        expectedDay += e;
      }
      for (int h = 0; h < 24; h++) {
        shares[type][h] = events[type][h] / expectedDay;
        shareSquares[type] += shares[type][h] * shares[type][h];
      }
    }
    BusyHours busy = new BusyHours(24 * dayEvents.length);
    double c = 0;
    for (int round = 0; round < SCREENINGS; round++) {
      busy.clear();
      for (int d = 0; d < dayEvents.length; d++) {
        if (whole[d] && dayEvents[d] > 0) {
          int type = seasonal ? dayTypeOfEpochDay(firstDay + d) : WEEKDAY;
          busy.addDay(hours, (int) ((firstDay + d) * 24 - hours.firstHour), dayEvents[d], shares[type],
            shareSquares[type], c);
        }
      }
      double next = busy.dispersion();
      if (Math.abs(next - c) < 1e-3) {
        return next;
      }
      c = next;
    }
    return c;
  }

  /** The busy hours of a history: each one's squared residual, arrival noise and what a dispersion c² adds to it. */
  private static final class BusyHours {
    private final double[] squares;
    private final double[] arrival;
    private final double[] own;
    private int n;

    BusyHours(int capacity) {
      squares = new double[capacity];
      arrival = new double[capacity];
      own = new double[capacity];
    }

    void clear() {
      n = 0;
    }

    /**
     * The busy hours of one whole day starting at hour index {@code first}, screened at hour-level
     * dispersion c: its hours far out are left out, of its count too, and a day with half its
     * rhythm left out adds nothing.
     */
    void addDay(Hours hours, int first, double count, double[] shares, double shareSquares, double c) {
      double dayCount = count;
      double keptShare = 1;
      for (int h = 0; h < 24; h++) {
        double mean = count * shares[h];
        double deviation = hours.events[first + h] - mean;
        if (deviation * deviation > FAR_OUT * mean * (1 + c * c * mean)) {
          dayCount -= hours.events[first + h];
          keptShare -= shares[h];
        }
      }
      if (!(keptShare > 0.5)) {
        return;
      }
      for (int h = 0; h < 24; h++) {
        double mean = dayCount / keptShare * shares[h];
        if (mean * (1 - shares[h]) >= MIN_HOUR_EVENTS) {
          add(hours.events[first + h] - mean, mean, shares[h], shareSquares);
        }
      }
    }

    /**
     * An hour is part of its day's count: its residual against its share of that count has
     * (1 − share) of its arrival noise, and (1 − 2 share + Σ shares²) of the hours' own dispersion.
     */
    private void add(double residual, double mean, double share, double shareSquares) {
      squares[n] = residual * residual;
      arrival[n] = mean * (1 - share);
      own[n] = mean * mean * (1 - 2 * share + shareSquares);
      n++;
    }

    /**
     * The c at which the mean square is one, by 20 halvings in [0, 1]; 0 with too few hours or
     * when arrival noise explains them.
     */
    double dispersion() {
      if (n < MIN_HOURS || meanSquare(0) <= 1) {
        return 0;
      }
      if (meanSquare(1) > 1) {
        return 1;
      }
      double[] bracket = halve(c -> meanSquare(c) > 1, 20);
      return (bracket[0] + bracket[1]) / 2;
    }

    /** Mean of the squared residuals standardised at dispersion c, those beyond four spreads left out (none kept: infinite). */
    private double meanSquare(double c) {
      double sum = 0;
      int kept = 0;
      for (int i = 0; i < n; i++) {
        double z2 = squares[i] / (arrival[i] + c * c * own[i]);
        if (z2 <= FAR_OUT) {
          sum += z2;
          kept++;
        }
      }
      return kept == 0 ? Double.POSITIVE_INFINITY : sum / kept;
    }
  }

  /**
   * How busy each weekday (Monday to Friday) is against the weekday rhythm: the mean of its whole
   * days' shipment counts over the rhythm's day, shrunk towards 1 as far as the days' own noise
   * explains the difference between weekdays (empirical Bayes: with four Mondays of ±10 % days, a
   * Monday 6 % busier than the mean is mostly noise and moves the expectation little; a Monday
   * 30 % busier is not, and keeps most of it). Days more than four robust spreads from the
   * others (a bank holiday, a surge) are left out. Scaled so that they average 1 over the days,
   * as the rhythm is the mean of those days. Flat where fewer than three weekdays have two days
   * or more. The days' noise is never taken below arrival noise and a ±2 % day, so identical
   * days (one shipment every weekday) give a flat week, not 0 / 0.
   */
  static double[] weekdayLevels(double[] weekdayEvents, double[] dayEvents, boolean[] whole, long firstDay) {
    double perDay = 0;
    for (double e : weekdayEvents) {
      perDay += e;
    }
    if (perDay < 1) {
      return FLAT_WEEK;
    }
    List<Double> ratios = new ArrayList<>();
    for (int d = 0; d < dayEvents.length; d++) {
      if (whole[d] && dayTypeOfEpochDay(firstDay + d) == WEEKDAY) {
        ratios.add(dayEvents[d] / perDay);
      }
    }
    if (ratios.size() < 6) {
      return FLAT_WEEK;
    }
    double middle = median(ratios);
    List<Double> deviations = new ArrayList<>();
    ratios.forEach(r -> deviations.add(Math.abs(r - middle)));
    double limit = 4 * Math.max(MAD_TO_SIGMA * median(deviations), MIN_DISPERSION * middle);
    double[] sum = new double[5];
    double[] sumSq = new double[5];
    int[] n = new int[5];
    for (int d = 0; d < dayEvents.length; d++) {
      if (whole[d] && dayTypeOfEpochDay(firstDay + d) == WEEKDAY) {
        double r = dayEvents[d] / perDay;
        if (Math.abs(r - middle) <= limit) {
          int dow = dayOfWeek(firstDay + d);
          sum[dow] += r;
          sumSq[dow] += r * r;
          n[dow]++;
        }
      }
    }
    // The days' own noise: their spread around their weekday's mean, pooled over the weekdays.
    double within = 0;
    int freedom = 0;
    int weekdays = 0;
    double grand = 0;
    for (int dow = 0; dow < 5; dow++) {
      if (n[dow] >= 2) {
        weekdays++;
        grand += sum[dow] / n[dow];
        within += sumSq[dow] - sum[dow] * sum[dow] / n[dow];
        freedom += n[dow] - 1;
      }
    }
    if (weekdays < 3 || freedom == 0 || !(grand > 0)) {
      return FLAT_WEEK;
    }
    grand /= weekdays;
    // Never less than arrival noise and the least day-to-day variation: identical days (one
    // shipment every weekday) say nothing against that, and 0 / 0 must not follow.
    double noise = Math.max(within / freedom, grand / perDay + MIN_DISPERSION * grand * MIN_DISPERSION * grand);
    double[] mean = new double[5];
    double between = 0;
    double sampling = 0;
    for (int dow = 0; dow < 5; dow++) {
      if (n[dow] >= 2) {
        mean[dow] = sum[dow] / n[dow] / grand;
        between += (mean[dow] - 1) * (mean[dow] - 1);
        sampling += noise / (grand * grand) / n[dow];
      }
    }
    // The true weekdays' variance: what their means vary beyond the sampling of so few days.
    double signal = Math.max(0, between / (weekdays - 1) - sampling / weekdays);
    double[] levels = new double[5];
    double total = 0;
    int days = 0;
    for (int dow = 0; dow < 5; dow++) {
      if (n[dow] >= 2) {
        double error = noise / (grand * grand) / n[dow];
        levels[dow] = 1 + (mean[dow] - 1) * (signal / (signal + error));
      } else {
        levels[dow] = 1;
      }
      // Weighed by days, as the rhythm is the mean of every weekday's days.
      total += n[dow] * levels[dow];
      days += n[dow];
    }
    for (int dow = 0; dow < 5; dow++) {
      levels[dow] *= days / total;
    }
    return usable(levels) ? levels : FLAT_WEEK;
  }

  /** Five finite, positive levels: anything else (a model stored by hand, an arithmetic accident) is a flat week. */
  static boolean usable(double[] levels) {
    if (levels == null || levels.length != 5) {
      return false;
    }
    for (double level : levels) {
      if (!(level > 0) || Double.isInfinite(level)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A day's level against its day type's rhythm: a weekday's own, 1 for a weekend day, and 1 for
   * every day of a pooled model (which files Saturdays and Sundays under WEEKDAY too).
   */
  private static double level(boolean seasonal, double[] weekdayLevels, int type, long epochDay) {
    return seasonal && type == WEEKDAY ? weekdayLevels[dayOfWeek(epochDay)] : 1;
  }

  /** 0 for Monday to 6 for Sunday; 1970-01-01 was a Thursday. */
  static int dayOfWeek(long epochDay) {
    return (int) Math.floorMod(epochDay + 3, 7);
  }

  /**
   * A value per shipment (kg CO2 or tonne-km) from each whole day's sum and sum of squares: the
   * median day's mean, the median day's variance of one shipment, and how whole days stray beyond
   * sampling; the whole history's mean and mean square where fewer than three days are busy enough.
   */
  private static PerShipment perShipment(double[] daySum, double[] daySq, double[] dayEvents, boolean[] whole,
                                         double overallMean, double overallMeanSquare) {
    List<Double> dailyMean = new ArrayList<>();
    List<Double> variances = new ArrayList<>();
    for (int d = 0; d < daySum.length; d++) {
      if (whole[d] && dayEvents[d] >= MIN_INTENSITY_EVENTS) {
        double n = dayEvents[d];
        dailyMean.add(daySum[d] / n);
        variances.add(Math.max(0, daySq[d] / n - (daySum[d] / n) * (daySum[d] / n)));
      }
    }
    double mean = dailyMean.isEmpty() ? overallMean : median(dailyMean);
    double variance = variances.size() >= 3 ? median(variances)
      : Math.max(0, overallMeanSquare - overallMean * overallMean);
    double dispersion = TYPICAL_MIX_DISPERSION;
    if (dailyMean.size() >= 3 && mean > 0) {
      List<Double> residuals = new ArrayList<>();
      List<Double> sampling = new ArrayList<>();
      for (int d = 0; d < daySum.length; d++) {
        if (whole[d] && dayEvents[d] >= MIN_INTENSITY_EVENTS) {
          residuals.add(daySum[d] / dayEvents[d] / mean - 1);
          sampling.add(variance / dayEvents[d] / (mean * mean));
        }
      }
      dispersion = dispersion(residuals, sampling, TYPICAL_MIX_DISPERSION);
    }
    return new PerShipment(mean, variance, dispersion);
  }

  /**
   * The day-level dispersion c: the value for which the days' relative residuals, each divided by
   * its own expected spread sqrt(c² + Poisson variance of that day), have a spread of one. A quiet
   * Sunday's residual is mostly Poisson noise, a busy Tuesday's mostly the day's own level: each
   * is weighed by what explains it. The spread is the root mean square of those standardised
   * residuals once days more than four robust spreads out (a holiday, a surge) are set aside —
   * far steadier over four weeks than a MAD alone. Four weeks still say little, so the estimate
   * is shrunk towards a typical ±{@value #TYPICAL_DISPERSION} day-to-day variation, as if
   * {@value #PRIOR_DAYS} more days had shown that; and floored at {@link #MIN_DISPERSION}.
   */
  private static double dispersion(List<Double> residuals, List<Double> poissonVariances) {
    return dispersion(residuals, poissonVariances, TYPICAL_DISPERSION);
  }

  private static double dispersion(List<Double> residuals, List<Double> poissonVariances, double typical) {
    int n = residuals.size();
    if (n < 3) {
      return typical;
    }
    Spread spread = new Spread(residuals, poissonVariances);
    double c = spread.at(1) > 1 ? 1 : halve(d -> spread.at(d) > 1, 40)[0];
    double shrunk = Math.sqrt((n * c * c + PRIOR_DAYS * typical * typical) / (n + PRIOR_DAYS));
    return Math.min(1, Math.max(MIN_DISPERSION, shrunk));
  }

  /**
   * [lo, hi] around the dispersion in [0, 1] where {@code tooLow} turns false (it holds below it),
   * after {@code halvings} halvings of [0, 1]: the day-level and hour-level dispersions are both
   * the c at which a spread falling with c reaches one.
   */
  private static double[] halve(java.util.function.DoublePredicate tooLow, int halvings) {
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < halvings; i++) {
      double mid = (lo + hi) / 2;
      if (tooLow.test(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return new double[] {lo, hi};
  }

  /**
   * RMS of standardised residuals at a dispersion, those beyond four robust spreads of the median
   * left out; in primitive arrays, as the search for the dispersion asks for it forty times. The
   * medians come from orders kept from one call to the next: between two nearby dispersions the
   * order hardly changes, and an insertion sort of an almost sorted order is one pass.
   */
  private static final class Spread {
    private final double[] residuals;
    private final double[] poissonVariances;
    private final double[] z;
    private final double[] deviations;
    private final int[] byZ;
    private final int[] byDeviation;

    Spread(List<Double> residuals, List<Double> poissonVariances) {
      this.residuals = residuals.stream().mapToDouble(Double::doubleValue).toArray();
      this.poissonVariances = poissonVariances.stream().mapToDouble(Double::doubleValue).toArray();
      int n = this.residuals.length;
      this.z = new double[n];
      this.deviations = new double[n];
      this.byZ = java.util.stream.IntStream.range(0, n).toArray();
      this.byDeviation = byZ.clone();
    }

    double at(double c) {
      for (int i = 0; i < z.length; i++) {
        z[i] = residuals[i] / Math.sqrt(c * c + poissonVariances[i]);
      }
      double med = median(byZ, z);
      for (int i = 0; i < z.length; i++) {
        deviations[i] = Math.abs(z[i] - med);
      }
      double robust = MAD_TO_SIGMA * median(byDeviation, deviations);
      double sum = 0;
      int kept = 0;
      for (double v : z) {
        if (Math.abs(v - med) <= 4 * robust) {
          sum += v * v;
          kept++;
        }
      }
      return kept < 2 ? robust : Math.sqrt(sum / (kept - 1));
    }

    /** The median of {@code values}, after sorting {@code order} (indices into them) by them. */
    private static double median(int[] order, double[] values) {
      for (int i = 1; i < order.length; i++) {
        int index = order[i];
        double value = values[index];
        int j = i - 1;
        while (j >= 0 && Double.compare(values[order[j]], value) > 0) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = index;
      }
      int m = order.length / 2;
      return order.length % 2 == 1 ? values[order[m]] : (values[order[m - 1]] + values[order[m]]) / 2;
    }
  }

  private static double median(List<Double> values) {
    return sortedMedian(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The median of {@code v}, which it sorts. */
  private static double sortedMedian(double[] v) {
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /**
   * Robust means of an hour and its neighbours (weights 1, 2, 1) over the days of a type, with
   * reused buffers. Trimming would bias a Poisson mean low where counts are small (half of a
   * night's zeros and ones are not symmetric); instead values are winsorized at the mean ± 3
   * spreads of what such a value normally varies (Poisson at {@code scale} per unit, ±15 % a day),
   * three times: a burst or a holiday in the history is clipped to a plausible value, ordinary
   * hours are kept as they are.
   *
   * <p>Borrowing from the neighbours steadies a quiet hour, but blurs a step: where a shift ends
   * at 22:00, the 21:00 hour would be expected a fifth too low and alarm every evening. So the
   * hour's own mean is kept instead whenever it differs from the smoothed one by more than
   * {@value #STEP} of its own standard errors — a difference its own days know to be real.
   */
  private static final class Profiler {
    private static final double CLIP = 3;
    private static final double DAY = 0.15;
    private static final double STEP = 2;
    private final double[] values;
    private final double[] weights;
    private final boolean[] own;

    Profiler(int capacity) {
      values = new double[capacity];
      weights = new double[capacity];
      own = new boolean[capacity];
    }

    /** The hour {@code h} of the span's days of this type (all days when not seasonal), in {@code metric}. */
    double value(double[] metric, Hours hours, Span span, boolean seasonal, int type, int h, double scale) {
      int n = 0;
      double total = 0;
      for (int d = 0; d < span.dayCount; d++) {
        if (seasonal && dayTypeOfEpochDay(span.firstDay + d) != type) {
          continue;
        }
        long dayHour = (span.firstDay + d) * 24 - hours.firstHour;
        for (int dh = -1; dh <= 1; dh++) {
          int i = (int) (dayHour + Math.floorMod(h + dh, 24));
          if (i < span.start || i >= span.end) {
            continue;
          }
          values[n] = metric[i];
          weights[n] = dh == 0 ? 2 : 1;
          own[n] = dh == 0;
          total += weights[n];
          n++;
        }
      }
      if (n == 0) {
        return 0;
      }
      // Half a shipment (of `scale` units) over the samples: an hour never seen busy is not
      // certainly empty, and its first shipment must not look infinitely far from normal.
      double floor = 0.5 * scale / (total / 4 * SMOOTHING_SAMPLES);
      double smoothed = robustMean(n, false, scale);
      double ownMean = robustMean(n, true, scale);
      double ownDays = total / 4;
      // A busy or quiet day moves the hour and its neighbours alike: only arrival noise tells them apart.
      double ownError = Math.sqrt(scale * Math.max(ownMean, smoothed) / Math.max(1, ownDays));
      double mean = Math.abs(ownMean - smoothed) > STEP * ownError ? ownMean : smoothed;
      return Math.max(mean, floor);
    }

    /** The winsorized weighted mean of the values, or of the hour's own values only. */
    private double robustMean(int n, boolean ownOnly, double scale) {
      double total = 0;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        if (!ownOnly || own[i]) {
          total += weights[i];
          sum += weights[i] * values[i];
        }
      }
      if (total == 0) {
        return 0;
      }
      double mean = sum / total;
      for (int round = 0; round < 3; round++) {
        double spread = Math.sqrt(scale * mean + DAY * DAY * mean * mean);
        double lo = mean - CLIP * spread;
        double hi = mean + CLIP * spread;
        double clipped = 0;
        for (int i = 0; i < n; i++) {
          if (!ownOnly || own[i]) {
            clipped += weights[i] * Math.max(lo, Math.min(hi, values[i]));
          }
        }
        mean = clipped / total;
      }
      return mean;
    }
  }

  /**
   * The expectation over [from, to): each hour's profile value times the share of the hour in the
   * window; {@code daySquares} keeps Σ over calendar days of (that day's part)², for the day-level
   * variance of a window that spans midnight, and {@code hourSquares} Σ over clock hours of (that
   * hour's part)², for the hour-level variance: all of it for a window inside one clock hour, half
   * for an hour's window that straddles two halves, a sixteenth or so for a day.
   */
  public record Expected(double co2, double events, double tkm, double co2DaySquares, double eventsDaySquares,
                         double estimationWeight, double co2HourSquares, double eventsHourSquares) {
  }

  public Expected expected(Instant from, Instant to) {
    double c = 0;
    double e = 0;
    double t = 0;
    double c2 = 0;
    double e2 = 0;
    double dayC = 0;
    double dayE = 0;
    double hourC = 0;
    double hourE = 0;
    double inverseSamples = 0;
    long fromMs = from.toEpochMilli();
    long toMs = to.toEpochMilli();
    long currentDay = Long.MIN_VALUE;
    for (long hour = Math.floorDiv(fromMs, 3_600_000L); hour * 3_600_000L < toMs; hour++) {
      long hourStart = hour * 3_600_000L;
      double share = (Math.min(toMs, hourStart + 3_600_000L) - Math.max(fromMs, hourStart)) / 3_600_000.0;
      long day = Math.floorDiv(hour, 24);
      if (day != currentDay) {
        c2 += dayC * dayC;
        e2 += dayE * dayE;
        dayC = 0;
        dayE = 0;
        currentDay = day;
      }
      int type = seasonal ? dayTypeOfEpochDay(day) : WEEKDAY;
      int h = (int) Math.floorMod(hour, 24);
      double level = level(seasonal, weekdayLevels, type, day);
      double ce = co2[type][h] * share * level;
      c += ce;
      dayC += ce;
      double ee = events[type][h] * share * level;
      e += ee;
      dayE += ee;
      hourC += ce * ce;
      hourE += ee * ee;
      t += tkm[type][h] * share * level;
      inverseSamples += ee / Math.max(1, samples[type] * SMOOTHING_SAMPLES);
    }
    c2 += dayC * dayC;
    e2 += dayE * dayE;
    return new Expected(c, e, t, c2, e2, e > 0 ? inverseSamples / e : 1.0 / Math.max(1, samples[0]), hourC, hourE);
  }

  /**
   * Expected shipments and their upper edge over the window: a negative binomial count — Poisson
   * around a mean that whole days move by the day-level dispersion and single hours by the
   * hour-level one, and that is itself known only from a few days (the estimation part,
   * 1 / (samples × mean), is largest for quiet hours).
   */
  public double[] countBand(Expected x, double k) {
    double lambda = x.events();
    double dispersion = overdispersion(countDispersion, x.eventsDaySquares(), x.eventsHourSquares(), lambda, lambda,
      x.estimationWeight());
    return new double[] {lambda, PoissonTail.edge(lambda, dispersion, k)};
  }

  /**
   * Relative over-dispersion of a window's count or CO2: day-level and hour-level (each by the
   * window's share in each day and in each hour, from {@code mean} and its squares) and estimation
   * (over the window's {@code units}: shipments, or shipments' weight in CO2).
   */
  private double overdispersion(double dayDispersion, double daySquares, double hourSquares, double mean, double units,
                                double estimationWeight) {
    double dayShare = mean > 0 ? daySquares / (mean * mean) : 1;
    double hourShare = mean > 0 ? hourSquares / (mean * mean) : 1;
    double estimation = units > 0 ? estimationWeight / units : 0;
    return dayDispersion * dayDispersion * (Double.isNaN(dayShare) ? 1 : dayShare)
      + hourDispersion * hourDispersion * (Double.isNaN(hourShare) ? 1 : hourShare) + estimation;
  }

  /** Expected CO2 and its upper edge over the window: the same in units of φ kg (compound Poisson). */
  public double[] co2Band(Expected x, double k) {
    double mean = x.co2();
    double effective = mean / phi;
    double dispersion = overdispersion(co2Dispersion, x.co2DaySquares(), x.co2HourSquares(), mean, effective,
      x.estimationWeight());
    return new double[] {mean, phi * PoissonTail.edge(effective, dispersion, k)};
  }

  /**
   * The usual CO2 of the window's {@code shipments} shipments and its upper edge: their number
   * times the usual kg per shipment, and times that plus k spreads (sampling of so many shipments,
   * and the day-to-day variation of the mean). Null when the model has none.
   */
  public double[] perShipmentBand(double shipments, double k) {
    return co2PerShipment.band(shipments, k, days);
  }

  /**
   * The usual tonne-km of the window's {@code shipments} shipments and its upper edge, the same
   * way: heavier loads or longer lanes, judged apart from the mix of modes (a supplier with a few
   * flown shipments among many vans has kg per shipment too varied to show a heavier load, but
   * not tonne-km). Null when the model has none.
   */
  public double[] tkmPerShipmentBand(double shipments, double k) {
    return tkmPerShipment.band(shipments, k, days);
  }

  /**
   * Normal intensity and its upper edge for a window in which {@code shipments} shipments moved
   * {@code tonneKm}: sampling spread of their CO2 around the usual intensity, and the day-to-day
   * dispersion. Null when the model has no intensity.
   */
  public double[] intensityBand(double shipments, double tonneKm, double k) {
    if (!(intensity > 0) || !(tonneKm > 0)) {
      return null;
    }
    double sampling = shipments * shipmentVariance / (tonneKm * tonneKm);
    double day = intensityDispersion * intensity * intensityDispersion * intensity;
    double spread = Math.sqrt((sampling + day) * (1 + 1.0 / Math.max(1, days)));
    return new double[] {intensity, intensity + k * spread};
  }

  /** The usual kg CO2 of one shipment, over a whole week of the rhythm (5 weekdays, a Saturday, a Sunday). */
  public double shipmentCo2() {
    double c = 0;
    double e = 0;
    int[] weight = {5, 1, 1};
    for (int type = 0; type < 3; type++) {
      for (int h = 0; h < 24; h++) {
        c += weight[type] * co2[type][h];
        e += weight[type] * events[type][h];
      }
    }
    return e > 0 ? c / e : 0;
  }

  /** For logs and the baselines table: what kind of model this is. */
  public String describe() {
    return seasonal ? "seasonal" : "pooled";
  }
}
