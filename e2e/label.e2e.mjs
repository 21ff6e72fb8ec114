// End-to-end test of the labeling UI: a synthetic project, `pixelforest serve`, system Chromium.
// Draws strokes for every class, undoes and redoes, trains, waits for the prediction overlay, checks
// the label files, deletes a class and retrains, changes the feature matrix (`pixelforest train` on
// the project then uses it), jumps to the next uncertain region, reloads the page (its state is
// kept), restarts the server (the saved model is loaded), and saves e2e/screenshot.png. Exits non-zero on any failure; every step is bounded by a timeout.
//
// Environment (all optional):
//   PIXELFOREST_BIN      the pixelforest binary (default: <repo>/target/debug/pixelforest)
//   PIXELFOREST_PROJECT  an existing project folder to use instead of `synth` + `prepare` (left untouched
//                        apart from labels/, pixelforest.json; copy it first if that matters)
//   PIXELFOREST_SERVE    command to serve the project instead of `<bin> serve {project} --port {port} --no-open`;
//                        {project} and {port} are substituted (e.g. target/debug/examples/serve_dir {project} {port})
//   PIXELFOREST_SYNTH_ARGS, PIXELFOREST_PREPARE_ARGS
//                        arguments of the two project-making commands, {project} substituted (defaults below)
//   CHROMIUM             browser executable (default: /usr/bin/chromium)
//   E2E_KEEP=1           keep the temporary project for inspection

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const bin = path.resolve(repo, process.env.PIXELFOREST_BIN || "target/debug/pixelforest");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
// The synthetic project: raw stacks in tiff/, then prepare's crops in ilastik/ (the reference layout).
const SYNTH_ARGS = process.env.PIXELFOREST_SYNTH_ARGS || "synth --out {project}/tiff";
const PREPARE_ARGS = process.env.PIXELFOREST_PREPARE_ARGS || "prepare {project}/tiff --out {project}/tiff --crops {project}/ilastik";
const TOTAL_TIMEOUT_MS = 300_000;
const TRAIN_TIMEOUT_MS = 180_000;

const cleanups = [];
let failed = false;

function log(message) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function run(args, cwd) {
  log(`$ ${path.basename(bin)} ${args.join(" ")}`);
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new Error(`${bin}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${lastError.message}` : ""}`);
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** A synthetic project in the reference layout: `synth` writes raw stacks, `prepare` makes the crops. */
function makeProject() {
  if (process.env.PIXELFOREST_PROJECT) return path.resolve(process.env.PIXELFOREST_PROJECT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pixelforest-e2e-"));
  if (!process.env.E2E_KEEP) cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  else log(`keeping project ${dir}`);
  for (const args of [SYNTH_ARGS, PREPARE_ARGS]) run(args.split(/\s+/).map((a) => a.replaceAll("{project}", dir)), dir);
  const crops = fs.existsSync(path.join(dir, "ilastik")) ? fs.readdirSync(path.join(dir, "ilastik")) : [];
  assert(crops.some((f) => f.endsWith(".h5")), `prepare made no crops in ${dir}/ilastik`);
  return dir;
}

function startServer(project, port) {
  const template = process.env.PIXELFOREST_SERVE;
  const [cmd, ...args] = template
    ? template.split(/\s+/).map((a) => a.replace("{project}", project).replace("{port}", String(port)))
    : [bin, "serve", project, "--port", String(port), "--no-open"];
  log(`starting ${cmd} ${args.join(" ")}`);
  const child = spawn(path.resolve(repo, cmd), args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  child.on("exit", (code, signal) => {
    if (!child.stopping) log(`server exited early (code ${code}, signal ${signal}):\n${output}`);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.stopping = true;
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  );
  return { child, output: () => output };
}

/** Screen position of image pixel (x, y) under the page's current view transform. */
async function screenPoint(page, x, y) {
  const box = await page.locator("#canvas").boundingBox();
  const view = await page.evaluate(() => window.pf.view);
  return { x: box.x + view.tx + x * view.scale, y: box.y + view.ty + y * view.scale };
}

async function stroke(page, points) {
  const first = await screenPoint(page, ...points[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const s = await screenPoint(page, ...p);
    await page.mouse.move(s.x, s.y, { steps: 8 });
  }
  await page.mouse.up();
}

const labelledPixels = (page) => page.evaluate(() => window.pf.labels.reduce((n, v) => n + (v > 0), 0));

async function main() {
  assert(fs.existsSync(bin) || process.env.PIXELFOREST_SERVE, `${bin} not found (build it or set PIXELFOREST_BIN)`);
  assert(fs.existsSync(browserPath), `${browserPath} not found (apt-get install -y chromium, or set CHROMIUM)`);
  const project = makeProject();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(project, port);
  await waitFor("the server", async () => (await fetch(`${base}/api/status`)).ok, 30_000);
  log(`server up at ${base}`);

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pixelforest-e2e-chromium-"));
  cleanups.push(() => fs.rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
  cleanups.push(() => context.close());
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));

  await page.goto(base);
  await page.waitForSelector(".image-item");
  await waitFor("the first image and its labels", () => page.evaluate(() => !!(window.pf.base && window.pf.labels)), 60_000);
  const image = await page.evaluate(() => ({ ...window.pf.image }));
  log(`labeling ${image.name} (${image.width}x${image.height}, ${image.channels.length} channels)`);
  const classes = await page.evaluate(() => window.pf.classes.length);
  assert(classes >= 2, `at least two classes, got ${classes}`);
  await page.locator("#live").setChecked(false); // training is triggered explicitly below

  // One horizontal and one diagonal stroke per class, in separate horizontal bands of the image.
  const { width: w, height: h } = image;
  for (let k = 0; k < classes; k++) {
    await page.keyboard.press(String(k + 1));
    const y = ((k + 0.5) / classes) * h;
    await stroke(page, [[0.15 * w, y], [0.45 * w, y]]);
    await stroke(page, [[0.55 * w, y - 0.05 * h], [0.85 * w, y + 0.05 * h]]);
  }
  const afterStrokes = await labelledPixels(page);
  assert(afterStrokes > 0, "strokes labelled pixels");
  const present = await page.evaluate(() => [...new Set(window.pf.labels)].sort());
  assert(present.length === classes + 1, `every class drawn: values ${present}`);

  // Undo removes the last stroke only.
  await page.keyboard.press("1");
  await stroke(page, [[0.05 * w, 0.05 * h], [0.1 * w, 0.1 * h]]);
  assert((await labelledPixels(page)) > afterStrokes, "extra stroke labelled pixels");
  const withExtra = await labelledPixels(page);
  await page.keyboard.press("Control+z");
  assert((await labelledPixels(page)) === afterStrokes, "Ctrl+Z undid the extra stroke");
  // Redo brings it back (Ctrl+Shift+Z and Ctrl+Y); the regression: Ctrl+Shift+Z undid once more.
  await page.keyboard.press("Control+Shift+Z");
  assert((await labelledPixels(page)) === withExtra, "Ctrl+Shift+Z redid the extra stroke");
  await page.keyboard.press("Control+z");
  await page.keyboard.press("Control+y");
  assert((await labelledPixels(page)) === withExtra, "Ctrl+Y redid the extra stroke");
  await page.keyboard.press("Control+z");
  await page.keyboard.press("Control+Shift+Z");
  await page.keyboard.press("Control+Shift+Z");
  assert((await labelledPixels(page)) === withExtra, "a second redo with nothing left changes nothing");
  await page.keyboard.press("Control+z");
  assert((await labelledPixels(page)) === afterStrokes, "undone again");

  // Autosave writes the label file.
  await waitFor("labels to be saved", () => page.evaluate(() => window.pf.savedCount > 0 && !window.pf.dirty && !window.pf.saving), 20_000);
  const stem = path.basename(image.name).replace(/\.[^.]+$/, "");
  // Labels mirror the image's path within the project (labels/ilastik/<stem>_labels.png), so
  // same-named images in two folders keep separate labels.
  const labelFile = path.join(project, "labels", path.dirname(image.name), `${stem}_labels.png`);
  assert(fs.existsSync(labelFile), `${labelFile} written`);
  const saved = await (await fetch(`${base}/api/images/${image.id}/labels`)).json();
  const savedCount = saved.runs.reduce((n, v, i) => (i % 2 === 0 && v > 0 ? n + saved.runs[i + 1] : n), 0);
  assert(savedCount === afterStrokes, `saved labels match the page (${savedCount} vs ${afterStrokes})`);

  // Train and wait for the prediction overlay.
  await page.click("#train");
  await waitFor(
    "the prediction overlay",
    async () => {
      const s = await page.evaluate(() => ({ g: window.pf.shownGeneration, pred: !!window.pf.pred, status: document.getElementById("status").textContent }));
      if (/failed|error|no labels/i.test(s.status)) throw new Error(`training: ${s.status}`);
      return s.g >= 1 && s.pred;
    },
    TRAIN_TIMEOUT_MS,
    500,
  );
  const overlay = await page.evaluate(() => [window.pf.pred.width, window.pf.pred.height]);
  assert(overlay[0] === w && overlay[1] === h, `prediction overlay is ${overlay}, image ${w}x${h}`);
  const status = await (await fetch(`${base}/api/status`)).json();
  assert(status.state === "ready" && status.labelled_images >= 1, `status ${JSON.stringify(status)}`);
  log(`trained: ${JSON.stringify(status)}`);

  // Live update: one more stroke is saved and retrained without pressing anything.
  await page.locator("#live").setChecked(true);
  await page.keyboard.press("2");
  const strokeEnd = Date.now();
  await stroke(page, [[0.2 * w, 0.9 * h], [0.3 * w, 0.95 * h]]);
  await waitFor("the live retrained overlay", () => page.evaluate(() => window.pf.shownGeneration >= 2), TRAIN_TIMEOUT_MS, 50);
  log(`stroke to retrained overlay: ${((Date.now() - strokeEnd) / 1000).toFixed(2)} s (autosave wait included)`);

  // Zoom with the wheel and pan with space + drag change the view transform.
  const before = await page.evaluate(() => ({ ...window.pf.view }));
  const centre = await screenPoint(page, w / 2, h / 2);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -400);
  await waitFor("zoom", () => page.evaluate((s) => window.pf.view.scale > s * 1.5, before.scale), 5_000);
  const labelledBeforePan = await labelledPixels(page);
  await page.keyboard.down(" ");
  await page.mouse.down();
  await page.mouse.move(centre.x + 80, centre.y + 40, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up(" ");
  const panned = await page.evaluate(() => ({ ...window.pf.view }));
  assert(Math.abs(panned.tx - before.tx) > 10, `pan moved the view: ${JSON.stringify([before, panned])}`);
  assert(labelledBeforePan === (await labelledPixels(page)), "panning painted nothing");
  await page.keyboard.press("f");

  // Uncertainty overlay on demand.
  await page.locator("#unc-toggle").setChecked(true);
  await waitFor("the uncertainty overlay", () => page.evaluate(() => !!window.pf.unc), 60_000);

  // The model file on request.
  await page.click("#save-model");
  await waitFor("classifier.pxf", () => fs.existsSync(path.join(project, "classifier.pxf")), 20_000);

  // A two-channel composite (grey/red + green) replaces the single-channel view.
  if (image.channels.length > 1) {
    const loads = await page.evaluate(() => window.pf.baseLoads);
    await page.locator('#slots .slot[data-slot="1"] select').selectOption("1");
    await waitFor("the composite image", () => page.evaluate((n) => window.pf.baseLoads > n, loads), 20_000);
  }

  await deleteClassAndRetrain(page, base, project, image, classes);
  await featureSelectionReachesTrain(page, project);
  await jumpToUncertainRegions(page, image);
  await reloadKeepsState(page, image);
  const restarted = await restartReloadsModel(page, project, port, server);
  await recolourRepaintsPrediction(page);

  await page.keyboard.press("n");
  await waitFor("an uncertain region after the restart", () => page.evaluate(() => !!window.pf.focus), 30_000);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(here, "screenshot.png") });
  log(`screenshot: ${path.join(here, "screenshot.png")}`);
  assert(pageErrors.length === 0, `no errors in the page: ${pageErrors.join("; ")}`);
  assert(restarted.child.exitCode === null, "server still running");
}

const statusText = (page) => page.evaluate(() => document.getElementById("status").textContent);

/** Adds a fourth class, labels it, deletes it (the confirmation counts its pixels), trains: 3 classes. */
async function deleteClassAndRetrain(page, base, project, image, classes) {
  const { width: w, height: h } = image;
  await page.locator("#live").setChecked(false);
  await page.click("#add-class");
  await waitFor("the added class", () => page.evaluate((n) => window.pf.classes.length === n + 1, classes), 10_000);
  await page.keyboard.press(String(classes + 1));
  await stroke(page, [[0.05 * w, 0.6 * h], [0.12 * w, 0.62 * h]]);
  const added = await page.evaluate((v) => window.pf.labels.reduce((n, x) => n + (x === v), 0), classes + 1);
  assert(added > 0, "the added class was drawn");
  let question = "";
  page.once("dialog", (d) => {
    question = d.message();
    d.accept();
  });
  await page.locator(`.class-row[data-index="${classes}"] .delete`).click();
  await waitFor("the class to be deleted", () => page.evaluate((n) => window.pf.classes.length === n, classes), 20_000);
  assert(question.includes(`${added} labelled pixel`), `the confirmation counts the pixels: ${question}`);
  const settings = JSON.parse(fs.readFileSync(path.join(project, "pixelforest.json"), "utf8"));
  assert(settings.classes.length === classes, `pixelforest.json has ${settings.classes.length} classes`);
  const saved = await (await fetch(`${base}/api/images/${image.id}/labels`)).json();
  const values = new Set(saved.runs.filter((_, i) => i % 2 === 0));
  assert(!values.has(classes + 1), `no label of the deleted class is left: ${[...values]}`);
  const previous = await page.evaluate(() => window.pf.shownGeneration);
  await page.click("#train");
  await waitFor("training without the deleted class", () => page.evaluate((g) => window.pf.shownGeneration > g, previous), TRAIN_TIMEOUT_MS, 200);
  const status = await (await fetch(`${base}/api/status`)).json();
  assert(status.state === "ready" && status.class_counts.length === classes, `model of ${classes} classes: ${JSON.stringify(status)}`);
  await page.click("#save-model");
  await waitFor("the model saved", async () => /model saved/.test(await statusText(page)), 20_000);
  log(`deleted a class of ${added} pixels; retrained with ${status.class_counts.length} classes`);
}

/** The (family, sigma) pairs a selection `{sigmas, matrix}` computes, as sorted strings. */
const selectedPairs = (sel) => sel.matrix.flatMap((row, f) => row.flatMap((on, j) => (on ? [`${f}@${sel.sigmas[j]}`] : []))).sort();

/** The matrix in the page: the "ilastik" preset, then one box off; pixelforest.json holds it, and
 * `pixelforest train` on the project's labels (no --features) builds a model of that selection. */
async function featureSelectionReachesTrain(page, project) {
  await page.click('#feature-presets button[data-preset="ilastik"]');
  await waitFor("the ilastik preset", () => page.evaluate(() => window.pf.features.per_channel === 49), 10_000);
  // Hessian of Gaussian eigenvalues at sigma 10 off: 47 features per channel.
  await page.locator('#features input[data-family="5"][data-scale="6"]').setChecked(false);
  await waitFor("the changed matrix", () => page.evaluate(() => window.pf.features.per_channel === 47), 10_000);
  const shown = await page.evaluate(() => ({ sigmas: window.pf.features.sigmas, matrix: window.pf.features.matrix }));
  const count = await page.locator("#feature-count").textContent();
  const channels = await page.evaluate(() => window.pf.image.channels.length);
  assert(count === `47 features per channel · ${47 * channels} for this image`, `feature count: ${count}`);
  const settings = JSON.parse(fs.readFileSync(path.join(project, "pixelforest.json"), "utf8"));
  assert(JSON.stringify(selectedPairs(settings.features)) === JSON.stringify(selectedPairs(shown)), `pixelforest.json holds the page's matrix: ${JSON.stringify(settings.features)}`);
  const model = path.join(project, "from-train.pxf");
  const trained = run(["train", "--images", path.join(project, "ilastik"), "--labels", path.join(project, "labels"), "--trees", "10", "--out", model], project);
  assert(/features of the project \(47 per channel\)/.test(trained.stderr), `train used the project's features: ${trained.stderr}`);
  const info = JSON.parse(run(["info", "--json", model], project).stdout);
  assert(JSON.stringify(selectedPairs(info.feature_selection)) === JSON.stringify(selectedPairs(shown)), `the model's selection is the page's: ${JSON.stringify(info.feature_selection)}`);
  assert(info.feature_names.length === 47 * info.channel_names.length, `${info.feature_names.length} features for ${info.channel_names.length} channels`);
  // Back to the default preset, so the rest of the run trains as before.
  await page.click('#feature-presets button[data-preset="sigma>=1"]');
  await waitFor("the sigma>=1 preset", () => page.evaluate(() => window.pf.features.per_channel === 40), 10_000);
  log(`feature matrix: the page's 47 per channel reached pixelforest.json and \`train\` (${info.feature_names.length} features)`);
}

/** "n" zooms to the most uncertain unlabelled window; pressing again visits another one. */
async function jumpToUncertainRegions(page, image) {
  await page.keyboard.press("n");
  const first = await waitFor("the first uncertain region", () => page.evaluate(() => window.pf.focus && { ...window.pf.focus }), 30_000);
  assert(first.x + first.w <= image.width && first.y + first.h <= image.height && first.w > 0, `region inside the image: ${JSON.stringify(first)}`);
  const view = await page.evaluate(() => window.pf.view);
  const box = await page.locator("#canvas").boundingBox();
  const cx = view.tx + (first.x + first.w / 2) * view.scale, cy = view.ty + (first.y + first.h / 2) * view.scale;
  assert(Math.abs(cx - box.width / 2) < 2 && Math.abs(cy - box.height / 2) < 2, `view centred on the region: ${cx},${cy}`);
  await page.click("#next-uncertain");
  const second = await waitFor("the second uncertain region", () => page.evaluate((f) => window.pf.focus && (window.pf.focus.x !== f.x || window.pf.focus.y !== f.y) && { ...window.pf.focus }, first), 30_000);
  assert(second.mean <= first.mean + 1e-6, `regions come most uncertain first: ${first.mean} then ${second.mean}`);
  log(`uncertain regions: ${JSON.stringify(first)} then ${JSON.stringify(second)}`);
}

const pageState = (page) =>
  page.evaluate(() => ({
    image: window.pf.image.name,
    slots: window.pf.slots.map((s) => ({ ...s })),
    view: { ...window.pf.view },
    unc: document.getElementById("unc-toggle").checked,
    uncOpacity: document.getElementById("unc-opacity").value,
  }));

/** A reload shows the same image, channels, display windows, overlays and view. */
async function reloadKeepsState(page, image) {
  await page.locator("#unc-opacity").fill("55");
  await page.waitForTimeout(400); // the state is written 250 ms after the last change
  const before = await pageState(page);
  await page.reload();
  await waitFor("the page after the reload", () => page.evaluate(() => !!(window.pf.base && window.pf.labels)), 60_000);
  await page.waitForTimeout(300);
  const after = await pageState(page);
  assert(JSON.stringify(after) === JSON.stringify(before), `reload kept the state:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
  assert(after.image === image.name, "same image");
  log(`reload kept ${JSON.stringify(after)}`);
}

/** Pixels of the prediction bitmap on screen that have exactly colour `rgb`. */
const predictionPixelsOf = (page, rgb) =>
  page.evaluate((rgb) => {
    const bmp = window.pf.pred, c = new OffscreenCanvas(bmp.width, bmp.height), g = c.getContext("2d");
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) n += d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2] && d[i + 3] > 0;
    return n;
  }, rgb);

/** The regression: a recoloured class kept its old colour in the prediction until the next training. */
async function recolourRepaintsPrediction(page) {
  const green = [0, 255, 0];
  assert((await predictionPixelsOf(page, green)) === 0, "no green in the prediction before");
  await page.locator('.class-row[data-index="0"] input[type=color]').fill("#00ff00");
  const n = await waitFor("the prediction in the new colour", () => predictionPixelsOf(page, green), 20_000);
  log(`recoloured class 1: ${n} prediction pixels repainted without training`);
}

/** A restarted server loads classifier.pxf: the page shows the prediction without training. */
async function restartReloadsModel(page, project, port, server) {
  server.child.stopping = true;
  await new Promise((resolve) => {
    server.child.once("exit", resolve);
    server.child.kill("SIGTERM");
  });
  const restarted = startServer(project, port);
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the restarted server", async () => (await fetch(`${base}/api/status`)).ok, 30_000);
  const status = await (await fetch(`${base}/api/status`)).json();
  assert(status.state === "ready" && status.model_file === "classifier.pxf", `restart loaded the model: ${JSON.stringify(status)}`);
  await page.reload();
  await waitFor("the prediction of the loaded model", () => page.evaluate(() => window.pf.shownGeneration >= 1 && !!window.pf.pred), 60_000);
  assert(/loaded from classifier\.pxf/.test(await statusText(page)), `status line: ${await statusText(page)}`);
  log("restarted server loaded classifier.pxf");
  return restarted;
}

const watchdog = setTimeout(async () => {
  console.error(`[e2e] FAILED: whole test exceeded ${TOTAL_TIMEOUT_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

async function cleanup() {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (_) {
      // best effort: keep cleaning up
    }
  }
  cleanups.length = 0;
}

try {
  await main();
  log("PASSED");
} catch (e) {
  failed = true;
  console.error(`[e2e] FAILED: ${e.stack || e.message}`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(failed ? 1 : 0);
