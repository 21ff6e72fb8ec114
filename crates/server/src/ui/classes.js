// The class list: names and colours (saved to the project), and which class the brush draws.

import { pf } from "./state.js";
import { $, debounce, hex, setStatus, unhex } from "./dom.js";
import { api } from "./api.js";
import { paintAllLabels } from "./labels.js";
import { syncTools } from "./tools.js";
import { decodeRle, flushLabels } from "./labels.js";
import { refreshOverlays, train } from "./training.js";

/** Colours of added classes, in turn. */
const PALETTE = [[255, 225, 25], [0, 130, 200], [230, 25, 75], [60, 180, 75], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60]];
const MAX_CLASSES = 255;

export async function loadClasses() { pf.classes = await api("GET", "/api/classes"); buildClasses(); }

/** Saves the classes; the prediction is then fetched again in the new colours. */
const saveClassesSoon = debounce(async () => {
  try { await api("PUT", "/api/classes", pf.classes); refreshOverlays(true); } catch (e) { setStatus("classes: " + e.message, true); }
}, 300);

function buildClasses() {
  const box = $("classes");
  box.innerHTML = "";
  pf.classes.forEach((cls, i) => {
    const row = document.createElement("div");
    row.className = "class-row" + (i === pf.current ? " active" : ""); row.dataset.index = i;
    row.innerHTML = `<span class="key">${i < 9 ? i + 1 : ""}</span><input type="color"><input type="text" maxlength="100"><button class="delete" title="delete this class and its labels">×</button>`;
    row.querySelector(".delete").onclick = (ev) => { ev.stopPropagation(); deleteClass(i); };
    const [color, name] = row.querySelectorAll("input");
    color.value = hex(cls.color); name.value = cls.name;
    color.oninput = () => { cls.color = unhex(color.value); paintAllLabels(); saveClassesSoon(); };
    name.onchange = () => { if (name.value.trim()) { cls.name = name.value.trim(); saveClassesSoon(); } else name.value = cls.name; };
    row.onclick = (ev) => { if (ev.target === row || ev.target.className === "key") selectClass(i); };
    name.onfocus = () => selectClass(i, true);
    box.appendChild(row);
  });
}

export function selectClass(i, keepFocus) {
  if (i >= pf.classes.length) return;
  pf.current = i; pf.eraser = false; syncTools();
  document.querySelectorAll(".class-row").forEach((r) => r.classList.toggle("active", Number(r.dataset.index) === i));
  if (!keepFocus && document.activeElement) document.activeElement.blur();
}

/** Deletes class `i` after a confirmation saying how many labelled pixels go with it. */
export async function deleteClass(i) {
  const cls = pf.classes[i];
  if (!cls || pf.classes.length < 2) return;
  try {
    await flushLabels();
    const use = await api("GET", `/api/classes/${i}/usage`);
    const question = `Delete class "${cls.name}"? Its ${use.pixels} labelled pixel(s) in ${use.images} image(s) become unlabelled; ` +
      "the classes after it move up one place. This cannot be undone.";
    if (!confirm(question)) return;
    const done = await api("DELETE", `/api/classes/${i}`);
    pf.classes = done.classes;
    if (pf.current >= pf.classes.length) pf.current = pf.classes.length - 1;
    buildClasses();
    if (pf.image) pf.labels = decodeRle(await api("GET", `/api/images/${pf.image.id}/labels`));
    pf.undo = []; pf.redo = []; pf.pred = null; pf.unc = null; pf.focus = null; pf.generation = 0;
    paintAllLabels();
    setStatus(`deleted class "${cls.name}" and its ${done.removed.pixels} labelled pixel(s)`);
    if ($("live").checked) train();
  } catch (e) { setStatus(`delete class "${cls.name}": ` + e.message, true); }
}

export function initClasses() {
  $("add-class").onclick = async () => {
    const n = pf.classes.length;
    if (n >= MAX_CLASSES) return;
    pf.classes.push({ name: `Class ${n + 1}`, color: PALETTE[n % PALETTE.length] });
    buildClasses(); selectClass(n);
    try { await api("PUT", "/api/classes", pf.classes); } catch (e) { setStatus("classes: " + e.message, true); }
  };
}
