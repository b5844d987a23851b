"""Benchmark of `ein_hdr video` (convert_video) with the shipped model: frames per second at 720p and 1080p, median of runs.

Run:  OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_video.py [--sizes 1280x720 1920x1080] [--frames 2] [--runs 3] [--device cuda --batch 8]

The input of each size is ../shared/data/sdr/068.png resized to it and panned by 8 pixels a frame, encoded as H.264 (CRF 23)
by `write_sdr_video`; every run converts it to HDR10 (HEVC Main 10, x265 preset medium, CRF 18) in one process after a
warm-up frame. Columns: the whole command stabilised (the default) and frame by frame (--frame-by-frame), the network's
seconds per frame (inside the stabilised runs), the stabiliser's milliseconds per frame, and the rest of the pipeline
(decoding, colour conversion, encoding, the final remux) per frame, as it adds to the network when the threads overlap.
"""
import argparse, os, statistics, sys, tempfile, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', nargs='+', default=['1280x720', '1920x1080'])
    ap.add_argument('--frames', type=int, default=2); ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--device', default=None); ap.add_argument('--batch', type=int, default=None)
    a = ap.parse_args()
    import numpy as np, torch
    from ein_hdr.core import read_sdr, shared_path
    from ein_hdr.data import resize_area
    from ein_hdr.inference import load_model
    from ein_hdr.fast import resolve_device
    from ein_hdr.video import convert_video, write_sdr_video, VideoConfig
    dev = resolve_device(a.device); model = load_model(device=dev)
    print(f"convert_video to HDR10, shipped model (num_c={model.config.num_c}), {dev}, torch threads {torch.get_num_threads()}, "
          f"{a.frames} frames per run, median of {a.runs} runs")
    print(f"{'size':>10s} {'frames/s':>9s} {'frames/s':>13s} {'network':>9s} {'stabiliser':>11s} {'rest':>8s}")
    print(f"{'':>10s} {'stabilised':>9s} {'frame by frame':>13s} {'s/frame':>9s} {'ms/frame':>11s} {'s/frame':>8s}")
    photo = read_sdr(shared_path('data', 'sdr', '068.png'))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for sz in a.sizes:
            w, h = map(int, sz.split('x'))
            big = np.clip(resize_area(photo, (h, w + 8 * a.frames)), 0, 1)
            src = write_sdr_video(tmp/f'{sz}.mp4', [big[:, 8 * i:8 * i + w] for i in range(a.frames)])
            cfg = VideoConfig(device=a.device, batch=a.batch, progress=False)
            convert_video(src, tmp/'warm.mp4', cfg, model=model, log=lambda *x: None, max_frames=1, overwrite=True)
            fps, fps_fb, net, stab, rest = [], [], [], [], []
            for _ in range(a.runs):
                r = convert_video(src, tmp/'out.mp4', cfg, model=model, log=lambda *x: None, overwrite=True)
                fps.append(r['frames'] / r['seconds']); net.append(r['model_seconds'] / r['frames'])
                stab.append(1000 * r['stabilize_seconds'] / r['frames']); rest.append(r['seconds'] / r['frames'] - net[-1] - stab[-1] / 1000)
                r = convert_video(src, tmp/'out.mp4', cfg, model=model, log=lambda *x: None, overwrite=True, frame_by_frame=True)
                fps_fb.append(r['frames'] / r['seconds'])
            m = statistics.median
            print(f"{w}×{h:<5d} {m(fps):9.3f} {m(fps_fb):13.3f} {m(net):9.2f} {m(stab):11.1f} {m(rest):8.2f}", flush=True)

if __name__ == '__main__': main()
