// The class list: names and colours (saved to the project), and which class the brush draws.

import { pf } from "./state.js";
import { $, debounce, hex, setStatus, unhex } from "./dom.js";
import { api } from "./api.js";
import { paintAllLabels } from "./labels.js";
import { syncTools } from "./tools.js";

/** Colours of added classes, in turn. */
const PALETTE = [[255, 225, 25], [0, 130, 200], [230, 25, 75], [60, 180, 75], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60]];
const MAX_CLASSES = 255;

export async function loadClasses() { pf.classes = await api("GET", "/api/classes"); buildClasses(); }

const saveClassesSoon = debounce(() => api("PUT", "/api/classes", pf.classes).catch((e) => setStatus("classes: " + e.message, true)), 300);

function buildClasses() {
  const box = $("classes");
  box.innerHTML = "";
  pf.classes.forEach((cls, i) => {
    const row = document.createElement("div");
    row.className = "class-row" + (i === pf.current ? " active" : ""); row.dataset.index = i;
    row.innerHTML = `<span class="key">${i < 9 ? i + 1 : ""}</span><input type="color"><input type="text" maxlength="100">`;
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

export function initClasses() {
  $("add-class").onclick = async () => {
    const n = pf.classes.length;
    if (n >= MAX_CLASSES) return;
    pf.classes.push({ name: `Class ${n + 1}`, color: PALETTE[n % PALETTE.length] });
    buildClasses(); selectClass(n);
    try { await api("PUT", "/api/classes", pf.classes); } catch (e) { setStatus("classes: " + e.message, true); }
  };
}
