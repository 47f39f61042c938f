/**
 * Beta distribution helpers for the sGPO profile posterior Beta(1 + s, 1 + k − s):
 * log-gamma (Lanczos), the regularized incomplete beta I_x(a, b) by Lentz's continued fraction,
 * and its inverse by bisection (monotone in x, 200 halvings at most, tolerance 1e-12).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~1e-14 relative). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (xx + i);
  const t = xx + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) return h;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new Error(`Beta parameters must be > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new Error(`x must be in [0, 1], got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Inverse of I_x(a, b) in x (the Beta quantile), by bisection. */
export function inverseRegularizedIncompleteBeta(q: number, a: number, b: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`probability must be in [0, 1], got ${q}`);
  if (q === 0) return 0;
  if (q === 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (regularizedIncompleteBeta(mid, a, b) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface BetaPosterior {
  /** Posterior parameters Beta(a, b) = Beta(1 + s, 1 + k − s) (uniform prior). */
  a: number;
  b: number;
  mean: number;
  /** Central credible interval at `level`. */
  lower: number;
  upper: number;
  level: number;
}

/** Beta(1 + s, 1 + k − s) posterior of a success rate after s successes in k samples. */
export function betaPosterior(successes: number, k: number, level = 0.95): BetaPosterior {
  if (!Number.isInteger(k) || k < 0) throw new Error(`k must be an integer >= 0, got ${k}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > k) {
    throw new Error(`successes must be an integer in [0, ${k}], got ${successes}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`credible level must be in (0, 1), got ${level}`);
  const a = 1 + successes;
  const b = 1 + k - successes;
  const tail = (1 - level) / 2;
  return {
    a,
    b,
    mean: a / (a + b),
    lower: inverseRegularizedIncompleteBeta(tail, a, b),
    upper: inverseRegularizedIncompleteBeta(1 - tail, a, b),
    level,
  };
}
