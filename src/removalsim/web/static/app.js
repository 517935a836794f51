// removalsim explorer: levers -> POST /api/run -> headline numbers and charts (Plotly.react).
// The whole state (scenario, years, changes, plans, draws, seed) lives in the URL hash: a share
// link. Every label and meaning of an output, stage or group comes from /api/vocabulary, and
// every lever's label and description from /api/params: the page keeps no copy of either.
"use strict";

const MAIN_LEVERS = [
  "arrests.officers", "detention.beds", "courts.judges", "removal.charter_flights_per_day",
  "arrests.jail_cooperation", "arrests.border_diversion", "pathways.expedited_removal",
  "pathways.mandatory_detention",
];
const TARGETING = "Targeting";
const RUN = "#1f5fa8";
const BASE = "#8a8a8a";
const INK = "#333333";
const STATE_KEYS = new Set(["scenario", "years", "draws", "seed", "flat"]);
const PHONE = window.matchMedia("(max-width: 860px)");

const state = { scenario: "current", years: null, changes: {}, flat: new Set(), draws: 0,
                seed: 0 };
let scenarios = [];
let params = {};          // name -> parameter info for the current scenario
let controls = {};        // name -> {set(value), root, hint, plan}
let last = null;          // last rendered answer
const vocab = {};         // kind -> Map(name -> term)
const perf = {
  changedAt: null,        // time of the oldest change not yet on screen
  timings: [],            // ms from a change to its redrawn charts
  parts: [],              // [ms waiting for the API, ms drawing, charts redrawn before the frame]
  asked: 0,               // when the last request left
  rendered: 0,
  renderedKey: null,
  redraws: 0,             // charts actually redrawn (an unchanged figure is not)
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
function change(x, base, f = fmt) {
  if (x === null || base === null || x === undefined || base === undefined) return "–";
  const d = x - base;
  if (Math.abs(d) < 0.5) return "no change";
  const pct = base ? ` (${d > 0 ? "+" : "−"}${Math.abs(100 * d / base).toFixed(1)}%)` : "";
  return `${d > 0 ? "+" : "−"}${f(Math.abs(d))}${pct}`;
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
// Write text only when it differs: an unchanged node costs the next layout nothing.
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
function sameValue(a, b) {
  return typeof a === "number" && typeof b === "number" ? Math.abs(a - b) < 1e-9 : a === b;
}
function month(iso) {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString("en-US",
    { month: "short", year: "numeric", timeZone: "UTC" });
}

// ---------------------------------------------------------------- vocabulary
function term(name, ...kinds) {
  for (const kind of kinds.length ? kinds : Object.keys(vocab)) {
    const t = vocab[kind] && vocab[kind].get(name);
    if (t) return t;
  }
  return null;
}
function words(name, ...kinds) {
  const t = term(name, ...kinds);
  return t ? t.label : name.replaceAll("_", " ");
}
// Code words in labels ("Findability: final_order") read as the vocabulary's words.
function plain(text) {
  return String(text).replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (name) => {
    const label = words(name, "segments", "statuses", "cohorts", "groups", "outputs");
    return label.charAt(0).toLowerCase() + label.slice(1);
  });
}
function labelOf(p) {
  return plain(p.label);
}
function glossed(node, meaning) {
  if (!meaning) return node;
  node.classList.add("term");
  node.title = meaning;
  return node;
}
function buildGlossary() {
  const list = document.getElementById("glossary-list");
  list.replaceChildren();
  for (const kind of ["outputs", "stages", "segments"]) {
    for (const t of (vocab[kind] || new Map()).values()) {
      list.append(el("dt", { text: t.label }), el("dd", { text: `${t.meaning} (${t.unit})` }));
    }
  }
  for (const node of document.querySelectorAll("[data-term]")) {
    const t = term(node.dataset.term, "outputs");
    if (t) node.title = t.meaning;
  }
  for (const node of document.querySelectorAll("[data-note]")) node.title = node.dataset.note;
}

// ---------------------------------------------------------------- URL state (share link)
function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const out = { scenario: q.get("scenario") || "current", years: null, changes: {},
                flat: new Set((q.get("flat") || "").split(",").filter(Boolean)), draws: 0, seed: 0 };
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
  return raw.trim() !== "" && Number.isFinite(x) ? x : raw;
}
function flatNames() {
  return [...state.flat].filter((n) => n in state.changes).sort();
}
function writeHash() {
  const q = new URLSearchParams();
  q.set("scenario", state.scenario);
  if (state.years) q.set("years", String(state.years));
  if (state.draws) { q.set("draws", String(state.draws)); q.set("seed", String(state.seed)); }
  if (flatNames().length) q.set("flat", flatNames().join(","));
  for (const [k, v] of Object.entries(state.changes).sort()) q.set(k, String(v));
  history.replaceState(null, "", "#" + q.toString());
}
function planned(name) {
  const p = params[name];
  return Boolean(p && p.schedule && p.schedule.length > 1 && typeof p.value === "number" &&
                 !p.switch && !p.choices);
}
function spec(withDraws) {
  const s = { scenario: state.scenario, changes: state.changes, marginal: false };
  const scaled = Object.keys(state.changes).filter((n) => planned(n) && !state.flat.has(n));
  if (scaled.length) s.scaled = scaled.sort();
  if (state.years) s.years = state.years;
  if (withDraws && state.draws > 0) { s.draws = state.draws; s.seed = state.seed; }
  return s;
}

// ---------------------------------------------------------------- API and errors
async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch { data = { detail: response.statusText }; }
  if (!response.ok) {
    const items = Array.isArray(data.detail) ? data.detail : [{ loc: [], msg: String(data.detail) }];
    const error = new Error(items.map(readable).join("\n"));
    error.status = response.status;
    error.names = items.flatMap((d) => [...String(d.msg).matchAll(/changes\['([^']+)'\]/g)]
      .map((m) => m[1]));
    error.fields = items.map((d) => String((d.loc || []).slice(-1)[0]));
    throw error;
  }
  return data;
}
// "changes['detention.beds']: value -5.0 is outside the valid range [0.0, 1000000.0] (beds)"
// -> "Detention beds: -5 is outside the valid range 0 to 1,000,000 beds."
function readable(item) {
  let text = String(item.msg);
  let who = "";
  const m = text.match(/^changes\['([^']+)'\]:\s*(.*)$/s);
  if (m) {
    who = params[m[1]] ? labelOf(params[m[1]]) : m[1];
    text = m[2];
  } else if (item.loc && item.loc.length > 1) {
    who = String(item.loc[item.loc.length - 1]);
  }
  text = text.replace(/^value /, "")
    .replace(/\[(-?[\d.]+), (-?[\d.]+)\] \(([^)]+)\)/, (_, a, b, u) => `${fmt(Number(a))} to ${fmt(Number(b))} ${u}`)
    .replace(/-?\d+\.0\b/g, (x) => fmt(Number(x)));
  return who ? `${who}: ${text}` : text;
}
function showError(message) {
  const box = document.getElementById("error");
  box.hidden = !message;
  box.textContent = message
    ? `The model cannot run these settings.\n${message}\nChange that value, or press ↺ next to it (or "Reset all levers") to go back to the scenario.`
    : "";
}
function showNotice(message) {
  const box = document.getElementById("notice");
  box.hidden = !message;
  box.textContent = message || "";
}
// After an error nothing from an earlier answer stays on screen.
function clearResults() {
  last = null;
  const answer = document.getElementById("answer");
  answer.textContent = "No answer for these settings: see the message above.";
  answer.classList.add("empty");
  for (const card of document.querySelectorAll("#headline .card")) {
    card.querySelector(".big").textContent = "–";
    card.querySelector(".sub").replaceChildren();
  }
  document.getElementById("warnings").hidden = true;
  for (const id of Object.keys(charts)) {
    stale.delete(id);
    drawn.delete(id);
    Plotly.purge(`plot-${id}`);
    charts[id].root.hidden = true;
  }
  tables = {};
}

// Latest-only requests: one in flight; a change meanwhile sends the newest state when it returns.
function changed() {
  if (perf.changedAt === null) perf.changedAt = performance.now();
  showNotice("");
  send();        // the request leaves first: the share link is written while the model runs
  writeHash();
}
async function send(repair = false) {
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
    net.inflight = false;
    if (repair && error.status === 422 && state.years && error.fields.includes("years")) {
      showNotice(`This link asked for ${state.years} years, which the model cannot run ` +
                 `(${error.message}). Showing the scenario's own horizon.`);
      state.years = null;
      applyStateToControls();
      writeHash();
      return send(true);
    }
    if (repair && error.status === 422 && Object.keys(state.changes).length) {
      dropBadChanges(error);
      return send(false);
    }
    showError(error.message);
    clearResults();
    perf.changedAt = null;
    perf.renderedKey = key;
  }
  net.inflight = false;
  if (net.dirty) send();           // the server works on the newest state while we draw
  if (data) await render(data, key === JSON.stringify(spec(false)) ? key : null);
  if (data && !net.dirty && !net.inflight && state.draws > 0) sendBands();
}
// A share link the model refuses: run the scenario without the refused values, and say so.
function dropBadChanges(error) {
  const named = error.names.filter((n) => n in state.changes);
  const bad = named.length ? named : Object.keys(state.changes);
  const what = bad.map((n) => `${params[n] ? labelOf(params[n]) : n} = ${fmt(state.changes[n])}`);
  for (const n of bad) delete state.changes[n];
  showNotice(`This link asked for ${what.join(", ")}, which the model cannot use ` +
             `(${error.message.replaceAll("\n", "; ")}). Showing ${state.scenario} without ` +
             `${bad.length > 1 ? "those changes" : "that change"}.`);
  applyStateToControls();
  writeHash();
}
async function sendBands() {
  const body = spec(true);
  const key = JSON.stringify(body);
  if (net.bandsKey === key) return;
  net.bandsKey = key;
  const status = document.getElementById("bands-status");
  status.textContent = `Running ${fmt(state.draws)} draws…`;
  try {
    const data = await api("/api/run", body);
    if (key !== JSON.stringify(spec(true))) return;
    status.textContent = `Bands from ${fmt(data.bands.draws)} draws (seed ${data.bands.seed}).`;
    await render(data, null);
  } catch (error) {
    status.textContent = `No bands: ${error.message}`;
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
  const unit = p.switch || p.choices ? "" : plain(p.unit);
  root.append(el("label", { class: "name term", for: id, title: plain(p.description) },
                 labelOf(p), " ", el("span", { class: "unit", text: unit })));
  const row = el("div", { class: "row" });
  const hint = el("div", { class: "hint" });
  const undo = el("button", { class: "undo", type: "button", title: "Back to the scenario value",
                              "aria-label": `Reset ${labelOf(p)}`, text: "↺" });
  let set;
  if (p.switch) {
    const box = el("input", { type: "checkbox", id });
    const state_ = el("span", { text: "" });
    box.addEventListener("input", () => { state_.textContent = box.checked ? "on" : "off";
                                          update(p.name, box.checked); });
    set = (v) => { box.checked = Boolean(v); state_.textContent = v ? "on" : "off"; };
    row.append(box, state_);
  } else if (p.choices) {
    const select = el("select", { id });
    for (const c of p.choices) select.append(el("option", { value: c, text: plain(c) }));
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
  let plan = null;
  if (planned(p.name)) {
    plan = el("div", { class: "plan" });
    const mode = (value, text) => {
      const input = el("input", { type: "radio", name: `plan-${id}`, value });
      input.addEventListener("input", () => {
        if (value === "flat") state.flat.add(p.name); else state.flat.delete(p.name);
        showHint(p.name);
        if (p.name in state.changes) changed();
      });
      return el("label", {}, input, ` ${text}`);
    };
    plan.append(el("div", { class: "steps" }), mode("scale", "scale the plan"),
                mode("flat", "replace with a flat value"));
    root.append(plan);
  }
  controls[p.name] = { root, set, hint, plan };
  set(p.value);
  showHint(p.name);
  return root;
}
function planSteps(p, factor) {
  return p.schedule.map(([d, v]) => `${fmt(v * factor)} from ${month(d)}`).join(" → ");
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
  const warn = changedNow && last && last.changed.find((r) => r.name === name && r.warning);
  setText(c.hint, warn ? warn.warning : text);
  c.hint.classList.toggle("warn", Boolean(warn));
  if (c.plan) {
    const flat = state.flat.has(name);
    c.plan.querySelector(`input[value=${flat ? "flat" : "scale"}]`).checked = true;
    const value = changedNow ? state.changes[name] : p.value;
    const steps = c.plan.querySelector(".steps");
    if (!changedNow) setText(steps, `The scenario plans: ${planSteps(p, 1)}.`);
    else if (flat) setText(steps, `Flat ${fmt(value)} for the whole run, instead of ${planSteps(p, 1)}.`);
    else setText(steps, `Your plan: ${planSteps(p, p.value ? value / p.value : 1)}.`);
  }
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
  const draws = document.getElementById("draws");
  if (![...draws.options].some((o) => Number(o.value) === state.draws)) {
    draws.append(el("option", { value: String(state.draws), text: `${fmt(state.draws)} draws` }));
  }
  draws.value = String(state.draws);
  document.getElementById("seed").value = state.seed;
}
async function loadScenario(name) {
  const list = await api(`/api/params?scenario=${encodeURIComponent(name)}`);
  params = Object.fromEntries(list.map((p) => [p.name, p]));
  const unknown = [];
  for (const [k, v] of Object.entries(state.changes)) {
    if (!(k in params)) { unknown.push(k); delete state.changes[k]; } else state.changes[k] = typed(k, v);
  }
  buildControls();
  applyStateToControls();
  return unknown;
}

// ---------------------------------------------------------------- results
function setCard(id, big, sub) {
  const card = document.getElementById(id);
  card.hidden = false;
  card.querySelector(".big").textContent = big;
  card.querySelector(".sub").replaceChildren(...sub);
}
function versus(x, base, f = fmt) {
  return ["baseline ", f(base), ": ", el("span", { class: "delta", text: change(x, base, f) })];
}
function targetGroups(t) {
  const all = vocab.segments && t.segments.length >= vocab.segments.size;
  return all ? "" : t.segments.map((s) => `“${words(s, "segments", "statuses", "cohorts")}”`)
    .join(", ");
}
function targetWords(t) {
  const groups = targetGroups(t);
  return `${fmt(t.removals)} removals${t.per_year ? " a year" : ""}` +
         (groups ? ` of people in ${groups}` : "");
}
function stageWords(name) {
  return words(name, "stages");
}
function renderHeadline(data) {
  const h = data.headline;
  const b = data.baseline.headline;
  const pct = data.bands ? data.bands.percentiles : null;
  const range = (k, f = fmt) => pct && pct[k] ? [el("br"), `90% range ${f(pct[k].p5)} to ${f(pct[k].p95)}`] : [];
  setCard("card-removals", fmt(h.removals_per_year),
          [...versus(h.removals_per_year, b.removals_per_year), ...range("removals_per_year")]);
  if (h.target) {
    const yt = (x) => (x === null ? `not within ${fmt(h.years)} years` : `${x.toFixed(1)} years`);
    const chance = data.bands && data.bands.p_target !== null
      ? [el("br"), `chance of reaching it: ${Math.round(100 * data.bands.p_target)}%`] : [];
    setCard("card-target", yt(h.years_to_target),
            [`target: ${targetWords(h.target)}`, el("br"), `baseline: ${yt(b.years_to_target)}`,
             ...chance]);
  } else {
    document.getElementById("card-target").hidden = true;
  }
  const share = h.binding_share[h.binding_stage];
  const stage = term(h.binding_stage, "stages");
  glossed(document.querySelector("#card-binding .big"), stage ? stage.meaning : "");
  setCard("card-binding", stageWords(h.binding_stage),
          [`on ${Math.round(100 * share)}% of days`, el("br"),
           `baseline: ${stageWords(b.binding_stage)} ` +
           `(${Math.round(100 * b.binding_share[b.binding_stage])}%)`]);
  setCard("card-cost", money(h.cost_total_usd),
          [`over ${fmt(h.years)} years, ${h.price_year} dollars; ${money(h.cost_per_removal_usd)} per removal`,
           el("br"), ...versus(h.cost_total_usd, b.cost_total_usd, money),
           ...range("cost_total_usd", money)]);
  const answer = document.getElementById("answer");
  answer.textContent = data.summary;
  answer.classList.remove("empty");
}
function renderChanged(data) {
  const body = document.querySelector("#changed-table tbody");
  body.replaceChildren();
  const scaled = new Set(data.spec.scaled || []);
  for (const r of data.changed) {
    const p = params[r.name];
    const source = el("td");
    if (r.source_title) {
      source.append(r.source_href
        ? el("a", { href: r.source_href, target: "_blank", rel: "noopener", text: r.source_title })
        : `${r.source_title}${r.source_document ? ` (${r.source_document})` : ""}`);
      const about = [r.source_publisher, r.source_published, r.source_tier].filter(Boolean);
      if (about.length) source.append(el("span", { class: "note", text: ` (${about.join(", ")})` }));
    } else {
      source.append(r.reason ? `Assumption: ${r.reason}` : "–");
    }
    const unit = r.unit === "switch" || r.unit === "choice" ? "" : ` ${plain(r.unit)}`;
    const yours = el("td", { class: "num", text: `${fmt(r.value)}${unit}` });
    if (scaled.has(r.name)) yours.append(el("span", { class: "note", text: " (plan scaled)" }));
    if (r.warning) yours.append(el("span", { class: "warn", text: "outside the record" }));
    body.append(el("tr", { "data-name": r.name },
      el("td", {}, p ? labelOf(p) : plain(r.label), el("br"), el("code", { text: r.name })),
      el("td", { class: "num", text: `${fmt(r.baseline_value)}${unit}` }), yours, source));
  }
  document.getElementById("changed-table").hidden = data.changed.length === 0;
  document.getElementById("changed-none").hidden = data.changed.length > 0;
  const warnings = document.getElementById("warnings");
  warnings.replaceChildren(...data.warnings.map((w) => el("p", { text: `⚠ ${plain(w)}` })));
  warnings.hidden = data.warnings.length === 0;
  for (const name of Object.keys(controls)) showHint(name);
  setText(document.getElementById("python-code"), data.python);
  const h = data.headline;
  setText(document.getElementById("versions"),
          `model ${h.model_version} · data ${h.data_version} · scenario ${h.scenario_hash}`);
}

// ---------------------------------------------------------------- charts
// Each chart says when it is meaningful (``when``) and builds its figure from whatever columns
// the API returns; labels and units come from the vocabulary.
const CHARTS = [
  { id: "removals", title: "Removals by fiscal year", term: "removals",
    when: (d) => Boolean(col(d.fiscal_years, "removals")), build: removalsFigure },
  { id: "target", title: "Removals counted toward the target",
    when: (d) => Boolean(d.headline.target && !d.headline.target.per_year &&
                         col(d.weekly, "cumulative_target_removals")),
    build: targetFigure },
  { id: "detention", title: "People in ICE detention, and beds", term: "detained_adp",
    when: (d) => Boolean(col(d.weekly, "detained_adp", "detained")), build: detentionFigure },
  { id: "backlog", title: "Immigration-court cases pending", term: "court_pending",
    when: (d) => Boolean(col(d.weekly, "court_pending", "court_backlog")), build: backlogFigure },
  { id: "binding", title: "What limits removals (share of days)",
    when: (d) => Object.keys(d.headline.binding_share || {}).length > 1, build: bindingFigure },
  { id: "other", title: "Another output by fiscal year",
    when: (d) => otherColumns(d).length > 0, build: otherFigure },
];
const AXIS = { automargin: true, zeroline: true, zerolinecolor: "#bbb", gridcolor: "#eee",
               title: { font: { size: 12 } } };
const LAYOUT = {
  margin: { l: 8, r: 12, t: 8, b: 8 }, font: { size: 12 }, autosize: true,
  legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, font: { size: 11 } },
  hovermode: "x unified", paper_bgcolor: "#fff", plot_bgcolor: "#fff",
};
const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };
const charts = {};        // id -> {root, note, select}
let tables = {};
let otherChoice = null;

function col(table, ...names) {
  for (const n of names) if (table && table.columns[n]) return table.columns[n];
  return null;
}
function axis(text, extra = {}) {
  return { ...AXIS, ...extra, title: { ...AXIS.title, text } };
}
function unitOf(name) {
  const t = term(name, "outputs");
  if (t) return t.unit;
  return name.endsWith("_usd") ? "US dollars" : "";
}
function titleOf(name) {
  if (name.startsWith("cost_") && name.endsWith("_usd")) {
    return `Cost of ${words(name.slice(5, -4), "stages").toLowerCase()}`;
  }
  if (name.startsWith("removals_")) return `Removals: ${words(name.slice(9)).toLowerCase()}`;
  return words(name, "outputs");
}
function buildChart(c) {
  const csv = el("button", { type: "button", "data-download": "csv", text: "CSV" });
  const png = el("button", { type: "button", "data-download": "png", text: "PNG" });
  csv.addEventListener("click", () => downloadCsv(c.id));
  png.addEventListener("click", async () => {
    await drawOne(c.id);
    Plotly.downloadImage(document.getElementById(`plot-${c.id}`),
                         { format: "png", width: 1000, height: 500, filename: `removalsim-${c.id}` });
  });
  const heading = el("h3", { text: c.title });
  const note = el("p", { class: "note" });
  const root = el("div", { class: "chart", id: `chart-${c.id}`, hidden: "" }, heading);
  let select = null;
  if (c.id === "other") {
    select = el("select", { "aria-label": "Output to chart" });
    select.addEventListener("input", () => {
      otherChoice = select.value;
      if (!last) return;
      const figure = otherFigure(last);
      tables.other = figure.table;
      charts.other.note.textContent = figure.note;
      stale.set("other", figure);
      drawOne("other");
    });
    root.append(select);
  }
  root.append(el("div", { class: "plot", id: `plot-${c.id}` }),
              el("div", { class: "foot" }, note, el("div", { class: "downloads" }, csv, png)));
  charts[c.id] = { root, note, select, heading };
  if (watcher) watcher.observe(root);
  return root;
}
function buildCharts() {
  document.getElementById("charts").replaceChildren(...CHARTS.map(buildChart));
  for (const c of CHARTS) {
    const t = c.term && term(c.term, "outputs");
    if (t) glossed(charts[c.id].heading, t.meaning);
  }
}
function names(h) {
  return { run: `${h.scenario} with your changes`, base: `${h.scenario} (baseline)` };
}
// Part-years (a run that starts or ends inside a fiscal year) are hatched and explained.
function partYears(fy) {
  const days = fy.columns.days || fy.index.map(() => 365);
  return days.map((d) => d < 365);
}
function partNote(fy, asRate) {
  const days = fy.columns.days || [];
  const parts = fy.index.map((y, i) => [y, days[i]]).filter(([, d]) => d < 365);
  if (!parts.length) return "";
  const which = parts.map(([y, d]) => `FY${y} (${d} days)`).join(" and ");
  return `Hatched: part year${parts.length > 1 ? "s" : ""} of the run, ${which}` +
         (asRate ? ", drawn at the same yearly rate." : ": counts for those days only.");
}
function barsOf(fy, values, name, color, parts, rate) {
  const days = fy.columns.days || fy.index.map(() => 365);
  const y = values.map((v, i) => (v === null ? null : rate && parts[i] ? v * 365 / days[i] : v));
  return {
    type: "bar", x: fy.index.map(String), y, name,
    marker: parts.some(Boolean)   // a hatch pattern costs every redraw: only when it shows
      ? { color, pattern: { shape: parts.map((p) => (p ? "/" : "")), fgcolor: "#fff",
                            fillmode: "overlay", solidity: 0.4 } }
      : { color },
    customdata: values.map((v, i) => (parts[i]
      ? `part year, ${days[i]} days: ${fmt(v)}${rate ? ", at a yearly rate" : ""}` : "")),
    hovertemplate: "%{y:,.0f} %{customdata}<extra>%{fullData.name}</extra>",
  };
}
function targetLine(y, text) {
  return {
    shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
               line: { color: INK, dash: "dash", width: 1.5 } }],
    annotations: [{ xref: "paper", x: 0.01, y, xanchor: "left", yanchor: "bottom", text,
                    showarrow: false, font: { size: 11, color: INK }, bgcolor: "rgba(255,255,255,0.8)" }],
  };
}
function removalsFigure(data) {
  const fy = data.fiscal_years;
  const bfy = data.baseline.fiscal_years;
  const h = data.headline;
  const who = names(h);
  const parts = partYears(fy);
  const traces = [barsOf(bfy, col(bfy, "removals"), who.base, BASE, parts, true),
                  barsOf(fy, col(fy, "removals"), who.run, RUN, parts, true)];
  const table = { columns: ["fiscal_year", "days", "baseline_removals", "removals"],
    rows: fy.index.map((y, i) => [y, fy.columns.days[i], bfy.columns.removals[i], fy.columns.removals[i]]) };
  const fan = data.bands && data.bands.fan.removals;
  if (fan) {
    const days = fy.columns.days;
    const k = (i) => (parts[i] ? 365 / days[i] : 1);
    const y = traces[1].y;
    traces[1].error_y = { type: "data", symmetric: false, color: "#0b2e59",
      array: fan.p95.map((p, i) => Math.max(0, p * k(i) - y[i])),
      arrayminus: fan.p5.map((p, i) => Math.max(0, y[i] - p * k(i))) };
    table.columns.push("p5", "p50", "p95");
    table.rows.forEach((r, i) => r.push(fan.p5[i], fan.p50[i], fan.p95[i]));
  }
  const line = h.target && h.target.per_year
    ? targetLine(h.target.removals, `Target: ${targetWords(h.target)}`) : {};
  return {
    traces, table, note: partNote(fy, true),
    layout: { barmode: "group", ...line, xaxis: axis("Fiscal year (October to September)", { type: "category" }),
              yaxis: axis("Removals in the year", { rangemode: "tozero" }) },
  };
}
function weeklyLines(data, column, label) {
  const w = data.weekly;
  const bw = data.baseline.weekly;
  const who = names(data.headline);
  return [line(weekTimes(bw.index), bw.columns[column], label ? `${label}, baseline` : who.base, BASE),
          line(weekTimes(w.index), w.columns[column], label ? `${label}, your run` : who.run, RUN)];
}
function targetFigure(data) {
  const h = data.headline;
  const w = data.weekly;
  const bw = data.baseline.weekly;
  const column = "cumulative_target_removals";
  return {
    traces: weeklyLines(data, column),
    table: weeklyTable(w, bw, column),
    note: `Counts the removals the target counts${targetGroups(h.target) ? ` (people in ${targetGroups(h.target)})` : ""}, from ${month(h.start)}.`,
    layout: { ...targetLine(h.target.removals, `Target: ${fmt(h.target.removals)}`),
              xaxis: axis("Date", { type: "date" }), yaxis: axis("Removals to date (cumulative)", { rangemode: "tozero" }) },
  };
}
function detentionFigure(data) {
  const w = data.weekly;
  const bw = data.baseline.weekly;
  const detained = w.columns.detained_adp ? "detained_adp" : "detained";
  const traces = weeklyLines(data, detained, "In detention");
  if (w.columns.beds) {
    const beds = weeklyLines(data, "beds", "Beds");
    for (const t of beds) t.line.dash = "dot";
    traces.push(...beds);
  }
  const table = { columns: ["week_start", `baseline_${detained}`, detained],
                  rows: w.index.map((d, i) => [d, bw.columns[detained][i], w.columns[detained][i]]) };
  if (w.columns.beds) {
    table.columns.push("baseline_beds", "beds");
    table.rows.forEach((r, i) => r.push(bw.columns.beds[i], w.columns.beds[i]));
  }
  return { traces, table, note: "Weekly averages of the daily count.",
           layout: { xaxis: axis("Date", { type: "date" }), yaxis: axis("People (weekly average)", { rangemode: "tozero" }) } };
}
function backlogFigure(data) {
  const column = data.weekly.columns.court_pending ? "court_pending" : "court_backlog";
  return {
    traces: weeklyLines(data, column), table: weeklyTable(data.weekly, data.baseline.weekly, column),
    note: "Cases pending before immigration judges (detained and not) and on appeal, end of each week.",
    layout: { xaxis: axis("Date", { type: "date" }), yaxis: axis("Cases pending", { rangemode: "tozero" }) },
  };
}
function bindingFigure(data) {
  const h = data.headline;
  const b = data.baseline.headline;
  const who = names(h);
  const stages = Object.keys(h.binding_share);
  const labels = stages.map(stageWords);
  const bar = (x, name, color) => ({ type: "bar", orientation: "h", y: labels, x, name,
    marker: { color }, hovertemplate: "%{x:.0%}<extra>%{fullData.name}</extra>" });
  return {
    traces: [bar(stages.map((s) => b.binding_share[s]), who.base, BASE),
             bar(stages.map((s) => h.binding_share[s]), who.run, RUN)],
    table: { columns: ["stage", "baseline_share_of_days", "share_of_days"],
             rows: stages.map((s) => [s, b.binding_share[s], h.binding_share[s]]) },
    note: "The stage that stops more removals on a day limits the flow that day.",
    layout: { barmode: "group", hovermode: "closest",
              xaxis: axis("Share of days", { tickformat: ".0%", range: [0, 1] }),
              yaxis: axis("Stage of the pipeline", { autorange: "reversed" }) },
  };
}
const CHARTED = new Set(["days", "removals", "detained_adp", "detained", "beds", "court_pending",
                         "court_backlog_end"]);
function otherColumns(data) {
  return Object.keys(data.fiscal_years.columns).filter((c) => !CHARTED.has(c));
}
function otherFigure(data) {
  const options = otherColumns(data);
  const select = charts.other.select;
  if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i])) {
    select.replaceChildren(...options.map((c) => el("option", { value: c, text: titleOf(c) })));
  }
  const name = options.includes(otherChoice) ? otherChoice : (options.includes("arrests") ? "arrests" : options[0]);
  select.value = name;
  const fy = data.fiscal_years;
  const bfy = data.baseline.fiscal_years;
  const who = names(data.headline);
  const parts = partYears(fy);
  const unit = unitOf(name);
  const t = term(name, "outputs");
  return {
    traces: [barsOf(bfy, bfy.columns[name], who.base, BASE, parts, false),
             barsOf(fy, fy.columns[name], who.run, RUN, parts, false)],
    table: { columns: ["fiscal_year", "days", `baseline_${name}`, name],
             rows: fy.index.map((y, i) => [y, fy.columns.days[i], bfy.columns[name][i], fy.columns[name][i]]) },
    note: [t ? t.meaning : "", partNote(fy, false)].filter(Boolean).join(" "),
    layout: { barmode: "group", xaxis: axis("Fiscal year (October to September)", { type: "category" }),
              yaxis: axis(unit ? `${titleOf(name)} (${unit})` : titleOf(name), { rangemode: "tozero" }) },
  };
}
// Week starts as milliseconds since 1970 (UTC), the numbers a date axis draws from: Plotly need
// not parse thousands of date strings on every redraw. One array per run of weeks, shared.
const weekStarts = new Map();
function weekTimes(index) {
  const key = `${index[0]}|${index.length}`;
  if (!weekStarts.has(key)) {
    if (weekStarts.size > 16) weekStarts.clear();
    weekStarts.set(key, index.map((d) => Date.parse(`${d}T00:00:00Z`)));
  }
  return weekStarts.get(key);
}
function line(x, y, name, color) {
  return { type: "scatter", mode: "lines", x, y, name, line: { color, width: 2, dash: "solid" },
           hovertemplate: "%{y:,.0f}<extra>%{fullData.name}</extra>" };
}
function weeklyTable(w, bw, column) {
  return { columns: ["week_start", `baseline_${column}`, column],
           rows: w.index.map((d, i) => [d, bw.columns[column][i], w.columns[column][i]]) };
}
// Charts on screen are redrawn at once; the others one per task once that frame is drawn (so a
// newer answer waits for one chart at most), or when scrolled into view.
const visible = new Set();
const stale = new Map();   // chart id -> its pending figure
let staleTimer = null;
const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
  for (const e of entries) {
    const id = e.target.id.replace("chart-", "");
    if (e.isIntersecting) { visible.add(id); drawOne(id); } else visible.delete(id);
  }
}) : null;
const drawn = new Map();   // chart id -> fingerprint of the figure on screen
// A cheap fingerprint of a figure (no large strings: a slider move should make little garbage).
function fingerprint(figure) {
  let h = 0;
  const mix = (x) => { h = (Math.imul(h ^ (typeof x === "number" ? x * 1000 : String(x).length), 16777619) + 1) | 0; };
  for (const t of figure.traces) {
    for (const key of ["x", "y"]) for (const v of t[key] || []) mix(v);
    if (t.error_y) for (const v of [...t.error_y.array, ...t.error_y.arrayminus]) mix(v);
    mix(t.name);
  }
  return `${h}|${JSON.stringify(figure.layout)}|${PHONE.matches}`;
}
function drawOne(id) {
  const figure = stale.get(id);
  if (!figure) return Promise.resolve();
  stale.delete(id);
  const signature = fingerprint(figure);
  if (drawn.get(id) === signature) return Promise.resolve();   // same figure: nothing to redraw
  drawn.set(id, signature);
  perf.redraws += 1;
  const phone = PHONE.matches;
  const layout = { ...LAYOUT, ...figure.layout,
                   legend: { ...LAYOUT.legend, font: { size: phone ? 10 : 11 } } };
  return Plotly.react(`plot-${id}`, figure.traces, layout, CONFIG);
}
function drawCharts(data) {
  tables = {};
  clearTimeout(staleTimer);
  const shown = [];
  let moved = false;       // a chart appeared or went: the observer has not seen where the rest are
  for (const c of CHARTS) {
    const on = c.when(data);
    moved ||= charts[c.id].root.hidden === on;
    charts[c.id].root.hidden = !on;
    if (!on) { stale.delete(c.id); continue; }
    const figure = c.build(data);
    tables[c.id] = figure.table;
    setText(charts[c.id].note, figure.note || "");
    stale.set(c.id, figure);
    shown.push(c);
  }
  if (moved) {
    for (const c of shown) {
      const box = charts[c.id].root.getBoundingClientRect();
      if (box.bottom > 0 && box.top < window.innerHeight) visible.add(c.id);
      else visible.delete(c.id);
    }
  }
  const now = watcher ? shown.filter((c) => visible.has(c.id)) : shown;
  return Promise.all(now.map((c) => drawOne(c.id)));
}
function drawLater() {
  clearTimeout(staleTimer);
  if (stale.size) staleTimer = setTimeout(() => { drawOne(stale.keys().next().value); drawLater(); });
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
  const redraws = perf.redraws;
  await drawCharts(data);
  const onScreen = perf.redraws - redraws;
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  drawLater();
  perf.rendered += 1;
  if (key !== null) {
    perf.renderedKey = key;
    if (perf.changedAt !== null) {
      perf.timings.push(performance.now() - perf.changedAt);
      perf.parts.push([waited, performance.now() - began, onScreen]);
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
  document.getElementById("draws").addEventListener("input", (e) => {
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
    state.flat.clear();
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
  const drawer = (open) => document.body.classList.toggle("drawer-open", open);
  document.getElementById("levers-open").addEventListener("click", () => drawer(true));
  document.getElementById("levers-close").addEventListener("click", () => drawer(false));
  window.addEventListener("hashchange", async () => {
    const wanted = readHash();
    if (JSON.stringify(hashState(wanted)) === JSON.stringify(hashState(state))) return;
    await restore(wanted);
  });
}
function hashState(s) {
  return { scenario: s.scenario, years: s.years, flat: [...s.flat].sort(),
           changes: Object.fromEntries(Object.entries(s.changes).map(([k, v]) => [k, String(v)])),
           draws: s.draws, seed: s.seed };
}
async function restore(wanted) {
  const notes = [];
  if (!scenarios.some((s) => s.name === wanted.scenario)) {
    notes.push(`There is no scenario called "${wanted.scenario}"; showing "current".`);
    wanted.scenario = "current";
  }
  Object.assign(state, wanted);
  const unknown = await loadScenario(state.scenario);
  if (unknown.length) notes.push(`This link names settings the model does not have (${unknown.join(", ")}); they are left out.`);
  showNotice(notes.join("\n"));
  perf.changedAt = performance.now();
  writeHash();
  await send(true);
}
async function start() {
  buildCharts();
  bindTopbar();
  const [kinds, list] = await Promise.all([api("/api/vocabulary"), api("/api/scenarios")]);
  for (const [kind, terms] of Object.entries(kinds)) vocab[kind] = new Map(terms.map((t) => [t.name, t]));
  buildGlossary();
  scenarios = list;
  const select = document.getElementById("scenario");
  for (const s of scenarios) select.append(el("option", { value: s.name, text: s.name, title: s.description }));
  await restore(readHash());
}

window.removalsim = {
  state, perf,
  idle: () => !net.inflight && !net.dirty && perf.renderedKey === JSON.stringify(spec(false)),
  settled: () => window.removalsim.idle() && stale.size === 0,
};
start().catch((error) => { showError(error.message); clearResults(); });
