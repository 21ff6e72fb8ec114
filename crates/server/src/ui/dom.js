// Small helpers shared by the modules: element lookup, status line, colours, numbers, timing.

export const $ = (id) => document.getElementById(id);

export function setStatus(text, error) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", !!error);
}

export function debounce(fn, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

export const hex = (c) => "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
export const unhex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
export const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
