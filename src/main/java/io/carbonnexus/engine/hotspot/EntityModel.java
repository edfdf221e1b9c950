package io.carbonnexus.engine.hotspot;

import java.time.Instant;

/**
 * What detection knows of one entity's normal at an hour: a seasonal model, or (legacy algorithm)
 * one baseline for its window. Learnt from the entity's hourly activity before that hour only.
 */
public record EntityModel(Instant builtAt, SeasonalModel seasonal, double legacyBaseline) {

  /** The model of the configured algorithm, or null when the history says too little. */
  public static EntityModel learn(Instant builtAt, Hours hours, DetectionSettings s) {
    if (s.legacy()) {
      double baseline = LegacyModel.baseline(builtAt, hours, s);
      return Double.isNaN(baseline) || !(baseline > 0) ? null : new EntityModel(builtAt, null, baseline);
    }
    SeasonalModel model = SeasonalModel.learn(builtAt, hours, s.model());
    return model == null ? null : new EntityModel(builtAt, model, Double.NaN);
  }
}
