// What a reload keeps: the image, its channels and display windows, the view, the overlay
// settings, the class and brush, in the browser's localStorage (per server address).

import { pf } from "./state.js";
import { $, debounce } from "./dom.js";

const KEY = "pixelforest.page";
const OVERLAY_INPUTS = ["label-opacity", "pred-opacity", "unc-opacity"];
const OVERLAY_TOGGLES = ["pred-toggle", "unc-toggle", "live"];

/** Reads the saved state into `pf.restore` and applies the overlay settings at once. */
export function loadSaved() {
  try { pf.restore = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (_) { pf.restore = null; }
  const saved = pf.restore;
  if (!saved) return;
  for (const id of OVERLAY_INPUTS) if (typeof saved.inputs?.[id] === "string") $(id).value = saved.inputs[id];
  for (const id of OVERLAY_TOGGLES) if (typeof saved.toggles?.[id] === "boolean") $(id).checked = saved.toggles[id];
  if (Number.isInteger(saved.brush)) pf.brush = saved.brush;
}

/** The saved slots and view when `image` is the one saved; consumes the saved state. */
export function takeSaved(image) {
  const saved = pf.restore;
  pf.restore = null;
  if (!saved || saved.image !== image.name) return null;
  const n = image.channels.length;
  const slots = Array.isArray(saved.slots) && saved.slots.length === pf.slots.length
    && saved.slots.every((s, i) => Number.isInteger(s.c) && s.c < n && s.c >= (i ? -1 : 0)) ? saved.slots : null;
  return { slots, view: saved.view, current: saved.current };
}

function save() {
  if (!pf.image || pf.restore) return; // nothing shown yet, or the saved state not applied yet
  const state = {
    image: pf.image.name,
    slots: pf.slots.map((s) => ({ c: s.c, min: s.min, max: s.max })),
    view: pf.view,
    current: pf.current,
    brush: pf.brush,
    inputs: Object.fromEntries(OVERLAY_INPUTS.map((id) => [id, $(id).value])),
    toggles: Object.fromEntries(OVERLAY_TOGGLES.map((id) => [id, $(id).checked])),
  };
  try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (_) { /* storage full or disabled */ }
}

export const saveSoon = debounce(save, 250);
