"""Soak test of `pixelforest serve` on loopback: concurrent label saves and trainings.

20 clients, each owning one 64x64 crop, save random label maps (2,000 saves in all) and ask
for a training every 10th save (200 requests); the run is bounded to 5 minutes and stops by
itself. At the end every label file must hold exactly the last map its client saved (nothing
lost, nothing torn), no temporary file may be left, and the server's RSS is reported at the
start (after one warm-up training) and at the end.

    cargo build --release
    python3 e2e/serve_soak.py target/release/pixelforest [ROUNDS]
ROUNDS (default 1) repeats the whole load, to see whether RSS keeps growing or levels off; the
RSS after each round is reported.
(pip install numpy tifffile pillow)
"""
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import tifffile
from PIL import Image

CLIENTS, SAVES_PER_CLIENT, TRAIN_EVERY, DEADLINE_S = 20, 100, 10, 300
H = W = 64
PORT = 18000 + os.getpid() % 1000


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def request(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"content-type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def rle(labels):
    flat = labels.ravel()
    runs, start = [], 0
    for i in range(1, len(flat) + 1):
        if i == len(flat) or flat[i] != flat[start]:
            runs += [int(flat[start]), i - start]
            start = i
    return json.dumps({"width": W, "height": H, "runs": runs}).encode()


def scribbles(rng):
    labels = np.zeros((H, W), np.uint8)
    for cls in (1, 2, 3):
        for _ in range(3):
            y, x = rng.randrange(H - 4), rng.randrange(W - 8)
            labels[y : y + 3, x : x + 8] = cls
    return labels


def make_project(root):
    os.makedirs(f"{root}/crops")
    yy, xx = np.mgrid[0:H, 0:W]
    for i in range(CLIENTS):
        nuclei = np.exp(-(((yy - 20 - i) % H - 32) ** 2 + (xx - 32) ** 2) / 60.0)
        stack = np.stack([100 * nuclei + i, 50 * (1 - nuclei) + xx % 7]).astype(np.float32)
        tifffile.imwrite(f"{root}/crops/c{i:02d}.tiff", stack)
    with open(f"{root}/pixelforest.json", "w") as f:
        json.dump({"features": "sigma>=1", "n_trees": 20, "seed": 1}, f)


def client(index, image_id, last, errors, stop_at):
    rng = random.Random(index)
    for n in range(SAVES_PER_CLIENT):
        if time.time() > stop_at:
            errors.append(f"client {index}: deadline after {n} saves")
            return
        labels = scribbles(rng)
        status, body = request("PUT", f"/api/images/{image_id}/labels", rle(labels))
        if status != 200:
            errors.append(f"client {index}: save {n}: {status} {body[:200]!r}")
            continue
        last[index] = labels
        if n % TRAIN_EVERY == TRAIN_EVERY - 1:
            status, body = request("POST", "/api/train")
            if status not in (200, 202):
                errors.append(f"client {index}: train: {status} {body[:200]!r}")


def main():
    binary = sys.argv[1]
    root = tempfile.mkdtemp(prefix="pf_soak_")
    make_project(root)
    server = subprocess.Popen(
        [binary, "serve", root, "--port", str(PORT), "--no-open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                status, body = request("GET", "/api/images")
                break
            except OSError:
                time.sleep(0.1)
        images = json.loads(body)
        ids = {im["name"]: im["id"] for im in images}
        # Warm up: one save and one training, so the start RSS includes a loaded model.
        warm = scribbles(random.Random(99))
        request("PUT", f"/api/images/{ids['crops/c00.tiff']}/labels", rle(warm))
        request("POST", "/api/train")
        while json.loads(request("GET", "/api/status")[1])["state"] == "training":
            time.sleep(0.2)
        start_rss = rss_kb(server.pid)
        rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
        last, errors, round_rss = [None] * CLIENTS, [], []
        started = time.time()
        stop_at = started + DEADLINE_S
        for _ in range(rounds):
            threads = [
                threading.Thread(target=client, args=(i, ids[f"crops/c{i:02d}.tiff"], last, errors, stop_at))
                for i in range(CLIENTS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            while json.loads(request("GET", "/api/status")[1])["state"] == "training" and time.time() < stop_at + 60:
                time.sleep(0.2)
            round_rss.append(round(rss_kb(server.pid) / 1024, 1))
        elapsed = time.time() - started
        status = json.loads(request("GET", "/api/status")[1])
        end_rss = rss_kb(server.pid)
        lost = 0
        for i in range(CLIENTS):
            path = f"{root}/labels/crops/c{i:02d}_labels.png"
            on_disk = np.asarray(Image.open(path))
            if last[i] is None or not np.array_equal(on_disk, last[i]):
                lost += 1
                errors.append(f"{path}: not the last map saved")
        leftovers = [n for _, _, files in os.walk(root) for n in files if n.endswith(".tmp")]
        print(
            json.dumps(
                {
                    "saves": rounds * CLIENTS * SAVES_PER_CLIENT,
                    "train_requests": rounds * CLIENTS * SAVES_PER_CLIENT // TRAIN_EVERY,
                    "trainings_run": status.get("generation"),
                    "seconds": round(elapsed, 1),
                    "lost_or_corrupt_label_files": lost,
                    "temporary_files_left": len(leftovers),
                    "rss_start_mb": round(start_rss / 1024, 1),
                    "rss_end_mb": round(end_rss / 1024, 1),
                    "rss_after_each_round_mb": round_rss,
                    "errors": errors[:10],
                }
            )
        )
        ok = not errors and lost == 0 and not leftovers
        print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
