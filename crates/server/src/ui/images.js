// The image list and switching images: labels, channel windows and overlays of the new one.

import { pf } from "./state.js";
import { $, setStatus } from "./dom.js";
import { api } from "./api.js";
import { fitView, labelCanvas, labelCtx } from "./view.js";
import { decodeRle, flushLabels, paintAllLabels } from "./labels.js";
import { buildSlots, ensureStats, loadBase } from "./channels.js";
import { refreshOverlays } from "./training.js";
import { takeSaved } from "./persist.js";
import { selectClass } from "./classes.js";

export async function loadImages() {
  pf.images = await api("GET", "/api/images");
  const ul = $("images");
  ul.innerHTML = "";
  for (const im of pf.images) {
    const li = document.createElement("li");
    li.className = "image-item"; li.dataset.id = im.id; li.title = im.name;
    li.innerHTML = `<span></span> <span class="dim"></span>`;
    li.children[0].textContent = im.name;
    li.children[1].textContent = describeImage(im);
    li.onclick = () => selectImage(im.id);
    ul.appendChild(li);
  }
  $("empty").textContent = pf.images.length ? "" : "no images (.h5, .tif, .tiff) in the project folder, ilastik/ or crops/";
  const saved = pf.restore && pf.images.find((im) => im.name === pf.restore.image && !im.error);
  if (pf.images.length && !pf.image) await selectImage(saved?.id ?? pf.images.find((im) => !im.error)?.id ?? 0);
}

function describeImage(im) {
  return im.error ? "unreadable" : `${im.width}×${im.height}×${im.channels.length}${im.has_labels ? " ✎" : ""}`;
}

export function markLabelled(id) {
  const im = pf.images.find((x) => x.id === id), li = document.querySelector(`#images li[data-id="${id}"]`);
  if (im && li) { im.has_labels = true; li.children[1].textContent = describeImage(im); }
}

async function selectImage(id) {
  if (pf.image) await flushLabels();
  const im = pf.images.find((x) => x.id === id);
  if (!im || im.error) { setStatus(im ? im.error : "no such image", true); return; }
  pf.image = im; pf.base = null; pf.pred = null; pf.unc = null; pf.undo = []; pf.redo = []; pf.stats = {}; pf.shownGeneration = -1;
  pf.focus = null; pf.uncertainSkip = 0;
  const saved = takeSaved(im);
  for (const li of document.querySelectorAll("#images li")) li.classList.toggle("active", Number(li.dataset.id) === id);
  labelCanvas.width = im.width; labelCanvas.height = im.height;
  pf.labelPixels = labelCtx.createImageData(im.width, im.height);
  const n = im.channels.length;
  if (saved?.slots) saved.slots.forEach((s, i) => Object.assign(pf.slots[i], s));
  else pf.slots.forEach((s, i) => { if (s.c >= n) s.c = i === 0 ? 0 : -1; s.min = s.max = null; });
  buildSlots();
  if (saved?.view && [saved.view.scale, saved.view.tx, saved.view.ty].every(Number.isFinite)) pf.view = { ...saved.view };
  else fitView();
  if (Number.isInteger(saved?.current)) selectClass(saved.current);
  const rle = await api("GET", `/api/images/${id}/labels`);
  pf.labels = decodeRle(rle);
  paintAllLabels();
  await Promise.all(pf.slots.filter((s) => s.c >= 0).map((s) => ensureStats(s)));
  await loadBase();
  refreshOverlays();
}
