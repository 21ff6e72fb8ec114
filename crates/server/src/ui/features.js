// The feature matrix: ilastik's filter families (rows) at its scales (columns), with the presets.
// A change is stored in the project's pixelforest.json, which live training and `pixelforest train`
// read; with live update on, the model is retrained on it at once.

import { pf } from "./state.js";
import { $, setStatus } from "./dom.js";
import { api } from "./api.js";
import { train } from "./training.js";

/** Short row names; the full name is the row's tooltip. */
const SHORT = {
  "Gaussian Smoothing": "Gaussian",
  "Laplacian of Gaussian": "Laplacian",
  "Gaussian Gradient Magnitude": "Gradient mag.",
  "Difference of Gaussians": "DoG",
  "Structure Tensor Eigenvalues": "Struct. tensor",
  "Hessian of Gaussian Eigenvalues": "Hessian",
};

export async function loadFeatures() { pf.features = await api("GET", "/api/features"); buildFeatures(); }

/** ilastik offers only Gaussian smoothing below sigma 0.7 (derivatives at 0.3 are noise). */
const available = (row, sigma) => row === 0 || sigma >= 0.5;

const sameMatrix = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Draws the matrix, the presets and the feature count (per channel, and for the image shown). */
export function buildFeatures() {
  const f = pf.features, table = $("features");
  table.innerHTML = "";
  const head = table.insertRow();
  head.insertCell().textContent = "σ";
  for (const s of f.sigmas) head.insertCell().textContent = String(s);
  f.families.forEach((name, i) => {
    const tr = table.insertRow();
    const th = tr.insertCell(); th.textContent = SHORT[name] || name; th.title = name;
    f.sigmas.forEach((s, j) => {
      const box = document.createElement("input");
      box.type = "checkbox"; box.dataset.family = i; box.dataset.scale = j;
      box.checked = f.matrix[i][j]; box.disabled = !available(i, s);
      box.title = `${name}, σ = ${s}`;
      box.onchange = () => { const m = f.matrix.map((r) => r.slice()); m[i][j] = box.checked; saveFeatures(m); };
      tr.insertCell().appendChild(box);
    });
  });
  const presets = $("feature-presets");
  presets.innerHTML = "";
  for (const p of f.presets) {
    const b = document.createElement("button");
    b.textContent = p.name; b.dataset.preset = p.name; b.title = `preset ${p.name}`;
    b.classList.toggle("on", sameMatrix(p.matrix, f.matrix));
    b.onclick = () => saveFeatures(p.matrix);
    presets.appendChild(b);
  }
  const channels = pf.image ? pf.image.channels.length : 0;
  $("feature-count").textContent = `${f.per_channel} features per channel` + (channels ? ` · ${f.per_channel * channels} for this image` : "");
}

async function saveFeatures(matrix) {
  try {
    pf.features = await api("PUT", "/api/features", { sigmas: pf.features.sigmas, matrix });
    setStatus(`features: ${pf.features.per_channel} per channel, saved` + ($("live").checked ? "; retraining" : ""));
    if ($("live").checked) train();
  } catch (e) { setStatus("features: " + e.message, true); }
  buildFeatures();
}
