// The image list and switching images: labels, channel windows and overlays of the new one.

import { pf } from "./state.js";
import { $, setStatus } from "./dom.js";
import { api } from "./api.js";
import { fitView, labelCanvas, labelCtx } from "./view.js";
import { decodeRle, paintAllLabels, saveLabels } from "./labels.js";
import { buildSlots, ensureStats, loadBase } from "./channels.js";
import { refreshOverlays } from "./training.js";

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
  if (pf.images.length && !pf.image) await selectImage(pf.images.find((im) => !im.error)?.id ?? 0);
}

function describeImage(im) {
  return im.error ? "unreadable" : `${im.width}×${im.height}×${im.channels.length}${im.has_labels ? " ✎" : ""}`;
}

export function markLabelled(id) {
  const im = pf.images.find((x) => x.id === id), li = document.querySelector(`#images li[data-id="${id}"]`);
  if (im && li) { im.has_labels = true; li.children[1].textContent = describeImage(im); }
}

async function selectImage(id) {
  if (pf.image && pf.dirty) await saveLabels(false);
  const im = pf.images.find((x) => x.id === id);
  if (!im || im.error) { setStatus(im ? im.error : "no such image", true); return; }
  pf.image = im; pf.base = null; pf.pred = null; pf.unc = null; pf.undo = []; pf.stats = {}; pf.shownGeneration = -1;
  for (const li of document.querySelectorAll("#images li")) li.classList.toggle("active", Number(li.dataset.id) === id);
  labelCanvas.width = im.width; labelCanvas.height = im.height;
  pf.labelPixels = labelCtx.createImageData(im.width, im.height);
  const n = im.channels.length;
  pf.slots.forEach((s, i) => { if (s.c >= n) s.c = i === 0 ? 0 : -1; s.min = s.max = null; });
  buildSlots();
  fitView();
  const rle = await api("GET", `/api/images/${id}/labels`);
  pf.labels = decodeRle(rle);
  paintAllLabels();
  await Promise.all(pf.slots.filter((s) => s.c >= 0).map((s) => ensureStats(s)));
  await loadBase();
  refreshOverlays();
}
