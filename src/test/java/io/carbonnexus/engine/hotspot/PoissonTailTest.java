package io.carbonnexus.engine.hotspot;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** The tails and edges of counts, against sums of their probabilities computed here term by term. */
class PoissonTailTest {

  /** Φ(−k) for k = 0, 1, 2, 3, 3.5, 4: tabulated values of the standard normal's upper tail. */
  private static final double[] K = {0, 1, 2, 3, 3.5, 4};
  private static final double[] UPPER_TAIL = {0.5, 0.15865525393145705, 0.022750131948179195, 0.0013498980316300946,
    2.3262907903552504e-4, 3.1671241833119863e-5};
  private static final double[] MEANS = {0.05, 0.3, 2, 10, 50, 200};

  /** P(N ≥ n) for N ~ Poisson(λ), summed upwards from n (no cancellation for far tails). */
  private static double poissonTail(int n, double lambda) {
    double term = Math.exp(-lambda);
    for (int j = 1; j <= n; j++) {
      term *= lambda / j;
    }
    double sum = 0;
    for (int j = n; term > 1e-300 || j <= lambda; j++) {
      sum += term;
      term *= lambda / (j + 1);
    }
    return sum;
  }

  /** P(N ≥ n) for N negative binomial with mean μ and variance μ + d μ²: r = 1 / d, p = μ / (μ + r). */
  private static double negativeBinomialTail(int n, double mean, double dispersion) {
    double r = 1 / dispersion;
    double p = mean / (mean + r);
    double term = Math.pow(1 - p, r); // P(N = 0)
    for (int j = 0; j < n; j++) {
      term *= (j + r) / (j + 1) * p;
    }
    double sum = 0;
    for (int j = n; j < n + 100_000 && (term > 1e-18 * sum || j < mean); j++) {
      sum += term;
      term *= (j + r) / (j + 1) * p;
    }
    return sum;
  }

  @Test
  void theUpperNormalTailMatchesTabulatedValues() {
    for (int i = 0; i < K.length; i++) {
      assertThat(PoissonTail.upperNormalTail(K[i])).as("k %s", K[i]).isCloseTo(UPPER_TAIL[i], within(1e-7))
        .isCloseTo(UPPER_TAIL[i], withinPercentage(1));
    }
  }

  @Test
  void logGammaMatchesFactorialsAndTheGammaOfOneHalf() {
    double logFactorial = 0;
    for (int n = 1; n <= 170; n++) {
      assertThat(PoissonTail.logGamma(n)).as("log %d!", n - 1).isCloseTo(logFactorial, within(1e-10 * Math.max(1, logFactorial)));
      logFactorial += Math.log(n);
    }
    assertThat(PoissonTail.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-13));
  }

  @Test
  void thePoissonTailAtWholeCountsIsTheExactSumOfTheProbabilities() {
    for (double lambda : MEANS) {
      for (int n = 1; n <= lambda + 8 * Math.sqrt(lambda) + 10; n++) {
        assertThat(PoissonTail.tail(n, lambda)).as("P(N >= %d), λ %s", n, lambda)
          .isCloseTo(poissonTail(n, lambda), withinPercentage(1e-7));
      }
    }
  }

  @Test
  void thePoissonEdgeLiesBetweenTheLastWholeCountMoreLikelyThanTheTailAndTheFirstLessLikely() {
    for (double lambda : MEANS) {
      for (int i = 1; i < K.length; i++) {
        double edge = PoissonTail.edge(lambda, K[i]);
        assertThat(edge).isGreaterThan(lambda);
        assertThat(poissonTail((int) Math.floor(edge), lambda)).as("λ %s, k %s, edge %s", lambda, K[i], edge)
          .isGreaterThan(UPPER_TAIL[i]);
        assertThat(poissonTail((int) Math.ceil(edge), lambda)).as("λ %s, k %s, edge %s", lambda, K[i], edge)
          .isLessThan(UPPER_TAIL[i]);
      }
    }
  }

  @Test
  void aQuietHoursEdgeAsksForFourOrFiveShipmentsWhereTheNormalApproximationSaysTwo() {
    // 0.3 + 3.5 √0.3 = 2.2: two or three shipments would count as 3.5 spreads out.
    assertThat(PoissonTail.edge(0.3, 3.5)).isBetween(4.0, 5.0);
  }

  @Test
  void aLargeMeansEdgeIsItsNormalQuantileAndALittleSkew() {
    double lambda = 10_000;
    for (int i = 1; i < K.length; i++) {
      double excess = (PoissonTail.edge(lambda, K[i]) - lambda) / (K[i] * Math.sqrt(lambda));
      assertThat(excess).as("k %s", K[i]).isBetween(1.0, 1.02);
    }
  }

  @Test
  void aMeanOfZeroHasAFiniteEdge() {
    double edge = PoissonTail.edge(0, 3.5);
    assertThat(edge).isPositive().isLessThan(1);
  }

  @Test
  void theNegativeBinomialTailAtWholeCountsIsTheExactSumOfTheProbabilities() {
    double[][] cases = {{0.05, 2}, {0.3, 0.4}, {3, 0.5}, {50, 0.01}, {200, 0.02}, {1_000, 0.001}};
    for (double[] c : cases) {
      double mean = c[0];
      double dispersion = c[1];
      double r = 1 / dispersion;
      double p = mean / (mean + r);
      double sd = Math.sqrt(mean + dispersion * mean * mean);
      for (int n = 1; n <= mean + 8 * sd + 10; n++) {
        assertThat(PoissonTail.regularizedBeta(p, n, r)).as("P(N >= %d), μ %s, d %s", n, mean, dispersion)
          .isCloseTo(negativeBinomialTail(n, mean, dispersion), withinPercentage(1e-6));
      }
    }
  }

  @Test
  void withoutDispersionTheNegativeBinomialEdgeIsThePoissonEdge() {
    for (double lambda : MEANS) {
      for (int i = 1; i < K.length; i++) {
        double poisson = PoissonTail.edge(lambda, K[i]);
        assertThat(PoissonTail.edge(lambda, 0, K[i])).isEqualTo(poisson);
        // And the negative binomial's own computation tends to it as the dispersion vanishes.
        assertThat(PoissonTail.edge(lambda, 1e-7, K[i])).as("λ %s, k %s", lambda, K[i])
          .isCloseTo(poisson, withinPercentage(0.1));
      }
    }
  }

  @Test
  void theNegativeBinomialEdgeLiesBetweenTheLastWholeCountMoreLikelyThanTheTailAndTheFirstLessLikely() {
    for (double mean : MEANS) {
      for (double dispersion : new double[] {0.01, 0.1, 1}) {
        for (int i = 1; i < K.length; i++) {
          double edge = PoissonTail.edge(mean, dispersion, K[i]);
          String as = "μ " + mean + ", d " + dispersion + ", k " + K[i] + ", edge " + edge;
          assertThat(negativeBinomialTail((int) Math.floor(edge), mean, dispersion)).as(as).isGreaterThan(UPPER_TAIL[i]);
          assertThat(negativeBinomialTail((int) Math.ceil(edge), mean, dispersion)).as(as).isLessThan(UPPER_TAIL[i]);
        }
      }
    }
  }

  @Test
  void theEdgeGrowsWithKAndWithDispersion() {
    for (double mean : new double[] {0.05, 1, 20, 500}) {
      double[] dispersions = {0, 0.001, 0.01, 0.1, 1};
      for (double dispersion : dispersions) {
        double previous = mean;
        for (double k = 0.5; k <= 6; k += 0.5) {
          double edge = PoissonTail.edge(mean, dispersion, k);
          assertThat(edge).as("μ %s, d %s, k %s", mean, dispersion, k).isGreaterThan(previous);
          previous = edge;
        }
      }
      // At detection's k: far out in the tail, where over-dispersion adds mass. (Below one count it
      // does not: the same mean with more spread puts more weight on zero, so P(N >= 1) falls.)
      for (double k : new double[] {3, 3.5, 4}) {
        double previous = mean;
        for (double dispersion : dispersions) {
          double edge = PoissonTail.edge(mean, dispersion, k);
          assertThat(edge).as("μ %s, d %s, k %s", mean, dispersion, k).isGreaterThan(previous);
          previous = edge;
        }
      }
    }
  }

  @Test
  void everyEdgeIsWhereTheContinuousTailCrossesItsTargetToOnePartInAMillion() {
    for (double mean : new double[] {0, 1e-6, 0.02, 0.3, 3, 40, 700, 25_000, 300_000}) {
      // Quiet windows' counts are the most dispersed: the rhythm's estimation error over a mean far below one.
      double[] dispersions = mean < 1 ? new double[] {0, 1e-4, 0.01, 0.2, 1, 10, 1e3, 1e5} : new double[] {0, 1e-4, 0.01, 0.2, 1};
      for (double dispersion : dispersions) {
        for (double k : new double[] {0.5, 2, 3.4, 3.75, 5, 7}) {
          double alpha = PoissonTail.upperNormalTail(k);
          double mu = Math.max(mean, 1e-9);
          java.util.function.DoubleUnaryOperator tail = dispersion == 0 ? n -> PoissonTail.tail(n, mu)
            : n -> PoissonTail.regularizedBeta(mu / (mu + 1 / dispersion), n, 1 / dispersion);
          double edge = PoissonTail.edge(mean, dispersion, k);
          String as = "μ " + mean + ", d " + dispersion + ", k " + k + ", edge " + edge;
          assertThat(edge).as(as).isFinite().isGreaterThan(mu);
          assertThat(tail.applyAsDouble(edge)).as(as).isLessThanOrEqualTo(alpha);
          if (tail.applyAsDouble(mu) > alpha) {
            // (Not finer: at a dispersion of 1000 the tail moves by a part in 10^11 per count, its own rounding.)
            assertThat(tail.applyAsDouble(edge - 1e-6 * Math.max(1, edge))).as(as).isGreaterThan(alpha);
          } else {
            // So dispersed that even the mean is past the tail (nearly all mass at zero): the edge is the mean.
            assertThat(edge - mu).as(as).isLessThan(1e-9 * Math.max(1, mu));
          }
        }
      }
    }
  }
}
