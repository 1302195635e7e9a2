// fieldsolver's calculator page: builds the form from the server's catalogue, previews the
// cross-section as one types (no solve), runs solves and goal seeks as jobs and shows their
// results. Everything is computed by the server; this file only moves values around.
"use strict";

const CAT = JSON.parse(document.getElementById("catalogue").textContent);
const UNITS = { mm: 1e-3, um: 1e-6, mil: 25.4e-6, in: 25.4e-3 };
const CLIENT = Math.random().toString(36).slice(2) + Date.now().toString(36);
const $ = (id) => document.getElementById(id);
const HINTS = {
  w: "trace width (at the base)", w_top: "top width (etched)", s: "gap between the traces", h: "substrate height",
  t: "copper thickness", er: "relative permittivity", h2: "cover above the trace top", h1: "plane to trace base",
  hs: "core between the traces", offset: "sideways shift", er1: "er of the core", er2: "er of the cover / prepreg",
  er_s: "er of the core", g: "gap to the coplanar grounds", gw: "coplanar ground width (blank: infinite)",
  backed: "ground plane below", c1: "mask over the substrate", c2: "mask over the copper", c3: "mask in the gap",
  mask_er: "er of the mask", d: "wire diameter", D: "outer diameter / spacing", d_ins: "insulation diameter",
  er_fill: "er of the fill", tg: "ground plane thickness", tand: "loss tangent", material: "library dielectric",
  f_ref: "frequency of er and tand", dispersion: "dielectric model", sigma: "conductivity (S/m)", metal: "library metal",
  rough: "roughness (rms or radius)", rough_model: "roughness model", rough_ratio: "Huray surface ratio",
};
const GROUPS = ["geometry", "mask", "materials", "roughness"];
let mode = "template";
let units = "mm";
let job = null; // the solve being watched
let seekJob = null;
let checkJob = null;
let previewTimer = null;
let previewSeq = 0;
let solvedSource = null; // the line the results are of

function template() { return CAT.templates.find((t) => t.name === $("template").value); }

function fmt(v, digits = 4) { return Number(v.toPrecision(digits)).toString(); }

// ------------------------------------------------------------------------------ the form
function buildForm() {
  const t = template();
  $("template-doc").textContent = t.doc;
  for (const g of GROUPS) $("params-" + g).replaceChildren();
  const scale = UNITS[t.units] / UNITS[units];
  for (const p of t.params) {
    const row = document.createElement("div");
    row.className = "row param";
    const label = document.createElement("label");
    label.textContent = p.name;
    label.htmlFor = "p-" + p.name;
    let input;
    if (p.kind === "bool") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = p.start === true || (p.start === null && p.default === true);
    } else if (["material", "metal", "dispersion", "rough_model"].includes(p.kind)) {
      input = document.createElement("select");
      const names = { material: CAT.dielectrics.map((d) => d.name), metal: CAT.metals.map((m) => m.name),
        dispersion: CAT.dispersions, rough_model: CAT.rough_models }[p.kind];
      input.append(new Option(p.default ? `(${p.default})` : "(none)", ""));
      for (const n of names) input.append(new Option(n, n));
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      if (p.start !== null && p.start !== undefined) {
        input.value = p.length ? fmt(p.start * scale) : String(p.start);
      }
      input.placeholder = p.like ? `= ${p.like}` : p.default !== null && p.default !== undefined ? String(p.default)
        : p.kind === "er" ? "or a material" : p.optional ? "" : "required";
    }
    input.id = "p-" + p.name;
    input.dataset.param = p.name;
    input.dataset.length = p.length ? "1" : "";
    const unit = document.createElement("span");
    unit.className = "unit";
    unit.textContent = p.length ? units : "";
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = HINTS[p.name] || "";
    row.append(label, input, unit, what);
    $("params-" + p.group).append(row);
  }
  const has = (k) => t.params.some((p) => p.name === k);
  $("group-mask").hidden = !has("c1");
  $("fab-mask").hidden = !has("c1");
  $("fab-etch").hidden = !has("w_top");
  $("fab-oz").hidden = !has("t");
  $("fab").hidden = !has("t");
  $("mask").checked = false;
  $("etch").value = "";
  $("oz").value = "";
  schedulePreview(0);
}

function paramInputs() { return Array.from(document.querySelectorAll("[data-param]")); }

function formParams() {
  const out = {};
  for (const el of paramInputs()) {
    if (el.type === "checkbox") out[el.dataset.param] = el.checked;
    else if (el.value.trim() !== "") out[el.dataset.param] = el.value.trim();
  }
  return out;
}

function source() {
  if (mode === "yaml") return { yaml: $("yaml").value };
  return { template: $("template").value, units, params: formParams() };
}

function setParam(name, value) {
  const el = $("p-" + name);
  if (el) el.value = value;
}

function changeUnits() {
  const next = $("units").value;
  for (const el of paramInputs()) {
    if (!el.dataset.length || el.value.trim() === "" || !isFinite(Number(el.value))) continue;
    // the length as typed, in metres: switching units back and forth gives back what was typed
    const metres = el.dataset.shown === el.value ? Number(el.dataset.metres) : Number(el.value) * UNITS[units];
    el.value = fmt(metres / UNITS[next], 6);
    el.dataset.metres = String(metres);
    el.dataset.shown = el.value;
  }
  units = next;
  document.querySelectorAll(".param .unit").forEach((u) => { if (u.textContent) u.textContent = units; });
  schedulePreview(0);
}

// fabrication helpers: they only fill in the template's own parameters
function applyFab(e) {
  const len = (mm) => fmt(mm * 1e-3 / UNITS[units], 6);
  if (e && e.target.id === "oz" && $("oz").value) setParam("t", len(0.035 * Number($("oz").value)));
  if (e && e.target.id === "mask") {
    setParam("c1", $("mask").checked ? len(0.02) : "");
    setParam("c2", $("mask").checked ? len(0.015) : "");
  }
  const etch = Number($("etch").value);
  if ($("etch").value.trim() !== "" && etch > 0) {
    const w = Number($("p-w").value), t = Number($("p-t").value);
    if (w > 0 && t > 0) setParam("w_top", fmt(w - 2 * t / etch, 6));
  } else if (e && e.target.id === "etch") {
    setParam("w_top", "");
  }
  schedulePreview(0);
}

// ------------------------------------------------------------------------------ requests
async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (_) { data = { error: `the server answered ${r.status}` }; }
  return { ok: r.ok, data };
}

function showError(data) {
  const box = $("error");
  if (!data) { box.hidden = true; box.textContent = ""; markLine(null); $("preview-box").classList.remove("stale"); return; }
  box.hidden = false;
  box.textContent = data.error;
  $("preview-box").classList.add("stale"); // the drawing is of the last valid line
  markLine(data.line || null);
  for (const el of paramInputs()) {
    const bad = new RegExp(`^calc: ${el.dataset.param}:`).test(data.error);
    el.classList.toggle("bad", bad);
  }
}

// ------------------------------------------------------------------------------ preview
function schedulePreview(delay = 250) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

async function runPreview() {
  const seq = ++previewSeq;
  const { ok, data } = await post("/api/preview", source());
  if (seq !== previewSeq) return; // a newer preview is on its way
  if (!ok) { showError(data); return; }
  showError(null);
  paramInputs().forEach((el) => el.classList.remove("bad"));
  $("preview").innerHTML = data.svg;
  $("legend").replaceChildren(...data.legend.map((e) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.style.background = e.colour;
    li.append(sw, e.label);
    return li;
  }));
  fillSeek(data.values, data.vary);
  const changed = solvedSource !== null && solvedSource !== JSON.stringify(source());
  $("results").classList.toggle("stale", changed);
  $("stale-note").hidden = !changed;
}

// ------------------------------------------------------------------------------ YAML editor
function gutter() {
  const n = $("yaml").value.split("\n").length;
  const bad = Number($("gutter").dataset.bad || 0);
  $("gutter").innerHTML = Array.from({ length: n }, (_, i) =>
    `<span${i + 1 === bad ? ' class="bad"' : ""}>${i + 1}</span>`).join("");
  $("gutter").scrollTop = $("yaml").scrollTop;
}

function markLine(line) {
  $("gutter").dataset.bad = line || "";
  gutter();
}

async function loadExample() {
  const name = $("example").value;
  if (!name) return;
  const r = await fetch("/api/examples/" + encodeURIComponent(name));
  if (r.ok) { $("yaml").value = await r.text(); gutter(); schedulePreview(0); }
}

async function switchTab(to) {
  if (to === "yaml" && mode === "template" && $("yaml").value.trim() === "") {
    // start the YAML from the line on the form, so that it can be edited beyond the template
    const { ok, data } = await post("/api/yaml", source());
    if (ok) $("yaml").value = data.text;
  }
  mode = to;
  $("tab-template").setAttribute("aria-selected", String(to === "template"));
  $("tab-yaml").setAttribute("aria-selected", String(to === "yaml"));
  $("pane-template").hidden = to !== "template";
  $("pane-yaml").hidden = to !== "yaml";
  document.querySelector("main").classList.toggle("wide-inputs", to === "yaml");
  gutter();
  schedulePreview(0);
}

// ------------------------------------------------------------------------------ solve
function solveRequest() {
  return { ...source(), client: CLIENT, tol: $("tol").value, freq: $("freq").value, length: $("length").value,
    z_ref: $("zref").value, svg: $("svg").checked };
}

async function solve() {
  const asked = JSON.stringify(source());
  const { ok, data } = await post("/api/solve", solveRequest());
  if (!ok) { showError(data); $("status").textContent = ""; return; }
  showError(null);
  job = data.id;
  solvedSource = asked;
  $("cancel").disabled = false;
  $("status").textContent = "queued...";
  watch(data.id, "solve");
}

function progressText(p, kind) {
  if (kind === "check" && p.levels === undefined) return "checking: solving the first grids...";
  if (kind === "seek") {
    if (p.evaluations === undefined) return "seeking: first solve...";
    const at = Object.entries(p.params).map(([k, v]) => `${k} = ${fmt(v)}`).join(", ");
    const got = Object.entries(p.values).map(([k, v]) => `${k} = ${v === null ? "failed" : fmt(v)}`).join(", ");
    return `seeking: solve ${p.evaluations}: ${at} gives ${got}`;
  }
  if (p.stage === "plots") return "solved; drawing the plots...";
  if (p.stage === "loss") return `statics solved; now R, L, G, C at ${p.frequencies} frequencies (the loss solve takes longest)...`;
  if (p.levels === undefined) return "solving the first grids...";
  return `refining: grid ${p.levels}, ${p.nodes.toLocaleString()} nodes, estimated error ${fmt(100 * p.error, 2)} % ` +
    `(target ${fmt(100 * p.tol, 2)} %)`;
}

let shownPartial = false; // the numbers of the solve being watched are shown (its plots are coming)

async function watch(id, kind) {
  if (kind === "solve") shownPartial = false;
  const status = { seek: $("seek-status"), check: $("check-status") }[kind] || $("status");
  const current = () => ({ solve: job, seek: seekJob, check: checkJob })[kind];
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if (current() !== id) return; // superseded
    const r = await fetch("/api/jobs/" + id);
    const data = await r.json();
    if (!r.ok) { status.textContent = data.error; return; }
    if (data.state === "queued") status.textContent = "waiting for a free solver...";
    else if (data.state === "running") {
      status.textContent = progressText(data.progress, kind) + ` (${data.seconds.toFixed(0)} s)`;
      if (kind === "solve" && data.result && !shownPartial) { shownPartial = true; showResult(data); }
    }
    else {
      if (kind === "solve") { $("cancel").disabled = true; job = null; }
      if (data.state === "done") {
        status.textContent = kind === "solve" ? `solved in ${data.seconds.toFixed(1)} s` : "";
        ({ solve: showResult, seek: showSeek, check: showCheck })[kind](data);
      } else {
        status.textContent = "";
        if (data.state !== "cancelled" || kind !== "solve") showError({ error: data.error });
        else status.textContent = data.error;
      }
      return;
    }
  }
}

async function cancel() {
  if (!job) return;
  await post(`/api/jobs/${job}/cancel`, {});
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function showResult(data) {
  const r = data.result;
  $("results").hidden = false;
  $("results").classList.remove("stale");
  $("stale-note").hidden = true;
  $("results-title").textContent = r.title;
  const a = r.accuracy;
  $("accuracy").textContent = a === null ? "one grid, no error estimate"
    : `${a.converged ? "converged" : "NOT converged"} to ${fmt(100 * a.tol, 2)} % on ${a.nodes.length} grids ` +
      `(${a.nodes[0].toLocaleString()} to ${a.nodes[a.nodes.length - 1].toLocaleString()} nodes); ` +
      "the error bar is the estimated error (grid and open boundary)";
  const body = $("values").tBodies[0];
  body.replaceChildren(...r.rows.map((row) => {
    const tr = document.createElement("tr");
    if (row.headline) tr.className = "headline";
    const d = row.digits || 3;
    const v = row.value === null ? "undefined" : row.value.toFixed(d);
    const bar = row.value === null || row.rel === null || row.rel === undefined ? ""
      : `± ${fmt(Math.abs(row.value) * row.rel, 2)} (${fmt(100 * row.rel, 2)} %)`;
    tr.append(cell(row.label), cell(v), cell(bar), cell(row.unit));
    tr.dataset.key = row.key;
    return tr;
  }));
  $("definitions").replaceChildren(...r.definitions.map((s) => { const li = document.createElement("li"); li.textContent = s; return li; }));
  $("notes").replaceChildren(...r.notes.map((s) => { const li = document.createElement("li"); li.textContent = "note: " + s; return li; }));
  $("report").textContent = r.report;
  const files = data.files || [];
  $("downloads").replaceChildren("download: ", ...files.map((f) => {
    const link = document.createElement("a");
    link.href = `/api/jobs/${data.id}/files/${encodeURIComponent(f)}`;
    link.textContent = f;
    link.download = f;
    return link;
  }));
  $("plots").replaceChildren(...files.filter((f) => f.endsWith(".png")).map((f) => {
    const img = document.createElement("img");
    img.src = `/api/jobs/${data.id}/files/${encodeURIComponent(f)}?inline=1`;
    img.alt = f;
    return img;
  }));
}

async function downloadYaml() {
  const { ok, data } = await post("/api/yaml", source());
  if (!ok) { showError(data); return; }
  const blob = new Blob([data.text], { type: "application/yaml" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = data.name;
  document.body.append(link);
  link.click();
  link.remove();
}

// ------------------------------------------------------------------------------ goal seek
function fillSeek(keys, vary) {
  const targets = keys.filter((k) => k.startsWith("z"));
  const keep = (sel, list, blank) => {
    const was = sel.value;
    sel.replaceChildren(...(blank ? [new Option(blank, "")] : []), ...list.map((k) => new Option(CAT.labels[k] || k, k)));
    if (list.includes(was)) sel.value = was;
  };
  keep($("claim1"), keys, null);
  keep($("claim2"), keys, "(nothing else)");
  if ($("claim1").dataset.keys !== keys.join()) {
    $("claim1").dataset.keys = keys.join();
    $("claim1").value = targets.includes("z_diff") ? "z_diff" : targets[0];
  }
  keep($("target1"), targets, null);
  keep($("target2"), targets, "(nothing else)");
  keep($("vary1"), vary, vary.length ? null : "(none: give the file parameters:)");
  keep($("vary2"), vary, " ");
  $("seek-run").disabled = !vary.length;
  for (const id of ["vary1", "vary2"]) Array.from($(id).options).forEach((o) => { if (o.value) o.textContent = o.value; });
  if ($("target1").dataset.keys !== targets.join()) { // another kind of line: its usual targets
    $("target1").dataset.keys = targets.join();
    const pair = targets.includes("z_diff");
    $("target1").value = pair ? "z_diff" : targets.includes("z0") ? "z0" : targets[0];
    $("value1").value = pair ? "90" : "50";
    if (vary.includes("w")) $("vary1").value = "w";
  }
}

async function seek() {
  const body = { ...source(), client: CLIENT, tol: $("tol").value, target1: $("target1").value, value1: $("value1").value,
    vary1: $("vary1").value, target2: $("target2").value, value2: $("value2").value, vary2: $("vary2").value };
  $("seek-result").replaceChildren();
  const { ok, data } = await post("/api/seek", body);
  if (!ok) { showError(data); return; }
  showError(null);
  seekJob = data.id;
  $("seek-status").textContent = "queued...";
  watch(data.id, "seek");
}

function showSeek(data) {
  const r = data.result;
  const p = document.createElement("p");
  p.textContent = r.message + ` (${r.evaluations} solves)`;
  const table = document.createElement("table");
  const names = r.history.length ? Object.keys(r.history[0]) : [];
  const head = document.createElement("tr");
  names.forEach((n) => { const th = document.createElement("th"); th.textContent = n; head.append(th); });
  table.append(head, ...r.history.map((h) => {
    const tr = document.createElement("tr");
    names.forEach((n) => tr.append(cell(h[n] === null || h[n] === undefined ? "failed" : fmt(h[n], 5))));
    return tr;
  }));
  $("seek-result").replaceChildren(p, table);
  if (mode === "template") {
    for (const [k, v] of Object.entries(r.params)) setParam(k, fmt(v, 5));
    schedulePreview(0);
  }
}

// ------------------------------------------------------------------------------ check a calculator
async function runCheck() {
  const body = { ...source(), client: CLIENT, tol: $("tol").value, claim1: $("claim1").value, claimed1: $("claimed1").value,
    claim2: $("claim2").value, claimed2: $("claimed2").value };
  $("check-result").replaceChildren();
  const { ok, data } = await post("/api/check", body);
  if (!ok) { showError(data); return; }
  showError(null);
  checkJob = data.id;
  $("check-status").textContent = "queued...";
  watch(data.id, "check");
}

function showCheck(data) {
  const r = data.result;
  const out = [];
  for (const c of r.claims) {
    const p = document.createElement("p");
    p.className = c.verdict === "agrees" ? "agrees" : "disagrees";
    p.textContent = c.message;
    out.push(p);
    for (const t of c.traps) { const q = document.createElement("p"); q.className = "trap"; q.textContent = t; out.push(q); }
  }
  if (r.formulas.length) {
    const table = document.createElement("table");
    table.className = "forms";
    const head = document.createElement("tr");
    for (const h of ["closed form", "quantity", "value", "vs field", "stated accuracy", "in its range"]) {
      const th = document.createElement("th"); th.textContent = h; head.append(th);
    }
    table.append(head, ...r.formulas.map((f) => {
      const tr = document.createElement("tr");
      tr.append(cell(f.name), cell(CAT.labels[f.quantity] || f.quantity), cell(fmt(f.value, 5)),
        cell(`${f.deviation >= 0 ? "+" : ""}${fmt(100 * f.deviation, 3)} %`),
        cell(f.stated_accuracy === null ? "" : `${fmt(100 * f.stated_accuracy, 2)} %`), cell(f.in_range ? "yes" : "no"));
      if (f.matches_claim) tr.className = "match";
      tr.title = [f.accuracy_note, f.range_note].filter(Boolean).join("; ");
      return tr;
    }));
    out.push(table);
  } else {
    const p = document.createElement("p"); p.className = "hint"; p.textContent = "No closed form describes this structure."; out.push(p);
  }
  $("check-result").replaceChildren(...out);
  $("check-box").hidden = false;
  $("check-box").scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------------------ start
$("template").addEventListener("change", buildForm);
$("units").addEventListener("change", changeUnits);
for (const g of GROUPS) $("params-" + g).addEventListener("input", () => { if ($("etch").value) applyFab(); else schedulePreview(); });
for (const id of ["oz", "etch", "mask"]) $(id).addEventListener(id === "etch" ? "input" : "change", applyFab);
$("yaml").addEventListener("input", () => { gutter(); schedulePreview(400); });
$("yaml").addEventListener("scroll", () => { $("gutter").scrollTop = $("yaml").scrollTop; });
$("example").addEventListener("change", loadExample);
$("tab-template").addEventListener("click", () => switchTab("template"));
$("tab-yaml").addEventListener("click", () => switchTab("yaml"));
$("solve").addEventListener("click", solve);
$("cancel").addEventListener("click", cancel);
$("download-yaml").addEventListener("click", downloadYaml);
$("seek-run").addEventListener("click", seek);
$("check-run").addEventListener("click", runCheck);
buildForm();
