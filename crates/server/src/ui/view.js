// The canvas: draws the base image, the overlays and the labels under the current view, and the
// brush outline and the uncertain region visited; fits the image to the window. Every drawn change
// is remembered for a reload (persist.js).

import { pf } from "./state.js";
import { $, hex } from "./dom.js";
import { saveSoon } from "./persist.js";

export const canvas = $("canvas");
const ctx = canvas.getContext("2d");
export const labelCanvas = document.createElement("canvas");
export const labelCtx = labelCanvas.getContext("2d");

let frame = 0;
export function redraw() { if (!frame) frame = requestAnimationFrame(draw); }

function draw() {
  frame = 0;
  saveSoon();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#111"; ctx.fillRect(0, 0, w, h);
  if (!pf.image) return;
  const v = pf.view;
  ctx.setTransform(v.scale * dpr, 0, 0, v.scale * dpr, v.tx * dpr, v.ty * dpr);
  ctx.imageSmoothingEnabled = false;
  if (pf.base) ctx.drawImage(pf.base, 0, 0);
  if (pf.pred && $("pred-toggle").checked) { ctx.globalAlpha = $("pred-opacity").value / 100; ctx.drawImage(pf.pred, 0, 0); }
  if (pf.unc && $("unc-toggle").checked) { ctx.globalAlpha = $("unc-opacity").value / 100; ctx.drawImage(pf.unc, 0, 0); }
  ctx.globalAlpha = $("label-opacity").value / 100;
  ctx.drawImage(labelCanvas, 0, 0);
  ctx.globalAlpha = 1;
  if (pf.focus) { // the uncertain region jumped to
    ctx.setLineDash([6 / v.scale, 4 / v.scale]); ctx.lineWidth = 2 / v.scale; ctx.strokeStyle = "#fff";
    ctx.strokeRect(pf.focus.x, pf.focus.y, pf.focus.w, pf.focus.h); ctx.setLineDash([]);
  }
  if (pf.mouse) { // brush outline in screen space
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    ctx.arc(pf.mouse.x, pf.mouse.y, Math.max(2, (pf.brush / 2) * v.scale), 0, 2 * Math.PI);
    ctx.strokeStyle = pf.eraser ? "#fff" : hex(pf.classes[pf.current] ? pf.classes[pf.current].color : [255, 255, 255]);
    ctx.lineWidth = 1.5; ctx.stroke();
  }
}

export function fitView() {
  if (!pf.image) return;
  const cw = canvas.clientWidth, ch = canvas.clientHeight;
  const s = Math.min(cw / pf.image.width, ch / pf.image.height) * 0.95;
  pf.view = { scale: s, tx: (cw - pf.image.width * s) / 2, ty: (ch - pf.image.height * s) / 2 };
  redraw();
}

export function initView() { window.addEventListener("resize", redraw); }
