// "Next uncertain region": asks the server for the most uncertain window of the current
// prediction where nothing is labelled yet, zooms to it and outlines it. Pressing again visits
// the next one; a new model starts over.

import { pf } from "./state.js";
import { setStatus } from "./dom.js";
import { api } from "./api.js";
import { canvas, redraw } from "./view.js";

/** Part of the screen the region fills after the jump. */
const FILL = 0.6;

export async function nextUncertain() {
  if (!pf.image) return;
  if (!pf.generation) { setStatus("no prediction yet: train first, then look for uncertain regions", true); return; }
  const { id, width, height } = pf.image;
  const size = Math.max(16, Math.round(Math.min(width, height) / 4));
  try {
    const r = await api("GET", `/api/images/${id}/next-uncertain?size=${size}&skip=${pf.uncertainSkip}`);
    if (!pf.image || pf.image.id !== id) return;
    pf.uncertainSkip++;
    pf.focus = r;
    const cw = canvas.clientWidth, ch = canvas.clientHeight;
    const s = Math.min(64, (Math.min(cw, ch) * FILL) / Math.max(r.w, r.h));
    pf.view = { scale: s, tx: cw / 2 - (r.x + r.w / 2) * s, ty: ch / 2 - (r.y + r.h / 2) * s };
    setStatus(`uncertain region ${pf.uncertainSkip}: x ${r.x}, y ${r.y}, ${r.w}×${r.h} px, mean uncertainty ${r.mean.toFixed(2)}`);
    redraw();
  } catch (e) { setStatus("uncertain region: " + e.message, true); }
}
