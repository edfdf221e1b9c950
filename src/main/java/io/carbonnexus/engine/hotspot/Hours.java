package io.carbonnexus.engine.hotspot;

import java.time.Instant;

/**
 * An entity's activity hour by hour, over [start, start + length hours): what models are learnt
 * from. Primitive arrays, because a replay learns thousands of models.
 */
public final class Hours {

  final long firstHour;
  final double[] co2;
  final double[] events;
  final double[] tkm;
  final double[] co2Sq;
  final double[] co2Tkm;
  final double[] tkmSq;
  final double[] air;

  /** @param start an hour boundary (UTC) */
  public Hours(Instant start, int length) {
    if (start.getEpochSecond() % 3600 != 0 || start.getNano() != 0) {
      throw new IllegalArgumentException("hours start on an hour: " + start);
    }
    this.firstHour = start.getEpochSecond() / 3600;
    co2 = new double[length];
    events = new double[length];
    tkm = new double[length];
    co2Sq = new double[length];
    co2Tkm = new double[length];
    tkmSq = new double[length];
    air = new double[length];
  }

  public int length() {
    return co2.length;
  }

  public Instant start() {
    return Instant.ofEpochSecond(firstHour * 3600);
  }

  /** Adds activity to the hour holding {@code at}; outside the span it is ignored. */
  public void add(Instant at, Activity a) {
    add((int) (Math.floorDiv(at.getEpochSecond(), 3600) - firstHour), a);
  }

  public void add(int hour, Activity a) {
    if (hour < 0 || hour >= co2.length) {
      return;
    }
    co2[hour] += a.co2();
    events[hour] += a.events();
    tkm[hour] += a.tkm();
    co2Sq[hour] += a.co2Sq();
    co2Tkm[hour] += a.co2Tkm();
    tkmSq[hour] += a.tkmSq();
    air[hour] += a.air();
  }

  public Activity at(int hour) {
    return new Activity(co2[hour], events[hour], tkm[hour], co2Sq[hour], co2Tkm[hour], tkmSq[hour], air[hour]);
  }

  /** The hours [from, from + length) of this span (hours outside it are empty). */
  public Hours slice(Instant from, int length) {
    Hours out = new Hours(from, length);
    int offset = (int) (out.firstHour - firstHour);
    for (int i = 0; i < length; i++) {
      int j = i + offset;
      if (j >= 0 && j < co2.length) {
        out.co2[i] = co2[j];
        out.events[i] = events[j];
        out.tkm[i] = tkm[j];
        out.co2Sq[i] = co2Sq[j];
        out.co2Tkm[i] = co2Tkm[j];
        out.tkmSq[i] = tkmSq[j];
        out.air[i] = air[j];
      }
    }
    return out;
  }
}
