// Pointer and keyboard on the canvas: paint with the left button, pan with the middle button or
// space + drag, zoom with the wheel around the pointer, and the keys listed in the side panel.

import { pf } from "./state.js";
import { canvas, fitView, redraw } from "./view.js";
import { labelsChanged, pushUndo, redo, stamp, strokeTo, undo } from "./labels.js";
import { nextUncertain } from "./uncertain.js";
import { selectClass } from "./classes.js";
import { MAX_BRUSH, syncTools } from "./tools.js";

const toImage = (p) => ({ x: (p.x - pf.view.tx) / pf.view.scale, y: (p.y - pf.view.ty) / pf.view.scale });
const screenPoint = (ev) => { const r = canvas.getBoundingClientRect(); return { x: ev.clientX - r.left, y: ev.clientY - r.top }; };

function pointerDown(ev) {
  if (!pf.image || !pf.labels) return;
  canvas.setPointerCapture(ev.pointerId);
  const p = screenPoint(ev);
  if (ev.button === 1 || (ev.button === 0 && pf.spaceDown)) { pf.pan = { x: p.x, y: p.y, tx: pf.view.tx, ty: pf.view.ty }; ev.preventDefault(); return; }
  if (ev.button !== 0) return;
  pushUndo();
  const q = toImage(p);
  pf.stroke = { last: q };
  stamp(q.x, q.y); redraw();
}

function pointerMove(ev) {
  const p = screenPoint(ev);
  pf.mouse = p;
  if (pf.pan) { pf.view.tx = pf.pan.tx + p.x - pf.pan.x; pf.view.ty = pf.pan.ty + p.y - pf.pan.y; }
  else if (pf.stroke) strokeTo(toImage(p));
  redraw();
}

function endPointer() {
  if (pf.stroke) { pf.stroke = null; labelsChanged(); }
  pf.pan = null;
}

function wheel(ev) {
  ev.preventDefault();
  const p = screenPoint(ev), f = Math.exp(-ev.deltaY * 0.0015), v = pf.view;
  const s = Math.min(64, Math.max(0.05, v.scale * f)), k = s / v.scale;
  v.tx = p.x - (p.x - v.tx) * k; v.ty = p.y - (p.y - v.ty) * k; v.scale = s;
  redraw();
}

function keyDown(ev) {
  if (ev.target instanceof HTMLInputElement && ev.target.type === "text") return;
  const ctrl = ev.ctrlKey || ev.metaKey, key = ev.key.toLowerCase();
  if (ctrl && key === "z") { ev.preventDefault(); if (ev.shiftKey) redo(); else undo(); return; }
  if (ctrl && key === "y") { ev.preventDefault(); redo(); return; }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === " ") { pf.spaceDown = true; canvas.style.cursor = "grab"; ev.preventDefault(); }
  else if (/^[1-9]$/.test(ev.key)) selectClass(Number(ev.key) - 1);
  else if (ev.key === "e") { pf.eraser = true; syncTools(); }
  else if (ev.key === "b") { pf.eraser = false; syncTools(); }
  else if (ev.key === "[") { pf.brush = Math.max(1, pf.brush - (pf.brush > 10 ? 2 : 1)); syncTools(); }
  else if (ev.key === "]") { pf.brush = Math.min(MAX_BRUSH, pf.brush + (pf.brush >= 10 ? 2 : 1)); syncTools(); }
  else if (ev.key === "f") fitView();
  else if (ev.key === "n") nextUncertain();
}

export function initInput() {
  canvas.addEventListener("pointerdown", pointerDown);
  canvas.addEventListener("pointermove", pointerMove);
  canvas.addEventListener("pointerup", endPointer);
  canvas.addEventListener("pointercancel", endPointer);
  canvas.addEventListener("pointerleave", () => { pf.mouse = null; redraw(); });
  canvas.addEventListener("auxclick", (ev) => ev.preventDefault());
  canvas.addEventListener("wheel", wheel, { passive: false });
  window.addEventListener("keydown", keyDown);
  window.addEventListener("keyup", (ev) => { if (ev.key === " ") { pf.spaceDown = false; canvas.style.cursor = "none"; } });
}
