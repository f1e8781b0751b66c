// The explorer's numbers, computed in the browser: the four steps, the activation, each stage's statistics
// and histogram, and the text the figure shows, as Python prints it.
//
// The reference is Python: `bn_lesson.stages.explore`, `bn_lesson.stats.stage_stats` / `histogram_heights`
// and `bn_lesson.viz.text.stage_label` / `status_line`. The operations below are numpy's, in numpy's order
// (a mean is numpy's pairwise sum divided by N), and numbers are formatted as Python formats them (exact
// decimal rounding, ties to even), so a browser test can compare this file's text with Python's, character
// for character, over random settings (tests/browser/test_explorer_parity.py).
//
// Plain functions, no DOM: `bn_lesson.widgets.explorer` joins this file and explorer.js into the widget's
// one ES module; the named exports at the end let a test call them.

const ROUNDING = 8 * Number.EPSILON;  // bn_lesson._checks: spread below this, relative to size, is none
const TINY_SPREAD = 1e-150;           // ... and so is a spread whose square underflows

// -- numpy's arithmetic ----------------------------------------------------------------------------------

// numpy's pairwise summation of a[start : start + n] (what `x.mean()` and `x.sum()` do for float64).
function pairwiseSum(a, start, n) {
  if (n < 8) {
    let res = -0.0;
    for (let i = start; i < start + n; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const j = start + i;
      r0 += a[j]; r1 += a[j + 1]; r2 += a[j + 2]; r3 += a[j + 3];
      r4 += a[j + 4]; r5 += a[j + 5]; r6 += a[j + 6]; r7 += a[j + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

function mean(a) {
  return (0.0 + pairwiseSum(a, 0, a.length)) / a.length;
}

// bn_lesson._checks.constant_features for one feature: all values equal up to rounding relative to size.
function isConstant(v) {
  let lo = Infinity, hi = -Infinity, big = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    const ax = Math.abs(x);
    if (ax > big) big = ax;
  }
  const spread = hi - lo;
  return spread <= ROUNDING * big || spread < TINY_SPREAD;
}

// bn_lesson.stats.stage_stats: mean, std and skewness (population statistics, 1/N). `work` is scratch
// space of v's length.
function stageStats(v, work) {
  const m = mean(v);
  const n = v.length;
  for (let i = 0; i < n; i++) { const d = v[i] - m; work[i] = d * d; }
  const variance = mean(work);
  let skewness = 0.0;
  if (!isConstant(v)) {
    for (let i = 0; i < n; i++) { const d = v[i] - m; work[i] = d * d * d; }
    skewness = mean(work) / Math.pow(variance, 1.5);
  }
  return { mean: m, std: Math.sqrt(variance), skewness };
}

// bn_lesson.stats.histogram_heights: counts over `bins` equal bins of [low, high] (numpy.histogram's
// arithmetic), scaled so the tallest is 1, and the share of v outside [low, high].
function histogramHeights(v, low, high, bins) {
  const edges = new Float64Array(bins + 1);   // numpy.linspace
  const step = (high - low) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + low;
  edges[bins] = high;
  const counts = new Float64Array(bins);
  const denom = high - low;
  let kept = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= low && x <= high)) continue;
    let k = Math.trunc(((x - low) / denom) * bins);
    if (k === bins) k -= 1;
    if (x < edges[k]) k -= 1;
    if (x >= edges[k + 1] && k !== bins - 1) k += 1;
    counts[k] += 1;
    kept += 1;
  }
  let top = 0;
  for (let k = 0; k < bins; k++) if (counts[k] > top) top = counts[k];
  if (top > 0) for (let k = 0; k < bins; k++) counts[k] /= top;
  return { heights: counts, offAxis: 1.0 - kept / v.length };
}

const ACTIVATE = {
  sigmoid(z) {  // bn_lesson.activations.sigmoid: no overflow for large |z|
    const e = Math.exp(-Math.abs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  },
  relu(z) { return z > 0 ? z : 0.0; },
};

// Scratch arrays by length, so a key press allocates nothing.
const scratch = new Map();
function buffers(n) {
  let b = scratch.get(n);
  if (!b) {
    b = { normalized: new Float64Array(n), scaled: new Float64Array(n), activated: new Float64Array(n),
          work: new Float64Array(n) };
    scratch.clear();
    scratch.set(n, b);
  }
  return b;
}

// bn_lesson.stages.explore: one feature's batch through the four steps and an activation.
// Returns {values, stats, mu, var, eps, predicted, saturated, activation, error}; with eps = 0 and a
// constant batch `error` is true and only the input stage is filled, as in Python. `values` of the
// computed stages are scratch space: read them before the next call.
function explore(x, gamma, beta, eps, activation, flat, inputStats) {
  const n = x.length;
  const b = buffers(n);
  const mu = mean(x);                                        // step 1
  for (let i = 0; i < n; i++) { const d = x[i] - mu; b.work[i] = d * d; }
  const variance = mean(b.work);                             // step 2
  const stats = { input: inputStats || stageStats(x, b.work) };
  const values = { input: x };
  const predicted = variance + eps > 0 ? variance / (variance + eps) : NaN;
  const result = { values, stats, mu, var: variance, eps, predicted, saturated: NaN, activation, error: false };
  if (eps === 0 && isConstant(x)) {
    result.error = true;
    return result;
  }
  const root = Math.sqrt(variance + eps);
  const act = ACTIVATE[activation];
  let flatCount = 0;
  for (let i = 0; i < n; i++) {
    const xh = (x[i] - mu) / root;                           // step 3
    const y = gamma * xh + beta;                             // step 4
    b.normalized[i] = xh;
    b.scaled[i] = y;
    b.activated[i] = act(y);
    if (activation === "relu" ? y <= 0 : Math.abs(y) > flat) flatCount += 1;
  }
  values.normalized = b.normalized;
  values.scaled = b.scaled;
  values.activated = b.activated;
  for (const stage of ["normalized", "scaled", "activated"]) stats[stage] = stageStats(values[stage], b.work);
  result.saturated = flatCount / n;
  return result;
}

// -- Python's number formatting ----------------------------------------------------------------------------

// The exact value of a finite double as digits / 10^scale (BigInt digits >= 0), and its sign.
function exactDecimal(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const exponent = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let power = -1074;
  if (exponent !== 0) { mantissa |= 1n << 52n; power = exponent - 1075; }
  const negative = hi >>> 31 === 1;
  if (power >= 0) return { digits: mantissa << BigInt(power), scale: 0, negative };
  return { digits: mantissa * 5n ** BigInt(-power), scale: -power, negative };
}

// digits / 10^scale rounded to `places` decimals, ties to even: the integer q of q / 10^places.
function roundTo(digits, scale, places) {
  if (scale <= places) return digits * 10n ** BigInt(places - scale);
  const div = 10n ** BigInt(scale - places);
  let q = digits / div;
  const twice = 2n * (digits % div);
  if (twice > div || (twice === div && (q & 1n) === 1n)) q += 1n;
  return q;
}

function withPoint(q, places) {
  let s = q.toString();
  if (places === 0) return s;
  s = s.padStart(places + 1, "0");
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
}

// format(x, ".{places}f")
function formatFixed(x, places) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const { digits, scale, negative } = exactDecimal(x);
  return (negative ? "-" : "") + withPoint(roundTo(digits, scale, places), places);
}

// The significant digits of |x| rounded to `precision` of them, and the decimal exponent of the first.
function significant(x, precision) {
  const { digits, scale, negative } = exactDecimal(x);
  if (digits === 0n) return { q: 0n, exp10: 0, negative };
  let exp10 = digits.toString().length - 1 - scale;
  let q = roundTo(digits, scale, precision - 1 - exp10);
  if (q.toString().length > precision) { q /= 10n; exp10 += 1; }   // 9.99 -> 10.0
  return { q, exp10, negative };
}

function exponentText(exp10) {
  return (exp10 < 0 ? "e-" : "e+") + String(Math.abs(exp10)).padStart(2, "0");
}

// format(x, ".{places}e")
function formatExp(x, places) {
  if (!Number.isFinite(x)) return formatFixed(x, 0);
  const { q, exp10, negative } = significant(x, places + 1);
  return (negative ? "-" : "") + withPoint(q, places) + exponentText(exp10);
}

// format(x, ".{precision}g")
function formatGeneral(x, precision) {
  if (!Number.isFinite(x)) return formatFixed(x, 0);
  const p = Math.max(precision, 1);
  const { q, exp10, negative } = significant(x, p);
  const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  const sign = negative ? "-" : "";
  if (q === 0n) return `${sign}0`;
  if (exp10 >= -4 && exp10 < p) {
    const places = p - 1 - exp10;
    return sign + strip(withPoint(q, places));
  }
  return sign + strip(withPoint(q, p - 1)) + exponentText(exp10);
}

// bn_lesson.viz.text.format_number(value, ".{places}f"): no negative zero.
function formatNumber(value, places = 3) {
  const text = formatFixed(value, places);
  return text.startsWith("-") && /^-[0.]*$/.test(text) ? text.slice(1) : text;
}

// bn_lesson.viz.text.stage_label
function stageLabel(stats, offAxis = 0.0) {
  let text = `mean ${formatNumber(stats.mean)}\nstd  ${formatNumber(stats.std)}\n` +
             `skew ${formatNumber(stats.skewness, 2)}`;
  if (offAxis > 0) text += `\n${formatFixed(100 * offAxis, 1)}% off axis`;
  return text;
}

// bn_lesson.viz.text.status_line, as two parts (Python joins them with five spaces): what eps did to
// x_hat, and the share of y in the activation's flat region.
function statusParts(result, flat) {
  if (result.error) return ["", ""];
  const varHat = result.stats.normalized.std ** 2;
  const region = result.activation === "sigmoid" ? `|y| > ${formatGeneral(flat, 6)}` : "y \u2264 0";
  return [
    `\u03c3\u00b2 = ${formatGeneral(result.var, 3)}, \u03b5 = ${formatExp(result.eps, 0)}:  ` +
    `var(x\u0302) = ${formatFixed(varHat, 4)} = \u03c3\u00b2/(\u03c3\u00b2+\u03b5) = ${formatFixed(result.predicted, 4)}`,
    `${result.activation} input in its flat region (${region}): ${formatFixed(100 * result.saturated, 1)}%`,
  ];
}
