// removalsim explorer: levers -> POST /api/run -> headline numbers and charts (Plotly.react).
// The whole state (scenario, years, changes, draws, seed) lives in the URL hash: a share link.
"use strict";

const MAIN_LEVERS = [
  "arrests.officers", "detention.beds", "courts.judges", "removal.charter_flights_per_day",
  "arrests.jail_cooperation", "arrests.border_diversion", "pathways.expedited_removal",
  "pathways.mandatory_detention",
];
const TARGETING = "Targeting";
const SEGMENT_WORDS = {
  final_order: "People with final removal orders",
  recent_entrant: "Recent entrants (under 2 years)",
  pending_docket: "People awaiting a court decision",
  status_lost: "People whose TPS or parole ended",
  long_term: "Long-term residents",
  border: "People arrested at the border",
};
const STAGE_WORDS = {
  arrests: "Arrests (officers and jail transfers)",
  detention: "Detention beds",
  courts: "Immigration courts",
  credible_fear: "Credible-fear screenings",
  transport: "Removal flights and transport",
};
const RUN = "#1f5fa8";
const BASE = "#9a9a9a";
const STATE_KEYS = new Set(["scenario", "years", "draws", "seed"]);

const state = { scenario: "current", years: null, changes: {}, draws: 0, seed: 0 };
let scenarios = [];
let params = {};          // name -> parameter info for the current scenario
let controls = {};        // name -> {set(value), root}
let last = null;          // last rendered answer
const perf = {
  changedAt: null,        // time of the oldest change not yet on screen
  timings: [],            // ms from a change to its redrawn charts
  parts: [],              // [ms waiting for the API, ms drawing] of each timed change
  asked: 0,               // when the last request left
  rendered: 0,
  renderedKey: null,
};
const net = { inflight: false, dirty: false, bandsKey: null };

// ---------------------------------------------------------------- formatting
const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
function fmt(x) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "boolean") return x ? "on" : "off";
  if (typeof x === "string") return x;
  if (Math.abs(x) >= 1000) return int.format(x);
  return String(Math.round(x * 1000) / 1000);
}
function money(x) {
  if (x === null || x === undefined) return "–";
  const a = Math.abs(x);
  if (a >= 1e9) return `$${(x / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `$${(x / 1e6).toFixed(1)}M`;
  return `$${int.format(x)}`;
}
function signed(x, f = fmt) {
  if (x === null || x === undefined || Math.abs(x) < 0.5) return "no change";
  return (x > 0 ? "+" : "−") + f(Math.abs(x));
}
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function labelOf(p) {
  const seg = p.name.startsWith("arrests.target.") ? p.name.split(".").pop() : null;
  return seg ? SEGMENT_WORDS[seg] || p.label : p.label;
}
function sameValue(a, b) {
  return typeof a === "number" && typeof b === "number" ? Math.abs(a - b) < 1e-9 : a === b;
}
function planText(p) {
  if (!p.schedule || p.schedule.length < 2) return "";
  const steps = p.schedule.map(([d, v]) => `${fmt(v)} from ${d.slice(0, 7)}`).join(", ");
  return `Scenario plan: ${steps}. A new value holds for the whole run.`;
}

// ---------------------------------------------------------------- URL state (share link)
function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const out = { scenario: q.get("scenario") || "current", years: null, changes: {}, draws: 0,
                seed: 0 };
  if (q.get("years")) out.years = Number(q.get("years"));
  if (q.get("draws")) out.draws = Number(q.get("draws"));
  if (q.get("seed")) out.seed = Number(q.get("seed"));
  for (const [k, v] of q) if (!STATE_KEYS.has(k)) out.changes[k] = v;  // typed once params load
  return out;
}
function typed(name, raw) {
  const p = params[name];
  if (!p || typeof raw !== "string") return raw;
  if (p.switch) return raw === "true" || raw === "on" || raw === "1";
  if (p.choices) return raw;
  const x = Number(raw);
  return Number.isFinite(x) ? x : raw;
}
function writeHash() {
  const q = new URLSearchParams();
  q.set("scenario", state.scenario);
  if (state.years) q.set("years", String(state.years));
  if (state.draws) { q.set("draws", String(state.draws)); q.set("seed", String(state.seed)); }
  for (const [k, v] of Object.entries(state.changes).sort()) q.set(k, String(v));
  history.replaceState(null, "", "#" + q.toString());
}
function spec(withDraws) {
  const s = { scenario: state.scenario, changes: state.changes, marginal: false };
  if (state.years) s.years = state.years;
  if (withDraws && state.draws > 0) { s.draws = state.draws; s.seed = state.seed; }
  return s;
}

// ---------------------------------------------------------------- API
async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    const detail = Array.isArray(data.detail)
      ? data.detail.map((d) => `${d.loc.slice(1).join(".") || "request"}: ${d.msg}`).join("\n")
      : String(data.detail);
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return data;
}
function showError(message) {
  const box = document.getElementById("error");
  box.hidden = !message;
  box.textContent = message ? `The model could not run this: ${message}` : "";
}

// Latest-only requests: one in flight; a change meanwhile sends the newest state when it returns.
function changed() {
  if (perf.changedAt === null) perf.changedAt = performance.now();
  writeHash();
  send();
}
async function send() {
  if (net.inflight) { net.dirty = true; return; }
  net.inflight = true;
  net.dirty = false;
  const body = spec(false);
  const key = JSON.stringify(body);
  let data = null;
  perf.asked = performance.now();
  try {
    data = await api("/api/run", body);
    showError("");
  } catch (error) {
    showError(error.message);
    perf.changedAt = null;
  }
  net.inflight = false;
  if (net.dirty) send();           // the server works on the newest state while we draw
  if (data) await render(data, key === JSON.stringify(spec(false)) ? key : null);
  if (!net.dirty && !net.inflight && state.draws > 0) sendBands();
}
async function sendBands() {
  const body = spec(true);
  const key = JSON.stringify(body);
  if (net.bandsKey === key) return;
  net.bandsKey = key;
  const status = document.getElementById("bands-status");
  status.textContent = `Running ${state.draws} draws…`;
  try {
    const data = await api("/api/run", body);
    if (key !== JSON.stringify(spec(true))) return;
    status.textContent = `Bands from ${data.bands.draws} draws (seed ${data.bands.seed}).`;
    await render(data, null);
  } catch (error) {
    status.textContent = error.message;
  }
}

// ---------------------------------------------------------------- controls
function buildControls() {
  controls = {};
  const main = document.getElementById("main-levers");
  const other = document.getElementById("other-levers");
  const assumed = document.getElementById("assumption-controls");
  for (const box of [main, other, assumed]) box.replaceChildren();
  const all = Object.values(params);
  for (const name of MAIN_LEVERS) if (params[name]) main.append(control(params[name]));
  const targeting = all.filter((p) => p.kind === "lever" && p.group === TARGETING);
  if (targeting.length) {
    main.append(el("div", { class: "group-title", text: "Who at-large arrests look for (weight)" }));
    for (const p of targeting) main.append(control(p));
  }
  const rest = all.filter((p) => p.kind === "lever" && p.group !== TARGETING &&
                                 !MAIN_LEVERS.includes(p.name));
  addGrouped(other, rest);
  addGrouped(assumed, all.filter((p) => p.kind === "assumption"));
}
function addGrouped(box, list) {
  const groups = {};
  for (const p of list) (groups[p.group] = groups[p.group] || []).push(p);
  for (const group of Object.keys(groups).sort()) {
    box.append(el("div", { class: "group-title", text: group }));
    for (const p of groups[group]) box.append(control(p));
  }
}
function control(p) {
  const root = el("div", { class: "lever", "data-name": p.name });
  const id = "in-" + p.name.replaceAll(".", "-");
  root.append(el("label", { class: "name", for: id, title: p.description },
                 labelOf(p), " ", el("span", { class: "unit", text: p.switch || p.choices ? "" : p.unit })));
  const row = el("div", { class: "row" });
  const hint = el("div", { class: "hint" });
  const undo = el("button", { class: "undo", type: "button", title: "Back to the scenario value",
                              "aria-label": `Reset ${labelOf(p)}`, text: "↺" });
  let set;
  if (p.switch) {
    const box = el("input", { type: "checkbox", id });
    const words = el("span", { text: "" });
    box.addEventListener("input", () => { words.textContent = box.checked ? "on" : "off";
                                          update(p.name, box.checked); });
    set = (v) => { box.checked = Boolean(v); words.textContent = v ? "on" : "off"; };
    row.append(box, words);
  } else if (p.choices) {
    const select = el("select", { id });
    for (const c of p.choices) select.append(el("option", { value: c, text: c }));
    select.addEventListener("input", () => update(p.name, select.value));
    set = (v) => { select.value = v; };
    row.append(select);
  } else {
    const range = el("input", { type: "range", id, min: p.min, max: p.max, step: p.step,
                                "aria-label": labelOf(p) });
    const exact = el("input", { type: "number", min: p.min, max: p.max, step: "any",
                                "aria-label": `${labelOf(p)}, exact value` });
    range.addEventListener("input", () => { exact.value = range.value;
                                            update(p.name, Number(range.value)); });
    exact.addEventListener("change", () => {
      const x = Number(exact.value);
      if (exact.value === "" || !Number.isFinite(x)) return;
      range.value = x;
      update(p.name, x);
    });
    set = (v) => { range.value = v; exact.value = v; };
    row.append(range, exact);
  }
  undo.addEventListener("click", () => { set(p.value); update(p.name, p.value); });
  row.append(undo);
  root.append(row, hint);
  controls[p.name] = { root, set, hint };
  set(p.value);
  showHint(p.name);
  return root;
}
function showHint(name) {
  const p = params[name];
  const c = controls[name];
  if (!p || !c) return;
  const changedNow = name in state.changes;
  c.root.classList.toggle("changed", changedNow);
  let text = `Scenario: ${fmt(p.value)}`;
  if (p.kind === "assumption" && p.low !== null) text += ` (range ${fmt(p.low)}–${fmt(p.high)})`;
  else if (p.history.min !== null && p.history.min !== p.history.max) {
    text += ` · on record ${fmt(p.history.min)}–${fmt(p.history.max)}`;
  }
  const plan = planText(p);
  const warn = changedNow && last && last.changed.find((r) => r.name === name && r.warning);
  c.hint.textContent = warn ? warn.warning : plan ? `${text}. ${plan}` : text;
  c.hint.classList.toggle("warn", Boolean(warn));
}
function update(name, value) {
  if (sameValue(value, params[name].value)) delete state.changes[name];
  else state.changes[name] = value;
  showHint(name);
  changed();
}
function applyStateToControls() {
  for (const [name, c] of Object.entries(controls)) {
    const v = name in state.changes ? state.changes[name] : params[name].value;
    c.set(v);
    showHint(name);
  }
  document.getElementById("scenario").value = state.scenario;
  const s = scenarios.find((x) => x.name === state.scenario);
  document.getElementById("years").value = state.years || (s ? s.years : 10);
  document.getElementById("scenario-description").textContent = s ? s.description : "";
  document.getElementById("draws").value = state.draws;
  document.getElementById("seed").value = state.seed;
}
async function loadScenario(name) {
  const list = await api(`/api/params?scenario=${encodeURIComponent(name)}`);
  params = Object.fromEntries(list.map((p) => [p.name, p]));
  for (const [k, v] of Object.entries(state.changes)) {
    if (!(k in params)) delete state.changes[k];
    else state.changes[k] = typed(k, v);
  }
  buildControls();
  applyStateToControls();
}

// ---------------------------------------------------------------- results
function setCard(id, big, sub) {
  const card = document.getElementById(id);
  card.querySelector(".big").textContent = big;
  card.querySelector(".sub").innerHTML = "";
  card.querySelector(".sub").append(...sub);
}
function delta(x, base, f = fmt) {
  const d = x === null || base === null ? null : x - base;
  const span = el("span", { text: signed(d, f) });
  if (d !== null && Math.abs(d) >= 0.5) span.className = d > 0 ? "up" : "down";
  return span;
}
function targetWords(t) {
  const segs = t.segments.length >= 5 ? "people" : t.segments.map((s) => SEGMENT_WORDS[s] ||
    s).join(", ").toLowerCase();
  return `${fmt(t.removals)} removals of ${segs}${t.per_year ? " a year" : ""}`;
}
function renderHeadline(data) {
  const h = data.headline;
  const b = data.baseline.headline;
  const pct = data.bands ? data.bands.percentiles : null;
  const range = (k, f = fmt) => pct && pct[k] ? [el("br"), `90% range ${f(pct[k].p5)} to ${f(pct[k].p95)}`] : [];
  setCard("card-removals", fmt(h.removals_per_year),
          [`baseline ${fmt(b.removals_per_year)} (`, delta(h.removals_per_year, b.removals_per_year), ")",
           ...range("removals_per_year")]);
  if (h.target) {
    const yt = (x) => (x === null ? `not within ${fmt(h.years)} years` : `${x.toFixed(1)} years`);
    const chance = data.bands && data.bands.p_target !== null
      ? [el("br"), `chance of reaching it: ${Math.round(100 * data.bands.p_target)}%`] : [];
    setCard("card-target", yt(h.years_to_target),
            [`target: ${targetWords(h.target)}`, el("br"), `baseline: ${yt(b.years_to_target)}`,
             ...chance]);
  } else {
    setCard("card-target", "no target", ["this scenario sets none; try millions-2019 or one-million-a-year"]);
  }
  const share = h.binding_share[h.binding_constraint];
  setCard("card-binding", STAGE_WORDS[h.binding_constraint] || h.binding_constraint,
          [`binds on ${Math.round(100 * share)}% of days`, el("br"),
           `baseline: ${STAGE_WORDS[b.binding_constraint] || b.binding_constraint} ` +
           `(${Math.round(100 * b.binding_share[b.binding_constraint])}%)`]);
  setCard("card-cost", money(h.cost_total_usd),
          [`over ${fmt(h.years)} years, ${h.price_year} dollars; ${money(h.cost_per_removal_usd)} per removal`,
           el("br"), `baseline ${money(b.cost_total_usd)} (`, delta(h.cost_total_usd, b.cost_total_usd, money), ")",
           ...range("cost_total_usd", money)]);
  document.getElementById("answer").textContent = data.summary;
}
function renderChanged(data) {
  const body = document.querySelector("#changed-table tbody");
  body.replaceChildren();
  for (const r of data.changed) {
    const p = params[r.name];
    const source = r.source_href
      ? el("a", { href: r.source_href, target: "_blank", rel: "noopener", text: r.source_title })
      : document.createTextNode(r.reason ? `Assumption: ${r.reason}` : "–");
    const unit = r.unit === "switch" || r.unit === "choice" ? "" : ` ${r.unit}`;
    const yours = el("td", { class: "num", text: `${fmt(r.value)}${unit}` });
    if (r.warning) yours.append(el("span", { class: "warn", text: "outside the record" }));
    body.append(el("tr", { "data-name": r.name },
      el("td", {}, p ? labelOf(p) : r.label, el("br"), el("code", { text: r.name })),
      el("td", { class: "num", text: `${fmt(r.baseline_value)}${unit}` }), yours,
      el("td", {}, source)));
  }
  document.getElementById("changed-table").hidden = data.changed.length === 0;
  document.getElementById("changed-none").hidden = data.changed.length > 0;
  const warnings = document.getElementById("warnings");
  warnings.replaceChildren(...data.warnings.map((w) => el("p", { text: `⚠ ${w}` })));
  warnings.hidden = data.warnings.length === 0;
  for (const name of Object.keys(controls)) showHint(name);
  document.getElementById("python-code").textContent = data.python;
  const h = data.headline;
  document.getElementById("versions").textContent =
    `model ${h.model_version} · data ${h.data_version} · scenario ${h.scenario_hash}`;
}

// ---------------------------------------------------------------- charts
const CHARTS = [
  { id: "removals", title: "Removals by fiscal year" },
  { id: "cumulative", title: "Removals to date" },
  { id: "detention", title: "People in detention, and beds" },
  { id: "backlog", title: "Immigration court backlog" },
  { id: "binding", title: "What limits removals (share of days)" },
];
const LAYOUT = {
  margin: { l: 64, r: 12, t: 44, b: 36 }, height: 300, font: { size: 12 },
  legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0 }, hovermode: "x unified",
  paper_bgcolor: "#fff", plot_bgcolor: "#fff",
};
const CONFIG = { displaylogo: false, responsive: true,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
let tables = {};

function buildCharts() {
  const box = document.getElementById("charts");
  for (const c of CHARTS) {
    const csv = el("button", { type: "button", "data-download": "csv", text: "CSV" });
    const png = el("button", { type: "button", "data-download": "png", text: "PNG" });
    csv.addEventListener("click", () => downloadCsv(c.id));
    png.addEventListener("click", async () => {
      await drawOne(c.id);
      Plotly.downloadImage(document.getElementById(`plot-${c.id}`),
                           { format: "png", width: 1000, height: 500, filename: `removalsim-${c.id}` });
    });
    const chart = el("div", { class: "chart", id: `chart-${c.id}` }, el("h3", { text: c.title }),
      el("div", { class: "plot", id: `plot-${c.id}` }), el("div", { class: "downloads" }, csv, png));
    box.append(chart);
    if (watcher) watcher.observe(chart);
  }
}
function chartData(data) {
  const fy = data.fiscal_years;
  const bfy = data.baseline.fiscal_years;
  const w = data.weekly;
  const bw = data.baseline.weekly;
  const h = data.headline;
  const name = `${h.scenario} with your changes`;
  const baseName = `${h.scenario} (baseline)`;
  const out = {};
  const years = fy.index.map((y) => `FY${y}`);
  // removals by fiscal year, with bands and a per-year target
  const bars = [
    { type: "bar", x: years, y: bfy.columns.removals, name: baseName, marker: { color: BASE } },
    { type: "bar", x: years, y: fy.columns.removals, name, marker: { color: RUN } },
  ];
  const removalsTable = { columns: ["fiscal_year", "days", "baseline_removals", "removals"],
    rows: fy.index.map((y, i) => [y, fy.columns.days[i], bfy.columns.removals[i], fy.columns.removals[i]]) };
  const fan = data.bands && data.bands.fan.removals;
  if (fan) {
    const y = fy.columns.removals;
    bars[1].error_y = { type: "data", symmetric: false, color: "#0b2e59",
      array: fan.p95.map((p, i) => Math.max(0, p - y[i])),
      arrayminus: fan.p5.map((p, i) => Math.max(0, y[i] - p)) };
    removalsTable.columns.push("p5", "p50", "p95");
    removalsTable.rows.forEach((r, i) => r.push(fan.p5[i], fan.p50[i], fan.p95[i]));
  }
  const shapes = [];
  if (h.target && h.target.per_year) shapes.push(targetLine(h.target.removals));
  out.removals = { traces: bars, layout: { barmode: "group", shapes, yaxis: { title: "removals" } },
                   table: removalsTable };
  // removals to date against a cumulative target
  const targeted = Boolean(h.target);
  const column = targeted ? "cumulative_target_removals" : "cumulative_removals";
  const what = targeted ? "removals counted toward the target" : "removals";
  out.cumulative = {
    traces: [line(bw.index, bw.columns[column], baseName, BASE),
             line(w.index, w.columns[column], name, RUN)],
    layout: { shapes: h.target && !h.target.per_year ? [targetLine(h.target.removals)] : [],
              yaxis: { title: what } },
    table: weeklyTable(w, bw, column),
  };
  out.detention = {
    traces: [line(bw.index, bw.columns.detained, `detained, baseline`, BASE),
             line(w.index, w.columns.detained, "detained, your changes", RUN),
             line(bw.index, bw.columns.beds, "beds, baseline", BASE, "dot"),
             line(w.index, w.columns.beds, "beds, your changes", RUN, "dot")],
    layout: { yaxis: { title: "people (weekly average)" } },
    table: { columns: ["week_start", "baseline_detained", "detained", "baseline_beds", "beds"],
             rows: w.index.map((d, i) => [d, bw.columns.detained[i], w.columns.detained[i],
                                          bw.columns.beds[i], w.columns.beds[i]]) },
  };
  out.backlog = {
    traces: [line(bw.index, bw.columns.court_backlog, baseName, BASE),
             line(w.index, w.columns.court_backlog, name, RUN)],
    layout: { yaxis: { title: "cases pending" } },
    table: weeklyTable(w, bw, "court_backlog"),
  };
  const stages = Object.keys(h.binding_share);
  const words = stages.map((s) => STAGE_WORDS[s] || s);
  out.binding = {
    traces: [
      { type: "bar", orientation: "h", y: words, x: stages.map((s) => data.baseline.headline.binding_share[s]),
        name: baseName, marker: { color: BASE } },
      { type: "bar", orientation: "h", y: words, x: stages.map((s) => h.binding_share[s]), name,
        marker: { color: RUN } }],
    layout: { barmode: "group", hovermode: "closest", margin: { l: 220, r: 12, t: 44, b: 36 },
              xaxis: { tickformat: ".0%", range: [0, 1] }, yaxis: { autorange: "reversed" } },
    table: { columns: ["stage", "baseline_share_of_days", "share_of_days"],
             rows: stages.map((s) => [s, data.baseline.headline.binding_share[s], h.binding_share[s]]) },
  };
  return out;
}
function line(x, y, name, color, dash) {
  return { type: "scatter", mode: "lines", x, y, name, line: { color, width: 2, dash: dash || "solid" } };
}
function targetLine(y) {
  return { type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
           line: { color: "#c0392b", dash: "dash", width: 1.5 } };
}
function weeklyTable(w, bw, column) {
  return { columns: ["week_start", `baseline_${column}`, column],
           rows: w.index.map((d, i) => [d, bw.columns[column][i], w.columns[column][i]]) };
}
// Charts on screen are redrawn at once; the others right after, or when scrolled into view.
const visible = new Set();
const stale = new Map();   // chart id -> its pending figure
let staleTimer = null;
const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
  for (const e of entries) {
    const id = e.target.id.replace("chart-", "");
    if (e.isIntersecting) { visible.add(id); drawOne(id); } else visible.delete(id);
  }
}) : null;
function drawOne(id) {
  const figure = stale.get(id);
  if (!figure) return Promise.resolve();
  stale.delete(id);
  return Plotly.react(`plot-${id}`, figure.traces, { ...LAYOUT, ...figure.layout }, CONFIG);
}
function drawCharts(data) {
  const all = chartData(data);
  tables = {};
  for (const c of CHARTS) {
    tables[c.id] = all[c.id].table;
    stale.set(c.id, all[c.id]);
  }
  const now = watcher ? CHARTS.filter((c) => visible.has(c.id)) : CHARTS;
  clearTimeout(staleTimer);
  staleTimer = setTimeout(() => { for (const c of CHARTS) drawOne(c.id); }, 30);
  return Promise.all(now.map((c) => drawOne(c.id)));
}
function downloadCsv(id) {
  const t = tables[id];
  if (!t) return;
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v))
    ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  const text = [t.columns, ...t.rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })),
                      download: `removalsim-${id}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function render(data, key) {
  const began = performance.now();
  const waited = began - perf.asked;
  last = data;
  renderHeadline(data);
  renderChanged(data);
  await drawCharts(data);
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  perf.rendered += 1;
  if (key !== null) {
    perf.renderedKey = key;
    if (perf.changedAt !== null) {
      perf.timings.push(performance.now() - perf.changedAt);
      perf.parts.push([waited, performance.now() - began]);
    }
    perf.changedAt = null;
  }
}

// ---------------------------------------------------------------- start
function bindTopbar() {
  document.getElementById("scenario").addEventListener("input", async (e) => {
    state.scenario = e.target.value;
    state.years = null;
    await loadScenario(state.scenario);
    changed();
  });
  document.getElementById("years").addEventListener("change", (e) => {
    const y = Number(e.target.value);
    const s = scenarios.find((x) => x.name === state.scenario);
    state.years = Number.isFinite(y) && y > 0 && (!s || y !== s.years) ? y : null;
    changed();
  });
  document.getElementById("draws").addEventListener("change", (e) => {
    state.draws = Math.max(0, Math.round(Number(e.target.value) || 0));
    net.bandsKey = null;
    if (state.draws === 0) document.getElementById("bands-status").textContent = "";
    changed();
  });
  document.getElementById("seed").addEventListener("change", (e) => {
    state.seed = Math.max(0, Math.round(Number(e.target.value) || 0));
    net.bandsKey = null;
    changed();
  });
  document.getElementById("reset").addEventListener("click", () => {
    state.changes = {};
    applyStateToControls();
    changed();
  });
  document.getElementById("share").addEventListener("click", async () => {
    writeHash();
    const status = document.getElementById("share-status");
    try {
      await navigator.clipboard.writeText(location.href);
      status.textContent = "Link copied: it restores this exact state.";
    } catch {
      status.textContent = `Share this link: ${location.href}`;
    }
  });
  document.getElementById("copy-python").addEventListener("click", () =>
    navigator.clipboard.writeText(document.getElementById("python-code").textContent).catch(() => {}));
  window.addEventListener("hashchange", async () => {
    const wanted = readHash();
    if (JSON.stringify(wanted) === JSON.stringify(currentHashState())) return;
    await restore(wanted);
  });
}
function currentHashState() {
  return { scenario: state.scenario, years: state.years,
           changes: Object.fromEntries(Object.entries(state.changes).map(([k, v]) => [k, String(v)])),
           draws: state.draws, seed: state.seed };
}
async function restore(wanted) {
  if (!scenarios.some((s) => s.name === wanted.scenario)) wanted.scenario = "current";
  Object.assign(state, wanted);
  await loadScenario(state.scenario);
  perf.changedAt = performance.now();
  writeHash();
  await send();
}
async function start() {
  buildCharts();
  bindTopbar();
  scenarios = await api("/api/scenarios");
  const select = document.getElementById("scenario");
  for (const s of scenarios) select.append(el("option", { value: s.name, text: s.name }));
  await restore(readHash());
}

window.removalsim = {
  state, perf,
  idle: () => !net.inflight && !net.dirty && perf.renderedKey === JSON.stringify(spec(false)),
  settled: () => window.removalsim.idle() && stale.size === 0,
};
start().catch((error) => showError(error.message));
