// Training and its results: requests, the status line (the server answers a waiting status
// request the moment a training ends, instead of the page polling), the prediction and
// uncertainty overlays of the newest model, and saving the model.

import { pf } from "./state.js";
import { $, setStatus } from "./dom.js";
import { api, bitmap } from "./api.js";
import { redraw } from "./view.js";
import { flushLabels } from "./labels.js";

/** Wait before asking again after a failed status request. */
const RETRY_MS = 1000;

export async function train() {
  pf.trainRequests++;
  try { showStatus(await api("POST", "/api/train")); } catch (e) { setStatus("train: " + e.message, true); }
  watchTraining();
}

/** Shows a `GET /api/status` answer and returns it. */
function showStatus(st) {
  pf.generation = st.has_model ? st.generation : 0;
  if (st.state === "training") setStatus("training…" + (st.generation ? ` (model ${st.generation} shown)` : ""));
  else if (st.state === "error") setStatus(st.error || "training failed", true);
  else if (st.state === "ready") {
    const counts = st.class_counts.map((n, i) => `${pf.classes[i] ? pf.classes[i].name : `class ${i + 1}`}: ${n}`).join(", ");
    const origin = st.model_file ? `loaded from ${st.model_file}` : `${st.labelled_images} image(s), ${st.seconds.toFixed(1)} s`;
    setStatus(`model ${st.generation}: ${origin}\n${counts}`);
  } else setStatus(st.generation ? "no model: the classes changed — train again" : "no model yet — label at least two classes");
  return st;
}

/** Shows the status and, when its model is not on screen, that model's overlays. */
function take(st) {
  showStatus(st);
  if (st.generation !== pf.shownGeneration) refreshOverlays();
  return st;
}

export async function poll() {
  try { if (take(await api("GET", "/api/status")).state === "training") watchTraining(); } catch (e) { setStatus("status: " + e.message, true); }
}

/** One waiting status request at a time (a browser has few connections per server); a training
 * requested meanwhile is watched when it ends. */
let watching = false, again = false;
async function watchTraining() {
  if (watching) { again = true; return; }
  watching = true;
  try {
    do {
      again = false;
      let st = take(await api("GET", "/api/status"));
      while (st.state === "training") st = take(await api("GET", `/api/status?wait=${st.generation}`));
    } while (again);
  } catch (e) {
    setStatus("status: " + e.message, true);
    setTimeout(watchTraining, RETRY_MS);
  } finally { watching = false; }
}

/** Fetches the overlays of the newest model (or again, when `force`, after a toggle). */
export async function refreshOverlays(force) {
  if (!pf.image || !pf.generation) return;
  if (!force && pf.shownGeneration === pf.generation) return;
  const id = pf.image.id, g = pf.generation, token = ++pf.tokens.overlay;
  try {
    const pred = $("pred-toggle").checked ? await bitmap(`/api/images/${id}/prediction.png?g=${g}`) : pf.pred;
    const unc = $("unc-toggle").checked ? await bitmap(`/api/images/${id}/uncertainty.png?g=${g}`) : pf.unc;
    if (token !== pf.tokens.overlay || !pf.image || pf.image.id !== id) return;
    if (pf.shownGeneration !== g) pf.uncertainSkip = 0;
    if ($("pred-toggle").checked) pf.pred = pred;
    if ($("unc-toggle").checked) pf.unc = unc;
    pf.shownGeneration = g;
    redraw();
  } catch (e) { setStatus("prediction: " + e.message, true); }
}

export function initTraining() {
  $("train").onclick = async () => { await flushLabels(); train(); };
  $("save-model").onclick = async () => {
    try { const r = await api("POST", "/api/model"); setStatus("model saved to " + r.saved); } catch (e) { setStatus("model: " + e.message, true); }
  };
}
