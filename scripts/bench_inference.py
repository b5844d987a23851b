"""Benchmark of `reconstruct` as `ein_hdr predict` runs it: seconds and peak memory per image, num_c 32.

Run:  OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_inference.py [--sizes 512x512 1024x1024 1536x2048 4000x6000]
Each size runs in a fresh process: the input is ../shared/data/sdr/068.png resized to that size; images above 4 MP are
processed in 1024² tiles (64-pixel overlap), as the CLI does by default, with the CLI's memory policy (huge pages). Random weights (timing does not depend on them).
"""
import argparse, json, os, subprocess, sys, time
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

def one(h, w, num_c, tile):
    os.environ.setdefault('THP_MEM_ALLOC_ENABLE', '1')                  # as the ein_hdr command does
    import resource, numpy as np, torch
    from ein_hdr.core import read_sdr, shared_path
    from ein_hdr.data import resize_area
    from ein_hdr.model import EIN
    from ein_hdr.inference import reconstruct
    img = read_sdr(shared_path('data', 'sdr', '068.png'))
    img = np.round(resize_area(img, (h, w)).clip(0, 1) * 255).astype(np.uint8)
    torch.manual_seed(0); m = EIN(num_c=num_c).eval()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    t = time.perf_counter(); out = reconstruct(m, img, tile=tile); s = time.perf_counter() - t
    assert out.shape == (h, w, 3) and np.isfinite(out).all()
    return dict(seconds=s, peak_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, before_gib=base)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', nargs='+', default=['512x512', '1024x1024', '1536x2048', '4000x6000'])
    ap.add_argument('--num_c', type=int, default=32); ap.add_argument('--tile', type=int, default=None)
    ap.add_argument('--one', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        h, w = map(int, a.one.split('x')); print(json.dumps(one(h, w, a.num_c, a.tile))); return
    print(f"reconstruct(), EIN num_c={a.num_c}, CPU threads={__import__('torch').get_num_threads()}; peak = max RSS of a fresh process")
    print(f"{'size':>12s} {'MP':>6s} {'seconds':>9s} {'s/MP':>7s} {'peak GiB':>9s}")
    for sz in a.sizes:
        cmd = [sys.executable, __file__, '--one', sz, '--num_c', str(a.num_c)] + (['--tile', str(a.tile)] if a.tile else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode: print(sz, 'failed:', r.stderr[-1500:]); continue
        d = json.loads(r.stdout.strip().splitlines()[-1]); h, w = map(int, sz.split('x')); mp = h * w / 1e6
        print(f"{w}×{h:<7d} {mp:6.2f} {d['seconds']:9.1f} {d['seconds'] / mp:7.1f} {d['peak_gib']:9.2f}", flush=True)

if __name__ == '__main__': main()
