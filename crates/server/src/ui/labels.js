// The label map: painting strokes (outlined), undo and redo, the run-length wire format, and autosave (which
// retrains when live update is on).

import { pf } from "./state.js";
import { $, debounce } from "./dom.js";
import { api } from "./api.js";
import { labelCtx, redraw } from "./view.js";
import { markLabelled } from "./images.js";
import { train } from "./training.js";

const UNDO_DEPTH = 30;
/** Wait before saving changed labels: a stroke is saved (and, live, trained on) as it ends; the
 * wait only gathers a burst of undo/redo keys into one save. It was 600 ms, a third of the time
 * from stroke to overlay. */
const SAVE_DELAY_MS = 50;

/** Unlabelled pixels next to a label are drawn black, so a stroke stays visible on a prediction
 * of its own class (which is drawn filled, below the labels). */
function touchesLabel(x, y) {
  const W = pf.image.width, H = pf.image.height;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const xx = x + dx, yy = y + dy;
    if (xx >= 0 && yy >= 0 && xx < W && yy < H && pf.labels[yy * W + xx]) return true;
  }
  return false;
}

function paintLabelRect(x0, y0, x1, y1) {
  const W = pf.image.width, H = pf.image.height, d = pf.labelPixels.data;
  x0 = Math.max(0, x0 - 1); y0 = Math.max(0, y0 - 1); x1 = Math.min(W, x1 + 1); y1 = Math.min(H, y1 + 1);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const i = y * W + x, v = pf.labels[i], c = v ? pf.classes[v - 1] : null;
    if (c) { d[i * 4] = c.color[0]; d[i * 4 + 1] = c.color[1]; d[i * 4 + 2] = c.color[2]; d[i * 4 + 3] = 255; }
    else if (!v && touchesLabel(x, y)) { d[i * 4] = d[i * 4 + 1] = d[i * 4 + 2] = 0; d[i * 4 + 3] = 255; }
    else d[i * 4 + 3] = 0;
  }
  labelCtx.putImageData(pf.labelPixels, 0, 0, x0, y0, x1 - x0, y1 - y0);
}

export function paintAllLabels() { if (pf.image) paintLabelRect(0, 0, pf.image.width, pf.image.height); redraw(); }

export function stamp(cx, cy) {
  const W = pf.image.width, H = pf.image.height, r = pf.brush / 2, value = pf.eraser ? 0 : pf.current + 1;
  const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(W, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(H, Math.ceil(cy + r));
  if (x0 >= x1 || y0 >= y1) return;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
    if (dx * dx + dy * dy <= r * r || (r < 1 && Math.floor(cx) === x && Math.floor(cy) === y)) pf.labels[y * W + x] = value;
  }
  paintLabelRect(x0, y0, x1, y1);
}

export function strokeTo(p) {
  const last = pf.stroke.last, step = Math.max(0.5, pf.brush / 4);
  const n = Math.max(1, Math.ceil(Math.hypot(p.x - last.x, p.y - last.y) / step));
  for (let k = 1; k <= n; k++) stamp(last.x + ((p.x - last.x) * k) / n, last.y + ((p.y - last.y) * k) / n);
  pf.stroke.last = p;
  redraw();
}

export function pushUndo() { pf.undo.push(pf.labels.slice()); if (pf.undo.length > UNDO_DEPTH) pf.undo.shift(); pf.redo = []; }

export function undo() {
  if (!pf.undo.length) return;
  pf.redo.push(pf.labels);
  pf.labels = pf.undo.pop();
  paintAllLabels();
  labelsChanged();
}

export function redo() {
  if (!pf.redo.length) return;
  pf.undo.push(pf.labels);
  pf.labels = pf.redo.pop();
  paintAllLabels();
  labelsChanged();
}

/** `{width, height, runs: [value, count, ...]}`, row-major: the server's label format. */
function encodeRle(labels) {
  const runs = [];
  let v = labels[0], n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === v) n++;
    else { runs.push(v, n); v = labels[i]; n = 1; }
  }
  if (labels.length) runs.push(v, n);
  return { width: pf.image.width, height: pf.image.height, runs };
}

export function decodeRle(rle) {
  const out = new Uint8Array(rle.width * rle.height);
  let i = 0;
  for (let k = 0; k < rle.runs.length; k += 2) { out.fill(rle.runs[k], i, i + rle.runs[k + 1]); i += rle.runs[k + 1]; }
  return out;
}

export function labelsChanged() { pf.dirty = true; $("save-state").textContent = "labels: unsaved"; saveSoon(); }

const saveSoon = debounce(() => saveLabels(), SAVE_DELAY_MS);

/** The save under way, if any. */
let inflight = null;

export async function saveLabels(autoTrain = true) {
  if (!pf.image || !pf.dirty) return;
  if (pf.saving) { saveSoon(); return; }
  pf.saving = true; pf.dirty = false;
  const id = pf.image.id;
  const done = (async () => {
    try {
      await api("PUT", `/api/images/${id}/labels`, encodeRle(pf.labels));
      pf.savedCount++;
      markLabelled(id);
      $("save-state").textContent = pf.dirty ? "labels: unsaved" : "labels: saved";
      if (autoTrain && $("live").checked) train();
    } catch (e) {
      pf.dirty = true;
      $("save-state").textContent = "labels: NOT saved — " + e.message;
    } finally { pf.saving = false; }
  })();
  inflight = done;
  await done;
  if (inflight === done) inflight = null;
}

/** Resolves once the labels on screen are on the server: waits for a save under way (a stroke
 * is saved as it ends, so one often is), then saves what changed since. */
export async function flushLabels() {
  while (inflight) await inflight;
  if (pf.dirty) await saveLabels(false);
}
