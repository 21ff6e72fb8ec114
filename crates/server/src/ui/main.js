// The labeling page's entry point: wires the controls, then loads classes, images and the
// training status. Modules: state (the one state object), dom and api (helpers), view (canvas),
// labels, images, channels, classes, features (the filter matrix), tools, input (pointer and
// keys), training, uncertain (next uncertain region), persist (what a reload keeps).

import { pf } from "./state.js";
import { $, setStatus } from "./dom.js";
import { initView } from "./view.js";
import { saveLabels } from "./labels.js";
import { loadImages } from "./images.js";
import { initClasses, loadClasses } from "./classes.js";
import { buildFeatures, loadFeatures } from "./features.js";
import { initTools, syncTools } from "./tools.js";
import { initInput } from "./input.js";
import { initTraining, poll } from "./training.js";
import { loadSaved } from "./persist.js";

window.pf = pf;
initView();
initClasses();
initTools();
initInput();
initTraining();
loadSaved();
window.addEventListener("beforeunload", () => { if (pf.dirty) saveLabels(); });

try {
  await loadClasses();
  syncTools();
  await loadFeatures();
  await loadImages();
  buildFeatures(); // with the image's channel count
  await poll();
} catch (e) {
  setStatus(e.message, true);
  $("empty").textContent = e.message;
}
