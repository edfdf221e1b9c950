package io.carbonnexus.engine.hotspot;

/**
 * What an entity did over some span of time, as sums over its shipments: CO2 (kg), shipments,
 * tonne-km, the second moments the spreads are made of (Σ co2², Σ co2·tkm, Σ tkm²), and the
 * shipments that flew ({@code air}: kept for lanes only, whose mix of modes the air-share test
 * reads; 0 elsewhere). Sums add up across minutes, buckets, hours and windows.
 */
public record Activity(double co2, double events, double tkm, double co2Sq, double co2Tkm, double tkmSq, double air) {

  public static final Activity NONE = new Activity(0, 0, 0, 0, 0, 0, 0);

  /** Activity without a count of flown shipments (an entity's, not a lane's). */
  public Activity(double co2, double events, double tkm, double co2Sq, double co2Tkm, double tkmSq) {
    this(co2, events, tkm, co2Sq, co2Tkm, tkmSq, 0);
  }

  public Activity plus(Activity o) {
    return new Activity(co2 + o.co2, events + o.events, tkm + o.tkm, co2Sq + o.co2Sq, co2Tkm + o.co2Tkm,
      tkmSq + o.tkmSq, air + o.air);
  }

  public Activity minus(Activity o) {
    return new Activity(co2 - o.co2, events - o.events, tkm - o.tkm, co2Sq - o.co2Sq, co2Tkm - o.co2Tkm,
      tkmSq - o.tkmSq, air - o.air);
  }

  /** Sums that went slightly negative by rounding (a sliding sum) are clamped to zero. */
  public Activity clamped() {
    return new Activity(Math.max(0, co2), Math.max(0, events), Math.max(0, tkm), Math.max(0, co2Sq),
      Math.max(0, co2Tkm), Math.max(0, tkmSq), Math.max(0, air));
  }
}
