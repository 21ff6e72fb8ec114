"""Time from a finished stroke to the retrained overlay, split into its parts, through the HTTP API
of `pixelforest serve` (the page's own waits are added from its constants).

Builds a 500x500 crop (`synth --size 300`, `prepare --crop-size 500`: 12 channels), opens it as the
page does (reads its labels), labels three classes with strokes as the end-to-end test draws them
(6 px brush), then ROUNDS times: adds one
short stroke, saves the labels (PUT), asks for a training, waits for it (polling every 10 ms, so the
wait measured is the training's), and fetches the prediction overlay. Round 1 is the first training
on the image (nothing cached); the later rounds are live updates.

    python3 e2e/overlay_latency.py target/debug/pixelforest [ROUNDS] [--poll-ms N] [--debounce-ms N]

--poll-ms / --debounce-ms: the page's status poll interval and autosave wait, added to the total as
the expected wait (debounce + half a poll interval); pass the values of the page version measured.
server_cpu_s: the CPU time the server used for the round (all threads), which a shared machine's load
changes much less than the wall times.
(numpy only.)
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

PORT = 19000 + os.getpid() % 1000
BRUSH = 6


def request(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    headers = {"content-type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status >= 400 and resp.status != 409:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:200]!r}")
    return resp.status, data


def rle(labels):
    flat = labels.ravel()
    change = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(flat)]])
    runs = np.empty(2 * len(starts), dtype=np.int64)
    runs[0::2] = flat[starts]
    runs[1::2] = ends - starts
    h, w = labels.shape
    return json.dumps({"width": w, "height": h, "runs": runs.tolist()}).encode()


def line(labels, value, p, q):
    """A stroke of BRUSH px from p to q (x, y), stamped as the page stamps discs."""
    h, w = labels.shape
    yy, xx = np.mgrid[0:h, 0:w]
    n = int(np.ceil(np.hypot(q[0] - p[0], q[1] - p[1]) / max(0.5, BRUSH / 4))) or 1
    r = BRUSH / 2
    for k in range(n + 1):
        cx = p[0] + (q[0] - p[0]) * k / n
        cy = p[1] + (q[1] - p[1]) * k / n
        x0, x1 = max(0, int(cx - r)), min(w, int(np.ceil(cx + r)))
        y0, y1 = max(0, int(cy - r)), min(h, int(np.ceil(cy + r)))
        sub = (xx[y0:y1, x0:x1] + 0.5 - cx) ** 2 + (yy[y0:y1, x0:x1] + 0.5 - cy) ** 2 <= r * r
        labels[y0:y1, x0:x1][sub] = value


def cpu_seconds(pid):
    """User + system CPU time the server has used (the machine may be shared: wall times vary with
    its load, CPU time much less)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status():
    return json.loads(request("GET", "/api/status")[1])


def train_round(labels, image_id):
    t0 = time.perf_counter()
    request("PUT", f"/api/images/{image_id}/labels", rle(labels))
    t_save = time.perf_counter() - t0
    before = status()["generation"]
    t1 = time.perf_counter()
    request("POST", "/api/train")
    while True:
        st = status()
        if st["state"] == "error":
            raise RuntimeError(st["error"])
        if st["state"] == "ready" and st["generation"] > before:
            break
        time.sleep(0.01)
    t_train = time.perf_counter() - t1
    t2 = time.perf_counter()
    request("GET", f"/api/images/{image_id}/prediction.png?g={st['generation']}")
    t_render = time.perf_counter() - t2
    return t_save, t_train, st["seconds"], t_render


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("rounds", type=int, nargs="?", default=4)
    parser.add_argument("--poll-ms", type=float, default=400)
    parser.add_argument("--debounce-ms", type=float, default=600)
    a = parser.parse_args()
    binary, rounds, poll_ms, debounce_ms = os.path.abspath(a.binary), a.rounds, a.poll_ms, a.debounce_ms
    root = tempfile.mkdtemp(prefix="pixelforest-latency-")
    try:
        run = lambda *a: subprocess.run([binary, *a], check=True, capture_output=True)
        run("synth", "--images", "1", "--size", "300", "--out", f"{root}/tiff")
        run("prepare", f"{root}/tiff", "--out", f"{root}/tiff", "--crops", f"{root}/ilastik",
            "--crop-size", "500", "--crops-per-image", "1")
        server = subprocess.Popen([binary, "serve", root, "--port", str(PORT), "--no-open"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    images = json.loads(request("GET", "/api/images")[1])
                    break
                except OSError:
                    time.sleep(0.1)
            image = images[0]
            h, w = image["height"], image["width"]
            print(f"image {image['name']}: {w}x{h}x{len(image['channels'])}")
            request("GET", f"/api/images/{image['id']}/labels")  # the page opens the image so
            labels = np.zeros((h, w), np.uint8)
            for k in range(3):
                y = (k + 0.5) / 3 * h
                line(labels, k + 1, (0.15 * w, y), (0.45 * w, y))
                line(labels, k + 1, (0.55 * w, y - 0.05 * h), (0.85 * w, y + 0.05 * h))
            print(f"labelled pixels: {int((labels > 0).sum())}; page waits: autosave {debounce_ms:.0f} ms, "
                  f"poll every {poll_ms:.0f} ms (expected wait {debounce_ms + poll_ms / 2:.0f} ms)")
            print("round  save_s  train_wall_s  train_server_s  overlay_s  api_total_s  expected_total_s  server_cpu_s")
            for r in range(rounds):
                y = 0.9 * h - 4 * r
                line(labels, 2, (0.2 * w, y), (0.3 * w, y + 0.05 * h))
                cpu = cpu_seconds(server.pid)
                s, t, ts, o = train_round(labels, image["id"])
                cpu = cpu_seconds(server.pid) - cpu
                api = s + t + o
                print(f"{r + 1:5d}  {s:6.3f}  {t:12.3f}  {ts:14.3f}  {o:9.3f}  {api:11.3f}  "
                      f"{api + (debounce_ms + poll_ms / 2) / 1000:16.3f}  {cpu:12.2f}")
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
