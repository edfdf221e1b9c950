package io.carbonnexus.engine.hotspot;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BaselineStatisticTest {

  private static final double[] DAYS = {100, 104, 96, 110, 90, 102, 98, 400}; // one surge day

  @Test
  void theMedianIgnoresOneExtremeDay() {
    // sorted: 90 96 98 100 102 104 110 400 -> (100 + 102) / 2
    assertThat(BaselineStatistic.parse("median").of(DAYS)).isEqualTo(101.0);
  }

  @Test
  void aPercentileInterpolatesBetweenRanks() {
    // p90 of 8 values: position 0.9 x 7 = 6.3 -> 110 + 0.3 x (400 - 110) = 197
    assertThat(BaselineStatistic.parse("p90").of(DAYS)).isCloseTo(197.0, within(1e-9));
    assertThat(BaselineStatistic.parse("p50").of(DAYS)).isEqualTo(101.0);
  }

  @Test
  void medianPlusMadSitsAboveOrdinaryDays() {
    // deviations from 101: 11 5 3 1 1 3 9 299 -> sorted 1 1 3 3 5 9 11 299 -> MAD (3 + 5) / 2 = 4
    // 101 + 3 x 1.4826 x 4 = 118.7912
    double baseline = BaselineStatistic.parse("median+3mad").of(DAYS);
    assertThat(baseline).isCloseTo(118.7912, within(1e-9));
    for (double day : new double[] {100, 104, 96, 110, 90, 102, 98}) {
      assertThat(day / baseline).as("an ordinary day stays below 1.0 x baseline").isLessThan(1.0);
    }
  }

  @Test
  void spellingIsForgiving() {
    assertThat(BaselineStatistic.parse(" Median + 2.5 MAD ").name()).isEqualTo("median+2.5mad");
  }

  @Test
  void anUnknownStatisticIsRefusedWithTheAccepted() {
    assertThatThrownBy(() -> BaselineStatistic.parse("mean")).hasMessageContaining("expected median, a percentile");
    assertThatThrownBy(() -> BaselineStatistic.parse("p100")).hasMessageContaining("unknown baseline statistic");
  }

  @Test
  void noHistoryGivesNoBaseline() {
    assertThat(BaselineStatistic.parse("median").of(new double[0])).isNaN();
  }
}
