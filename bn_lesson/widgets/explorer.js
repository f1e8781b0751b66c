// The explorer's front end: controls, one canvas per stage, the statistics text. It follows explorer_math.js
// in the widget's ES module (bn_lesson/widgets/explorer.py joins the two) and computes in the browser:
// the batches arrive once, as float64 buffers; every control change runs `explore` here and redraws.
//
// The controls' state lives in the widget model (Python traitlets: gamma, beta, eps, eps_zero, dist,
// batch_size, activation), so a kernel can set and read it, and the saved state makes the static book move.
// The root element carries `data-setting` (the setting drawn, as JSON) and `data-frame` (a counter of
// redraws) for tests and benchmarks.

const CONTROLS = ["gamma", "beta", "eps", "eps_zero", "dist", "batch_size", "activation"];
const CONTROL_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End",
                              " ", "Enter"]);

function make(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

// The model's float64 buffer (a DataView from a kernel or saved state; any ArrayBuffer view or an
// ArrayBuffer elsewhere) as {"dist|size": Float64Array}, copied so that it is aligned.
function decodeBatches(data, layout) {
  const view = ArrayBuffer.isView(data) ? data : new DataView(data);
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  const all = new Float64Array(bytes);
  const out = new Map();
  for (const [dist, size, offset] of layout) out.set(`${dist}|${size}`, all.subarray(offset, offset + size));
  return out;
}

// "Nice" ticks over [lo, hi] whose labels do not collide at `width` pixels (measured with `ctx`).
function niceTicks(lo, hi, width, ctx, gap) {
  const span = hi - lo;
  for (let power = Math.floor(Math.log10(span)) - 2; power < 20; power++) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** power;
      if ((step / span) * width < gap * 1.55) continue;  // narrower than a one-digit label: no need to measure
      const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (m === 2.5 ? 1 : 0));
      const ticks = [];
      for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
        const value = k * step;
        ticks.push([value, value.toFixed(decimals).replace(/^-(?=[0.]*$)/, "").replace("-", "\u2212")]);
      }
      const widest = Math.max(...ticks.map(([, text]) => ctx.measureText(text).width));
      if (ticks.length >= 2 && (step / span) * width >= widest + gap) return ticks;
    }
  }
  return [[lo, String(lo)], [hi, String(hi)]];
}

class Panel {
  constructor(stage, config) {
    this.stage = stage;
    this.color = config.colors[stage];
    this.title = make("div", { className: "bn-panel-title" });
    this.title.style.color = this.color;
    this.canvas = make("canvas", { className: "bn-plot" });
    this.canvas.setAttribute("role", "img");
    this.stats = make("pre", { className: "bn-stats" });
    this.node = make("figure", { className: `bn-panel bn-panel-${stage}` }, [this.title, this.canvas, this.stats]);
    this.ctx = this.canvas.getContext("2d");
    this.size = null;
  }

  // Match the canvas's pixels to its CSS size and the device pixel ratio (crisp at any zoom).
  resize(fontPx) {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(rect.width, 1), height = Math.max(rect.height, 1);
    this.canvas.width = Math.max(Math.round(width * ratio), 1);   // one canvas pixel per device pixel
    this.canvas.height = Math.max(Math.round(height * ratio), 1);
    // room at both ends for half a tick label ("\u22121.0", "3.04"), under the axis for a line of them
    this.size = { width, height, sx: this.canvas.width / width, sy: this.canvas.height / height, fontPx,
                  pad: Math.ceil(fontPx * 1.6), axis: Math.ceil(fontPx * 1.7) };
  }

  // Draw the histogram (heights in [0, 1] over [lo, hi]) and, for the scaled stage, the activation's
  // flat region and curve.
  draw(heights, [lo, hi], backdrop) {
    if (!this.size) return;
    const { width, height, sx, sy, fontPx, pad } = this.size;
    const ctx = this.ctx;
    ctx.setTransform(sx, 0, 0, sy, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = `${fontPx}px sans-serif`;
    const bottom = Math.round(height - this.size.axis);
    const left = pad, plotWidth = width - 2 * pad, plotHeight = bottom - 4;
    const px = (v) => left + ((v - lo) / (hi - lo)) * plotWidth;
    if (backdrop) {
      ctx.fillStyle = backdrop.shade;
      for (const [a, b] of backdrop.regions) ctx.fillRect(px(a), 0, px(b) - px(a), bottom);
      ctx.strokeStyle = backdrop.curveColor;
      ctx.lineWidth = 1.2;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      backdrop.curve.forEach(([z, f], i) => ctx[i ? "lineTo" : "moveTo"](px(z), bottom - 0.92 * plotHeight * f));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (heights) {
      const bins = heights.length, binWidth = plotWidth / bins;
      ctx.globalAlpha = 0.75;
      ctx.fillStyle = this.color;
      ctx.beginPath();
      for (let k = 0; k < bins; k++) {
        const h = 0.92 * plotHeight * heights[k];
        if (h > 0) ctx.rect(left + k * binWidth, bottom - h, binWidth + 0.25, h);
      }
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = "#333";
    ctx.fillStyle = "#222";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, bottom + 0.5);
    ctx.lineTo(left + plotWidth, bottom + 0.5);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const [value, text] of this.ticks(lo, hi, plotWidth)) {
      const x = Math.round(px(value)) + 0.5;
      ctx.moveTo(x, bottom);
      ctx.lineTo(x, bottom + 4);
      ctx.fillText(text, x, bottom + 5);
    }
    ctx.stroke();
  }

  ticks(lo, hi, plotWidth) {
    const key = `${lo}|${hi}|${plotWidth}|${this.size.fontPx}`;
    if (this.tickKey !== key) {
      this.tickKey = key;
      this.tickCache = niceTicks(lo, hi, plotWidth, this.ctx, this.size.fontPx);
      // where each label is, in CSS pixels (tests check that none collide or leave the canvas)
      const pad = this.size.pad;
      this.canvas.dataset.ticks = JSON.stringify(this.tickCache.map(([v, text]) => {
        const w = this.ctx.measureText(text).width, x = pad + ((v - lo) / (hi - lo)) * plotWidth;
        return [Math.round(x - w / 2), Math.round(x + w / 2)];
      }));
      this.canvas.dataset.fontPx = String(this.size.fontPx);
    }
    return this.tickCache;
  }
}

class ExplorerView {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.config = model.get("_config");
    this.batches = decodeBatches(model.get("_batches"), model.get("_batch_layout"));
    this.inputCache = new Map();
    this.frame = 0;
    this.note = "";
    root.classList.add("bn-explorer");
    this.controls = this.buildControls();
    this.panels = this.config.stages.map((stage) => new Panel(stage, this.config));
    this.message = make("div", { className: "bn-error", textContent: this.config.zero_message, hidden: true });
    this.message.style.color = this.config.error_color;
    this.message.style.borderColor = this.config.error_color;
    this.figure = make("div", { className: "bn-figure" }, [...this.panels.map((p) => p.node), this.message]);
    this.figure.style.setProperty("--bn-panels", this.panels.length);
    this.status = [make("span"), make("span")];
    this.statusLine = make("div", { className: "bn-status" }, this.status);
    this.noteLine = make("div", { className: "bn-note", hidden: true });
    root.append(this.controls.node, this.figure, this.statusLine, this.noteLine);

    this.onModel = () => this.schedule();
    for (const name of CONTROLS) model.on(`change:${name}`, this.onModel);
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(root);
    this.watchPixelRatio();
    this.layout();
  }

  destroy() {
    for (const name of CONTROLS) this.model.off(`change:${name}`, this.onModel);
    this.resizer.disconnect();
    this.ratioQuery?.removeEventListener("change", this.onRatio);
  }

  // Browser zoom or a move to another screen changes the device pixel ratio: redraw at the new one.
  watchPixelRatio() {
    this.ratioQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    this.onRatio = () => {
      this.ratioQuery.removeEventListener("change", this.onRatio);
      this.watchPixelRatio();
      this.layout();
    };
    this.ratioQuery.addEventListener("change", this.onRatio);
  }

  set(name, value) {
    this.note = "";
    this.model.set(name, value);
    this.model.save_changes();
  }

  buildControls() {
    const c = {};
    const range = (name, symbol, title, [min, max, step], toModel) => {
      const input = make("input", { type: "range", min, max, step, title });
      input.setAttribute("aria-label", title);
      const readout = make("output", { className: "bn-readout" });
      input.addEventListener("input", () => this.set(name, toModel(input.valueAsNumber)));
      c[name] = { input, readout };
      return make("label", { className: `bn-control bn-range bn-${name}` },
                  [make("span", { className: "bn-name", textContent: symbol }), input, readout]);
    };
    const r = this.config.ranges;
    const nodes = [
      range("gamma", "\u03b3", "gamma: the scale", r.gamma, (v) => v),
      range("beta", "\u03b2", "beta: the shift", r.beta, (v) => v),
      range("eps", "\u03b5", "eps, on a log scale", r.eps_log10, (v) => 10 ** v),
    ];
    const zero = make("input", { type: "checkbox" });
    zero.addEventListener("change", () => this.set("eps_zero", zero.checked));
    c.eps_zero = { input: zero };
    nodes.push(make("label", { className: "bn-control bn-eps-zero" }, [zero, " \u03b5 = 0 exactly"]));
    const select = (name, label, options, parse) => {
      const input = make("select", {}, options.map((o) => make("option", { value: o, textContent: o })));
      input.addEventListener("change", () => this.set(name, parse(input.value)));
      c[name] = { input };
      return make("label", { className: `bn-control bn-select bn-${name.replace("_", "-")}` },
                  [make("span", { className: "bn-name", textContent: label }), input]);
    };
    nodes.push(select("dist", "input", this.config.dists, String),
               select("batch_size", "batch size", this.config.batch_sizes, Number));
    const buttons = this.config.activations.map((a) => {
      const b = make("button", { type: "button", textContent: a });
      b.addEventListener("click", () => this.set("activation", a));
      return b;
    });
    c.activation = { buttons };
    const group = make("div", { className: "bn-control bn-activation" }, buttons);
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "activation");
    nodes.push(group);
    if (this.config.identity_button) {
      const b = make("button", { type: "button", className: "bn-identity",
                                 textContent: "\u03b3 = \u221a(\u03c3\u00b2+\u03b5), \u03b2 = \u03bc",
                                 title: "undo the normalization: y equals the raw input" });
      b.addEventListener("click", () => this.identity());
      nodes.push(b);
    }
    c.node = make("div", { className: "bn-controls" }, nodes);
    // A host's keyboard shortcuts (JupyterLab's command mode takes the arrow keys and moves the focus to a
    // cell) must not see the keys that move these controls.
    c.node.setAttribute("data-lm-suppress-shortcuts", "true");
    c.node.addEventListener("keydown", (event) => {
      if (CONTROL_KEYS.has(event.key) && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
        event.stopPropagation();
      }
    });
    return c;
  }

  // gamma = sqrt(var + eps), beta = mu, exactly (the sliders' steps do not apply), within their ranges.
  identity() {
    const r = this.last;
    const [gmin, gmax] = this.config.ranges.gamma, [bmin, bmax] = this.config.ranges.beta;
    const gamma = Math.sqrt(r.var + r.eps), beta = r.mu;
    const g = Math.min(Math.max(gamma, gmin), gmax), b = Math.min(Math.max(beta, bmin), bmax);
    this.note = g === gamma && b === beta ? "" :
      `\u221a(\u03c3\u00b2+\u03b5) = ${formatGeneral(gamma, 4)}, \u03bc = ${formatGeneral(beta, 4)}: ` +
      `beyond the sliders (\u03b3 up to ${gmax}, \u03b2 within \u00b1${bmax}), so the nearest values are set`;
    this.model.set("gamma", g);
    this.model.set("beta", b);
    this.model.save_changes();
  }

  setting() {
    const m = this.model;
    const zero = m.get("eps_zero");
    return { gamma: m.get("gamma"), beta: m.get("beta"), eps: zero ? 0 : m.get("eps"), eps_slider: m.get("eps"),
             eps_zero: zero, dist: m.get("dist"), batch_size: m.get("batch_size"), activation: m.get("activation") };
  }

  // Several model changes (the identity button sets two) make one redraw, before the next paint.
  schedule() {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => { this.pending = false; this.update(); });
  }

  layout() {
    const font = parseFloat(getComputedStyle(this.root).fontSize) || 13;
    const width = this.figure.clientWidth, n = this.panels.length, min = 11.5 * font;
    let cols = 1;
    if (width >= n * min) cols = n;
    else if (n > 2 && width >= 2 * min) cols = 2;
    this.figure.style.setProperty("--bn-cols", cols);
    this.figure.classList.toggle("bn-odd-last", n % cols !== 0);
    const tickPx = Math.max(12, Math.round(font * 0.92));
    for (const p of this.panels) p.resize(tickPx);
    this.update();
  }

  inputStage(key, x, dist) {
    let cached = this.inputCache.get(key);
    if (!cached) {
      const [lo, hi] = this.config.limits.input[dist];
      cached = { stats: stageStats(x, new Float64Array(x.length)), hist: histogramHeights(x, lo, hi, this.config.bins) };
      this.inputCache.set(key, cached);
    }
    return cached;
  }

  limits(stage, s) {
    const l = this.config.limits[stage];
    return stage === "input" ? l[s.dist] : stage === "activated" ? l[s.activation] : l;
  }

  // The scaled panel's background: the activation's flat region shaded, its curve dashed (computed once).
  backdrop(activation) {
    this.backdrops = this.backdrops || {};
    if (!this.backdrops[activation]) this.backdrops[activation] = this.makeBackdrop(activation);
    return this.backdrops[activation];
  }

  makeBackdrop(activation) {
    const [lo, hi] = this.config.limits.scaled, flat = this.config.flat;
    const regions = activation === "sigmoid" ? [[lo, -flat], [flat, hi]] : [[lo, 0]];
    const curve = [];
    for (let i = 0; i <= 200; i++) {
      const z = lo + ((hi - lo) * i) / 200;
      curve.push([z, activation === "sigmoid" ? ACTIVATE.sigmoid(z) : ACTIVATE.relu(z) / hi]);
    }
    return { regions, curve, shade: this.config.shade, curveColor: this.config.curve_color };
  }

  update() {
    const s = this.setting();
    const key = `${s.dist}|${s.batch_size}`;
    const x = this.batches.get(key);
    if (!x) return;
    const input = this.inputStage(key, x, s.dist);
    const r = explore(x, s.gamma, s.beta, s.eps, s.activation, this.config.flat, input.stats);
    this.last = r;
    for (const p of this.panels) {
      const limits = this.limits(p.stage, s);
      let hist = null;
      if (p.stage === "input") hist = input.hist;
      else if (!r.error) hist = histogramHeights(r.values[p.stage], limits[0], limits[1], this.config.bins);
      const title = this.config.titles[p.stage].replace("{activation}", s.activation);
      if (p.title.textContent !== title) {
        p.title.textContent = title;
        p.canvas.setAttribute("aria-label", `histogram of ${title}`);
      }
      p.stats.textContent = hist ? stageLabel(r.stats[p.stage], hist.offAxis) : "";
      p.draw(hist && hist.heights, limits, p.stage === "scaled" ? this.backdrop(s.activation) : null);
    }
    this.message.hidden = !r.error;
    const [first, second] = statusParts(r, this.config.flat);
    this.status[0].textContent = first;
    this.status[1].textContent = second;
    this.noteLine.textContent = this.note;
    this.noteLine.hidden = !this.note;
    this.showControls(s);
    this.root.dataset.setting = JSON.stringify(s);
    this.root.dataset.frame = String(++this.frame);
  }

  // The controls show the model's values (a kernel or the identity button may have set them).
  showControls(s) {
    const c = this.controls;
    const readout = (v) => (Math.abs(Number(v.toFixed(2)) - v) < 1e-9 ? v.toFixed(2) : v.toFixed(3));
    for (const name of ["gamma", "beta"]) {
      if (c[name].input.valueAsNumber !== s[name]) c[name].input.value = s[name];
      c[name].readout.textContent = readout(s[name]);
    }
    const log = Math.log10(s.eps_slider);
    if (Math.abs(c.eps.input.valueAsNumber - log) > 1e-9) c.eps.input.value = log;
    c.eps.readout.textContent = s.eps_zero ? "0" : s.eps_slider.toExponential(1);
    c.eps.input.disabled = s.eps_zero;
    c.eps_zero.input.checked = s.eps_zero;
    c.dist.input.value = s.dist;
    c.batch_size.input.value = String(s.batch_size);
    for (const b of c.activation.buttons) b.setAttribute("aria-pressed", String(b.textContent === s.activation));
  }
}

function render({ model, el }) {
  const view = new ExplorerView(model, el);
  return () => view.destroy();
}

export default { render };
export { explore, stageStats, histogramHeights, stageLabel, statusParts, formatFixed, formatExp, formatGeneral,
         formatNumber, pairwiseSum };
