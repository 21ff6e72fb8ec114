// The page's whole state, in one object whose shape is declared here: it is sealed, so a
// misspelt or forgotten field is an error instead of a new property. Exposed as `window.pf`
// for the end-to-end test and for debugging.

/** A channel slot: channel index (-1 = none) and its display window (null = auto). */
const slot = (c) => ({ c, min: null, max: null });

export const pf = Object.seal({
  // project
  images: [], // GET /api/images entries
  image: null, // the entry being labelled
  classes: [], // [{name, color: [r, g, b]}]
  stats: {}, // channel index -> {min, max, low, high} of the current image
  features: null, // GET /api/features: {families, sigmas, matrix, presets, per_channel}
  // tools
  current: 0, // class index drawn with the brush
  eraser: false,
  brush: 6, // diameter in image pixels
  slots: [slot(0), slot(-1), slot(-1)], // grey/red, green, blue
  // pixels
  base: null, // ImageBitmap of the channel or composite
  pred: null, // ImageBitmap of the prediction overlay
  unc: null, // ImageBitmap of the uncertainty overlay
  labels: null, // Uint8Array, row-major, 0 = unlabelled
  labelPixels: null, // ImageData mirroring `labels` in class colours
  undo: [], // earlier copies of `labels`
  redo: [], // copies undone, newest last; a new stroke clears them
  // view and pointer
  view: { scale: 1, tx: 0, ty: 0 }, // image -> screen: scale, then translate
  mouse: null, // pointer position on screen, for the brush outline
  stroke: null, // {last: image point} while painting
  pan: null, // {x, y, tx, ty} while panning
  spaceDown: false,
  focus: null, // {x, y, w, h, mean}: the uncertain region last jumped to, outlined
  uncertainSkip: 0, // how many uncertain regions of this prediction were visited
  restore: null, // the state saved by the last visit (persist.js), until the first image applies it
  // saving and training
  dirty: false, // labels changed since the last save
  saving: false,
  savedCount: 0,
  trainRequests: 0,
  generation: 0, // latest model generation the server reported
  shownGeneration: -1, // generation of the overlays on screen
  baseLoads: 0, // base images drawn (the end-to-end test waits on it)
  tokens: { base: 0, overlay: 0 }, // newest request of each kind; older answers are dropped
});
