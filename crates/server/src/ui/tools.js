// The tool and overlay controls of the side panel: brush or eraser, brush size, undo/redo, overlay
// visibility and opacity.

import { pf } from "./state.js";
import { $ } from "./dom.js";
import { redraw } from "./view.js";
import { redo, undo } from "./labels.js";
import { refreshOverlays } from "./training.js";
import { nextUncertain } from "./uncertain.js";

export const MAX_BRUSH = 60;

export function syncTools() {
  $("tool-brush").classList.toggle("on", !pf.eraser);
  $("tool-eraser").classList.toggle("on", pf.eraser);
  $("brush-size").value = pf.brush; $("brush-size-num").textContent = pf.brush + " px";
  redraw();
}

export function initTools() {
  $("tool-brush").onclick = () => { pf.eraser = false; syncTools(); };
  $("tool-eraser").onclick = () => { pf.eraser = true; syncTools(); };
  $("undo").onclick = undo;
  $("redo").onclick = redo;
  $("next-uncertain").onclick = nextUncertain;
  $("brush-size").oninput = (e) => { pf.brush = Number(e.target.value); syncTools(); };
  for (const id of ["label-opacity", "pred-opacity", "unc-opacity", "pred-toggle"]) $(id).oninput = redraw;
  $("unc-toggle").onchange = () => { refreshOverlays(true); redraw(); };
  $("pred-toggle").onchange = () => { refreshOverlays(true); redraw(); };
}
