package io.carbonnexus.engine.shared;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Percentages of a baseline: rounded, and bounded so no baseline can make them wrap. */
class PercentTest {

  @ParameterizedTest(name = "{0} on a baseline of {1} is {2} % above")
  @CsvSource({"122, 60, 103", "120, 100, 20", "100, 100, 0", "50, 100, -50", "0, 100, -100", "100.6, 100, 1",
    "100.4, 100, 0"})
  void anOrdinaryRatioIsRoundedToAWholePercent(double value, double baseline, int above) {
    assertThat(Percent.above(value, baseline)).isEqualTo(above);
  }

  @ParameterizedTest(name = "{0} kg on a target of {1} kg")
  @CsvSource({"1000, 0.0001", "1000, 1e-300", "1, 4.9e-324", "1.7976931348623157e308, 1", "1e12, 1e-3",
    "Infinity, 1"})
  void aTinyBaselineReadsTheMaximumNotAWrappedNumber(double value, double baseline) {
    assertThat(Percent.above(value, baseline)).isEqualTo(Percent.MAX);
    assertThat(Percent.of(value, baseline)).isEqualTo(Percent.MAX + 100);
  }

  @Test
  void justBelowTheMaximumIsStillExact() {
    assertThat(Percent.above(9_999, 1)).isEqualTo(999_800);
    assertThat(Percent.above(10_000, 1)).isEqualTo(Percent.MAX - 100);
    assertThat(Percent.above(10_001, 1)).isEqualTo(Percent.MAX);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"-1, 1e-300", "-1e308, 1", "-Infinity, 1", "-1000, 0.0001"})
  void aNegativeValueStaysWithinTheDocumentedBound(double value, double baseline) {
    assertThat(Percent.above(value, baseline)).isEqualTo(-Percent.MAX);
  }

  @Test
  void noBaselineAtAllReadsTheMaximumForAnyEmissionsAndZeroForNone() {
    assertThat(Percent.above(5, 0)).isEqualTo(Percent.MAX);
    assertThat(Percent.above(5, -1)).isEqualTo(Percent.MAX);
    assertThat(Percent.above(5, Double.NaN)).isEqualTo(Percent.MAX);
    assertThat(Percent.of(0, 0)).isZero();
    assertThat(Percent.of(Double.NaN, 100)).isZero();
  }

  @Test
  void percentOfBaselineIsRounded() {
    assertThat(Percent.of(122, 60)).isEqualTo(203);
    assertThat(Percent.of(0, 60)).isZero();
  }
}
