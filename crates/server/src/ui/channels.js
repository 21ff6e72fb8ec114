// The three channel slots (grey/red, green, blue): channel choice, display window, and the base
// image (one channel in grey, or a composite) they produce.

import { pf } from "./state.js";
import { $, debounce, fmt, setStatus } from "./dom.js";
import { api, bitmap } from "./api.js";
import { redraw } from "./view.js";

const SLOT_NAMES = ["grey / red", "green", "blue"];

export async function ensureStats(slot) {
  const key = slot.c;
  if (!pf.stats[key]) pf.stats[key] = await api("GET", `/api/images/${pf.image.id}/channel/${key}/stats`);
  const st = pf.stats[key];
  if (slot.min === null) slot.min = st.low;
  if (slot.max === null) slot.max = st.high;
  syncSlotInputs();
}

export function buildSlots() {
  const box = $("slots");
  box.innerHTML = "";
  pf.slots.forEach((slot, i) => box.appendChild(slotControls(slot, i)));
  syncSlotInputs();
}

function slotControls(slot, i) {
  const div = document.createElement("div");
  div.className = "slot"; div.dataset.slot = i;
  const opts = (i ? `<option value="-1">— none —</option>` : "") +
    pf.image.channels.map((c, k) => `<option value="${k}">${k}: </option>`).join("");
  div.innerHTML = `<div class="row"><select title="${SLOT_NAMES[i]}">${opts}</select><button class="auto" title="auto contrast (0.5–99.5 %)">Auto</button></div>
    <div class="row"><span class="num">min</span><input class="min" type="range" min="0" max="1000"><span class="num vmin"></span></div>
    <div class="row"><span class="num">max</span><input class="max" type="range" min="0" max="1000"><span class="num vmax"></span></div>`;
  const sel = div.querySelector("select");
  pf.image.channels.forEach((c, k) => { sel.options[k + (i ? 1 : 0)].textContent = `${k}: ${c}`; });
  sel.value = String(slot.c);
  sel.onchange = async () => { slot.c = Number(sel.value); slot.min = slot.max = null; if (slot.c >= 0) await ensureStats(slot); syncSlotInputs(); loadBase(); };
  div.querySelector(".auto").onclick = () => { if (slot.c < 0) return; const st = pf.stats[slot.c]; slot.min = st.low; slot.max = st.high; syncSlotInputs(); loadBase(); };
  for (const cls of ["min", "max"]) {
    div.querySelector("." + cls).oninput = (ev) => {
      const st = pf.stats[slot.c]; if (!st) return;
      slot[cls] = st.min + ((st.max - st.min) * Number(ev.target.value)) / 1000;
      syncSlotInputs(); loadBaseSoon();
    };
  }
  return div;
}

function syncSlotInputs() {
  document.querySelectorAll("#slots .slot").forEach((div) => {
    const slot = pf.slots[Number(div.dataset.slot)], st = pf.stats[slot.c];
    for (const el of div.querySelectorAll("input")) el.disabled = !st;
    if (!st) { div.querySelector(".vmin").textContent = div.querySelector(".vmax").textContent = ""; return; }
    const span = st.max - st.min || 1;
    div.querySelector(".min").value = Math.round(((slot.min - st.min) / span) * 1000);
    div.querySelector(".max").value = Math.round(((slot.max - st.min) / span) * 1000);
    div.querySelector(".vmin").textContent = fmt(slot.min);
    div.querySelector(".vmax").textContent = fmt(slot.max);
  });
}

export async function loadBase() {
  if (!pf.image) return;
  const active = pf.slots.filter((s) => s.c >= 0 && s.min !== null);
  if (!active.length) return;
  const id = pf.image.id, token = ++pf.tokens.base;
  const url = active.length === 1 && pf.slots[0].c >= 0
    ? `/api/images/${id}/channel/${active[0].c}.png?min=${active[0].min}&max=${active[0].max}`
    : `/api/images/${id}/composite.png?c=${active.map((s) => s.c).join(",")}&min=${active.map((s) => s.min).join(",")}&max=${active.map((s) => s.max).join(",")}`;
  try {
    const bmp = await bitmap(url);
    if (token === pf.tokens.base && pf.image && pf.image.id === id) { pf.base = bmp; pf.baseLoads++; redraw(); }
  } catch (e) { setStatus("image: " + e.message, true); }
}

const loadBaseSoon = debounce(loadBase, 120);
