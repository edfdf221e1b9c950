package io.carbonnexus.engine.hotspot;

/**
 * Upper edges of counts, calibrated at any mean: the (continuous) count n at which P(N ≥ n)
 * equals the tail of k standard deviations, Φ(−k).
 *
 * <ul>
 *   <li>Poisson: P(N ≥ n) is the regularised lower incomplete gamma function P(n, λ).</li>
 *   <li>Negative binomial — a Poisson count whose mean is itself uncertain (it was estimated from
 *   a few days, and whole days run busier or quieter): mean μ, variance μ + μ²/r, and
 *   P(N ≥ n) = I_{μ/(μ+r)}(n, r), the regularised incomplete beta function.</li>
 * </ul>
 * Where the normal approximation would let 2 shipments in a quiet night hour (mean 0.3) count as
 * 3.5 spreads out, these ask for the 4 or 5 that really are.
 */
final class PoissonTail {

  private PoissonTail() {
  }

  /** The count n > λ with P(N ≥ n) = Φ(−k) for N ~ Poisson(λ); λ may be 0. */
  static double edge(double lambda, double k) {
    double alpha = upperNormalTail(k);
    double mean = Math.max(lambda, 1e-9);
    double lo = mean;
    double hi = mean + k * Math.sqrt(mean) + k * k + 2;
    return crossing(n -> tail(n, mean), lo, hi, alpha);
  }

  /**
   * The count n > μ with P(N ≥ n) = Φ(−k) for N negative binomial with mean μ and relative
   * over-dispersion {@code dispersion} (variance μ + dispersion × μ²); Poisson when it is 0.
   */
  static double edge(double mean, double dispersion, double k) {
    if (!(dispersion > 1e-12)) {
      return edge(mean, k);
    }
    double alpha = upperNormalTail(k);
    double mu = Math.max(mean, 1e-9);
    double r = 1 / dispersion;
    double p = mu / (mu + r);
    double lo = mu;
    double hi = mu + k * Math.sqrt(mu + dispersion * mu * mu) + k * k + 2;
    return crossing(n -> regularizedBeta(p, n, r), lo, hi, alpha);
  }

  /** How close to the crossing an edge is found, relative to it: far finer than any count or kg compared with it. */
  static final double PRECISION = 1e-10;

  /**
   * The n above lo where a decreasing tail(n) falls to alpha (tail(lo) > alpha), to
   * {@link #PRECISION}: {@code hi}, a first guess past it, is doubled until it is past it; then the
   * end of the bracket at or past the crossing, so that tail(n) ≤ alpha. Regula falsi on
   * log tail (nearly straight over a bracket this narrow) with the Illinois rule (an end kept twice
   * has its value halved, so both ends move): a handful of tail evaluations where halving the
   * bracket took sixty (measured: a chart's 672 upper edges in a third of the time). Halves the
   * bracket wherever the secant is undefined (a tail that underflowed to 0).
   */
  private static double crossing(java.util.function.DoubleUnaryOperator tail, double lo, double hi, double alpha) {
    while (tail.applyAsDouble(hi) > alpha) {
      hi *= 2;
    }
    double fLo = side(tail.applyAsDouble(lo), alpha);
    double fHi = side(tail.applyAsDouble(hi), alpha);
    int kept = 0;
    for (int i = 0; i < 200 && hi - lo > PRECISION * Math.max(1, hi); i++) {
      double mid = hi - fHi * (hi - lo) / (fHi - fLo);
      if (!(mid > lo && mid < hi)) {
        mid = (lo + hi) / 2;
      }
      double f = side(tail.applyAsDouble(mid), alpha);
      if (f > 0) {
        lo = mid;
        fLo = f;
        fHi = kept < 0 ? fHi / 2 : fHi;
        kept = -1;
      } else {
        hi = mid;
        fHi = f;
        fLo = kept > 0 ? fLo / 2 : fLo;
        kept = 1;
      }
    }
    return hi;
  }

  /**
   * log(tail / alpha), positive exactly where tail > alpha: the side is decided on the tail
   * itself, not on logarithms that may round across zero.
   */
  private static double side(double tail, double alpha) {
    double f = Math.log(tail / alpha);
    return tail > alpha ? Math.max(f, Double.MIN_VALUE) : Math.min(f, 0);
  }

  /** I_x(a, b), the regularised incomplete beta function (continued fraction, Lentz). */
  static double regularizedBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
    if (x < (a + 1) / (a + b + 2)) {
      return Math.exp(logFront) * betaFraction(x, a, b) / a;
    }
    return 1 - Math.exp(logFront) * betaFraction(1 - x, b, a) / b;
  }

  /** Lentz's method keeps every partial denominator away from zero by at least this. */
  private static final double TINY = 1e-300;

  private static double awayFromZero(double v) {
    return Math.abs(v) < TINY ? TINY : v;
  }

  /** The incomplete beta's continued fraction, by Lentz's method: two terms (even, odd) per step. */
  private static double betaFraction(double x, double a, double b) {
    double qab = a + b;
    double qap = a + 1;
    double qam = a - 1;
    double c = 1;
    double d = 1 / awayFromZero(1 - qab * x / qap);
    double h = d;
    for (int m = 1; m <= 1000; m++) {
      int m2 = 2 * m;
      double even = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1 / awayFromZero(1 + even * d);
      c = awayFromZero(1 + even / c);
      h *= d * c;
      double odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1 / awayFromZero(1 + odd * d);
      c = awayFromZero(1 + odd / c);
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-15) {
        break;
      }
    }
    return h;
  }

  /** P(N ≥ n) for real n ≥ 0, as P(n, λ): the regularised lower incomplete gamma function. */
  static double tail(double n, double lambda) {
    if (n <= 0) {
      return 1;
    }
    return lowerRegularizedGamma(n, lambda);
  }

  /** P(a, x) by its series for x < a + 1, else 1 − Q(a, x) by Lentz's continued fraction. */
  static double lowerRegularizedGamma(double a, double x) {
    if (x <= 0) {
      return 0;
    }
    double logPrefix = a * Math.log(x) - x - logGamma(a);
    if (x < a + 1) {
      double term = 1 / a;
      double sum = term;
      for (int n = 1; n < 1000; n++) {
        term *= x / (a + n);
        sum += term;
        if (Math.abs(term) < Math.abs(sum) * 1e-15) {
          break;
        }
      }
      return Math.min(1, sum * Math.exp(logPrefix));
    }
    double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 1000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < tiny) {
        d = tiny;
      }
      c = b + an / c;
      if (Math.abs(c) < tiny) {
        c = tiny;
      }
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-15) {
        break;
      }
    }
    return Math.max(0, 1 - Math.exp(logPrefix) * h);
  }

  /** Lanczos approximation (g = 7, n = 9), accurate to about 15 digits. */
  static double logGamma(double x) {
    double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    x -= 1;
    double a = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += c[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  /** Φ(−k): the upper tail of a standard normal beyond k (Abramowitz–Stegun 7.1.26 on erfc). */
  static double upperNormalTail(double k) {
    double x = k / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * Math.abs(x));
    double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
      * Math.exp(-x * x);
    return x >= 0 ? erfc / 2 : 1 - erfc / 2;
  }
}
