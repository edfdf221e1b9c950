package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.bench.quality.Label.Entity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores the changes a detection replay produced against labelled anomalies. Pure.
 *
 * <p><b>An alarm</b> is a change {@code opened} or {@code escalated} at {@code warn} or
 * {@code critical}: the engine alerts on each of them, so an escalation from warn to critical is
 * a second alarm. Other changes (info, de-escalations, resolutions, updates) are ignored.
 *
 * <p><b>Found</b>: a label is found by the first alarm on its own entity (the supplier, or the
 * route for a burst on one lane) at a time in [start, deadline]:
 * <ul>
 *   <li>bursts: deadline = start + {@link Options#burstDeadline} (60 min): a burst that lasts 1–2 h
 *   and is seen later is of no use; such a later alarm (up to end + the longest window) counts as
 *   {@code late}, neither found nor false;</li>
 *   <li>sustained changes and air shifts: deadline = end + {@link Options#longestWindow} (24 h):
 *   a window detector still holds the anomaly's events that long after it ends, so an alarm then
 *   is about this anomaly (its delay shows how late it was).</li>
 * </ul>
 * Delay = alarm − start, for found labels only. The same counted from the anomaly's first changed
 * shipment ({@link Label#visibleFrom}) is shown beside it: how much of a delay is the detector's, and
 * how much the supplier's night. The targets are judged on the delay from the start.
 *
 * <p><b>False alarms</b>: alarms in the scored range on an entity at a time outside
 * [start, end + longest window] of every label (scored or history) that affects that entity,
 * per evaluated entity per 30 days: {@code false / (entities × scored days / 30)}. A holiday
 * excuses nothing: an alarm during it, or caused by it, is false; alarms during a holiday are also
 * reported on their own.
 */
public final class QualityScore {

  /** The classes scored for recall, in report order; holidays are scored by their alarms. */
  public static final List<String> CLASSES = List.of(Label.BURST, Label.SUSTAINED_LOAD, Label.SUSTAINED_VOLUME, Label.AIR_SHIFT);

  /** One change of a replay, as {@code POST /detection/batch} answers it; unknown fields are ignored. */
  public record Change(Instant at, String entityType, String entity, String change, String severity,
                       String window, String kind) {

    public static Change fromJson(JsonObject json) {
      return new Change(Instant.parse(json.getString("at")), json.getString("entity_type"), json.getString("entity"),
        json.getString("change"), json.getString("severity"), text(json.getValue("window")), text(json.getValue("kind")));
    }

    private static String text(Object value) {
      return value == null ? null : value.toString();
    }

    public boolean alarm() {
      return ("opened".equals(change) || "escalated".equals(change))
        && ("warn".equals(severity) || "critical".equals(severity));
    }

    public Entity target() {
      return new Entity(entityType, entity);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("at", at.toString()).put("entity_type", entityType).put("entity", entity)
        .put("change", change).put("severity", severity);
      if (window != null) {
        json.put("window", window);
      }
      if (kind != null) {
        json.put("kind", kind);
      }
      return json;
    }
  }

  /**
   * @param longestWindow how long after its end an anomaly can still be seen (and excuses alarms on what it touched)
   * @param burstDeadline a burst counts as found only by an alarm this soon after its start
   */
  public record Options(Duration longestWindow, Duration burstDeadline) {
    public static Options defaults() {
      return new Options(Duration.ofHours(24), Duration.ofMinutes(60));
    }
  }

  /** One scored label: the alarm that found it (null: missed), or a late one. */
  public record LabelResult(Label label, Change alarm, boolean found, boolean late) {
    public Duration delay() {
      return alarm == null ? null : Duration.between(label.start(), alarm.at());
    }

    /** Alarm − the first changed shipment (0 when the alarm came before it); null when not found. */
    public Duration delayFromFirstChange() {
      if (alarm == null) {
        return null;
      }
      Duration d = Duration.between(label.visibleFrom(), alarm.at());
      return d.isNegative() ? Duration.ZERO : d;
    }

    public JsonObject toJson() {
      JsonObject json = label.toJson().put("found", found).put("late", late);
      if (alarm != null) {
        json.put("alarm", alarm.toJson()).put("delay_minutes", delay().toSeconds() / 60.0)
          .put("delay_from_first_change_minutes", delayFromFirstChange().toSeconds() / 60.0);
      }
      return json;
    }
  }

  /** Scores of one class. Delays are null when nothing was found. */
  public record ClassScore(String anomalyClass, List<LabelResult> results) {
    public int labels() {
      return results.size();
    }

    public int found() {
      return (int) results.stream().filter(LabelResult::found).count();
    }

    public int late() {
      return (int) results.stream().filter(LabelResult::late).count();
    }

    public double recall() {
      return results.isEmpty() ? Double.NaN : (double) found() / results.size();
    }

    /** Share of all labels of the class found no later than {@code limit} after their start. */
    public double recallWithin(Duration limit) {
      return recallWithin(limit, LabelResult::delay);
    }

    /** Share of all labels of the class found no later than {@code limit} after their first changed shipment. */
    public double recallWithinOfFirstChange(Duration limit) {
      return recallWithin(limit, LabelResult::delayFromFirstChange);
    }

    private double recallWithin(Duration limit, Function<LabelResult, Duration> delay) {
      return results.isEmpty() ? Double.NaN
        : (double) results.stream().filter(r -> r.found() && delay.apply(r).compareTo(limit) <= 0).count() / results.size();
    }

    public Duration medianDelay() {
      return median(delays(LabelResult::delay));
    }

    public Duration worstDelay() {
      return worst(delays(LabelResult::delay));
    }

    public Duration medianDelayFromFirstChange() {
      return median(delays(LabelResult::delayFromFirstChange));
    }

    public Duration worstDelayFromFirstChange() {
      return worst(delays(LabelResult::delayFromFirstChange));
    }

    private static Duration median(List<Duration> d) {
      if (d.isEmpty()) {
        return null;
      }
      int n = d.size();
      return n % 2 == 1 ? d.get(n / 2) : d.get(n / 2 - 1).plus(d.get(n / 2)).dividedBy(2);
    }

    private static Duration worst(List<Duration> d) {
      return d.isEmpty() ? null : d.get(d.size() - 1);
    }

    /** Found labels by the detection window that found them (when the engine says which). */
    public Map<String, Integer> foundByWindow() {
      Map<String, Integer> by = new TreeMap<>();
      results.stream().filter(LabelResult::found)
        .forEach(r -> by.merge(r.alarm().window() == null ? "-" : r.alarm().window(), 1, Integer::sum));
      return by;
    }

    private List<Duration> delays(Function<LabelResult, Duration> delay) {
      return results.stream().filter(LabelResult::found).map(delay).sorted().toList();
    }

    /** Whether the target for this class holds (see {@link QualityScore#targetMet}). */
    public boolean targetMet() {
      return QualityScore.targetMet(this);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("class", anomalyClass).put("labels", labels()).put("found", found())
        .put("late", late()).put("recall", round(recall()))
        .put("median_delay_minutes", minutes(medianDelay())).put("worst_delay_minutes", minutes(worstDelay()))
        .put("median_delay_from_first_change_minutes", minutes(medianDelayFromFirstChange()))
        .put("worst_delay_from_first_change_minutes", minutes(worstDelayFromFirstChange()))
        .put("found_by_window", new JsonObject(new LinkedHashMap<>(foundByWindow())))
        .put("target", target(anomalyClass)).put("target_met", targetMet());
      JsonArray each = new JsonArray();
      results.forEach(r -> each.add(r.toJson()));
      return json.put("results", each);
    }
  }

  /** Everything the scorer says about one replay. */
  public record Result(Map<String, ClassScore> classes, List<Change> falseAlarms, int entities, double scoredDays,
                      List<Label> holidays, List<Change> holidayAlarms, int alarms) {

    public double falsePerEntityPer30Days() {
      return entities == 0 || scoredDays <= 0 ? Double.NaN : falseAlarms.size() / (entities * scoredDays / 30.0);
    }

    public boolean falseTargetMet() {
      return falsePerEntityPer30Days() <= MAX_FALSE_PER_ENTITY_PER_30_DAYS;
    }

    public JsonObject toJson() {
      JsonObject classesJson = new JsonObject();
      classes.forEach((k, v) -> classesJson.put(k, v.toJson()));
      JsonArray falses = new JsonArray();
      falseAlarms.forEach(c -> falses.add(c.toJson()));
      JsonArray holidayJson = new JsonArray();
      holidayAlarms.forEach(c -> holidayJson.add(c.toJson()));
      Map<String, Integer> falseByType = new TreeMap<>();
      falseAlarms.forEach(c -> falseByType.merge(c.entityType(), 1, Integer::sum));
      return new JsonObject().put("classes", classesJson).put("alarms", alarms)
        .put("false_alarms", falseAlarms.size())
        .put("false_alarms_by_entity_type", new JsonObject(new LinkedHashMap<>(falseByType)))
        .put("entities", entities).put("scored_days", scoredDays)
        .put("false_per_entity_per_30_days", round(falsePerEntityPer30Days()))
        .put("false_target_met", falseTargetMet())
        .put("holidays", holidays.size()).put("holiday_alarms", holidayAlarms.size())
        .put("holiday_alarm_list", holidayJson).put("false_alarm_list", falses);
    }
  }

  public static final double MIN_RECALL = 0.9;
  public static final double MAX_FALSE_PER_ENTITY_PER_30_DAYS = 0.5;
  static final Duration BURST_MEDIAN = Duration.ofMinutes(25);
  static final Duration SUSTAINED_MEDIAN = Duration.ofHours(12);
  static final Duration SUSTAINED_WORST = Duration.ofHours(24);
  static final Duration AIR_SHIFT_WITHIN = Duration.ofHours(8);

  private QualityScore() {
  }

  /**
   * The targets: bursts ≥ 90 % found within 60 min with a median delay ≤ 25 min;
   * sustained load or volume ≥ 90 % found, median ≤ 12 h, worst ≤ 24 h; air shifts ≥ 90 % found
   * within 8 h. A class without labels meets nothing.
   */
  public static boolean targetMet(ClassScore s) {
    if (s.labels() == 0) {
      return false;
    }
    return switch (s.anomalyClass()) {
      case Label.BURST -> s.recall() >= MIN_RECALL && s.medianDelay() != null && s.medianDelay().compareTo(BURST_MEDIAN) <= 0;
      case Label.SUSTAINED_LOAD, Label.SUSTAINED_VOLUME -> s.recall() >= MIN_RECALL
        && s.medianDelay().compareTo(SUSTAINED_MEDIAN) <= 0 && s.worstDelay().compareTo(SUSTAINED_WORST) <= 0;
      case Label.AIR_SHIFT -> s.recallWithin(AIR_SHIFT_WITHIN) >= MIN_RECALL;
      default -> false;
    };
  }

  public static String target(String anomalyClass) {
    return switch (anomalyClass) {
      case Label.BURST -> "≥ 90 % within 60 min, median ≤ 25 min";
      case Label.SUSTAINED_LOAD, Label.SUSTAINED_VOLUME -> "≥ 90 %, median ≤ 12 h, worst ≤ 24 h";
      case Label.AIR_SHIFT -> "≥ 90 % within 8 h";
      default -> "";
    };
  }

  /**
   * @param labels every label of the data set; those starting in [from, to) are scored, the others only excuse alarms
   * @param changes the replay's changes (any order; those outside [from, to] are ignored)
   * @param entities the entities evaluated, the denominator of the false-alarm rate
   */
  public static Result score(List<Label> labels, Instant from, Instant to, List<Change> changes, Set<Entity> entities,
                             Options options) {
    List<Change> alarms = changes.stream().filter(Change::alarm)
      .filter(c -> !c.at().isBefore(from) && !c.at().isAfter(to))
      .sorted(Comparator.comparing(Change::at)).toList();

    Map<String, ClassScore> classes = new LinkedHashMap<>();
    for (String cls : CLASSES) {
      List<LabelResult> results = new ArrayList<>();
      labels.stream().filter(l -> l.anomalyClass().equals(cls) && !l.start().isBefore(from) && l.start().isBefore(to))
        .sorted(Comparator.comparing(Label::start))
        .forEach(l -> results.add(result(l, alarms, options)));
      classes.put(cls, new ClassScore(cls, results));
    }

    List<Change> falseAlarms = alarms.stream().filter(a -> labels.stream().noneMatch(l -> excuses(l, a, options))).toList();
    List<Label> holidays = labels.stream().filter(l -> l.anomalyClass().equals(Label.HOLIDAY)
      && l.start().isBefore(to) && l.end().isAfter(from)).toList();
    List<Change> holidayAlarms = alarms.stream().filter(a -> holidays.stream()
      .anyMatch(h -> !a.at().isBefore(h.start()) && a.at().isBefore(h.end()))).toList();
    double days = Duration.between(from, to).toSeconds() / 86_400.0;
    return new Result(classes, falseAlarms, entities.size(), days, holidays, holidayAlarms, alarms.size());
  }

  private static LabelResult result(Label label, List<Change> alarms, Options options) {
    Entity target = label.target();
    Instant deadline = label.anomalyClass().equals(Label.BURST)
      ? label.start().plus(options.burstDeadline()) : label.end().plus(options.longestWindow());
    Instant lateUntil = label.end().plus(options.longestWindow());
    Change late = null;
    for (Change a : alarms) {
      if (!a.target().equals(target) || a.at().isBefore(label.start())) {
        continue;
      }
      if (!a.at().isAfter(deadline)) {
        return new LabelResult(label, a, true, false);
      }
      if (!a.at().isAfter(lateUntil)) {
        late = a;
      }
      break;
    }
    return new LabelResult(label, late, false, late != null);
  }

  /** Whether {@code label} explains {@code alarm}: it touched the alarm's entity, which still held it then. */
  static boolean excuses(Label label, Change alarm, Options options) {
    return label.affects().contains(alarm.target())
      && !alarm.at().isBefore(label.start()) && !alarm.at().isAfter(label.end().plus(options.longestWindow()));
  }

  static Double minutes(Duration d) {
    return d == null ? null : Math.round(d.toSeconds() / 6.0) / 10.0;
  }

  /** Three decimals; null for NaN (a class without labels), which JSON cannot hold. */
  static Double round(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 1000) / 1000.0;
  }

  /** 1 h 05 min, 35 min, 2 d 3 h: delays as a person reads them. */
  public static String human(Duration d) {
    if (d == null) {
      return "-";
    }
    long m = d.toMinutes();
    if (m < 60) {
      return m + " min";
    }
    if (m < 48 * 60) {
      return String.format(Locale.ROOT, "%d h %02d", m / 60, m % 60);
    }
    return String.format(Locale.ROOT, "%d d %d h", m / 1440, (m % 1440) / 60);
  }
}
