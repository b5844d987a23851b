"""Benchmark: reference path (the authors' way) vs fast path, seconds and peak memory, in one table.

Run:  OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_ein.py            (about 15 minutes on 2 cores)
      OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_ein.py --quick    (512² and the training step only)
      ... --device cuda                                                      (on a GPU: also images/s)
Each case runs in a fresh process (peak memory = that process's maximum resident set, or CUDA max allocated),
with one warm-up run and the median of --runs timed runs. Weights are random (timing does not depend on them).
CPU memory policy of the fast path (--alloc): 'thp' (default, as the ein_hdr command: torch's large blocks on
transparent huge pages), 'reuse' (malloc keeps freed memory: fastest, but the heap fragments) or 'system'.
The training step's fast path always uses 'reuse', as `ein_hdr train` does on CPU (every step allocates the same
blocks, so the heap settles).
The reference path always runs with the system allocator, as the authors' code does.
"""
import argparse, json, os, subprocess, sys, time
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

def case(path, h, w, runs, num_c, device, batch, alloc='thp'):
    fast = path == 'fast'
    if batch > 1: alloc = 'reuse'                   # a training step: as `ein_hdr train` runs on CPU
    if fast and alloc == 'thp': os.environ['THP_MEM_ALLOC_ENABLE'] = '1'      # before torch's first allocation
    import resource, statistics, torch
    from ein_hdr.model import EIN, reuse_freed_memory
    from ein_hdr.losses import EINLoss
    if fast and device == 'cpu' and alloc == 'reuse': reuse_freed_memory()
    torch.manual_seed(0)
    m = EIN(num_c=num_c, fast=fast).to(device)
    cl = fast and device != 'cpu' or (fast and os.environ.get('EIN_BENCH_CL', '1') == '1')
    if cl: m = m.to(memory_format=torch.channels_last)
    x = torch.rand(batch, 3, h, w, device=device)
    if cl: x = x.contiguous(memory_format=torch.channels_last)
    sync = (lambda: torch.cuda.synchronize()) if device.startswith('cuda') else (lambda: None)
    if batch > 1:                                          # a training step: forward + loss + backward + Adam
        m.train(); opt = torch.optim.Adam(m.parameters(), 1e-4); crit = EINLoss(); y = torch.rand_like(x)
        fwd = (lambda: m(x)) if fast else (lambda: m.forward_reference(x, keep=False))
        def step():
            loss, _ = crit(fwd(), y, x); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        f = step
    else:
        m.eval()
        def f():
            with torch.inference_mode(): (m(x) if fast else m.forward_reference(x))
    f(); sync()
    if device.startswith('cuda'): torch.cuda.reset_peak_memory_stats()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); sync(); ts.append(time.perf_counter() - t)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.startswith('cuda') else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return dict(seconds=statistics.median(ts), peak_gib=peak)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true'); ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--num_c', type=int, default=32); ap.add_argument('--device', default='cpu')
    ap.add_argument('--alloc', default='thp', choices=['thp', 'reuse', 'system'], help="the fast path's CPU memory policy")
    ap.add_argument('--case', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        path, h, w, runs, b = a.case.split(',')
        print(json.dumps(case(path, int(h), int(w), int(runs), a.num_c, a.device, int(b), a.alloc))); return
    sizes = [('512²', 512, 512, a.runs, 1), ('train 224², batch 8', 224, 224, a.runs, 8)]
    if not a.quick: sizes[1:1] = [('1024²', 1024, 1024, a.runs, 1), ('2048×1536', 1536, 2048, max(1, a.runs - 1), 1)]
    rows = []
    for label, h, w, runs, b in sizes:
        r = {}
        for path in ('reference', 'fast'):
            out = subprocess.run([sys.executable, __file__, '--case', f'{path},{h},{w},{runs},{b}', '--num_c', str(a.num_c), '--device', a.device, '--alloc', a.alloc],
                                 capture_output=True, text=True)
            if out.returncode: print(out.stderr[-2000:]); r[path] = dict(seconds=float('nan'), peak_gib=float('nan')); continue
            r[path] = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((label, b, r)); print_table(rows, a)

def print_table(rows, a):
    print(f"\nEIN num_c={a.num_c} on {a.device}, median of timed runs after a warm-up; peak = {'CUDA max allocated' if a.device != 'cpu' else 'max RSS of the process'}"
          f"{'' if a.device != 'cpu' else f'; fast path memory policy: {a.alloc}'}")
    print(f"{'case':22s} {'ref s':>8s} {'fast s':>8s} {'speed-up':>9s} {'ref GiB':>8s} {'fast GiB':>9s} {'mem ratio':>10s} {'fast img/s':>11s}")
    for label, b, r in rows:
        R, F = r['reference'], r['fast']
        print(f"{label:22s} {R['seconds']:8.2f} {F['seconds']:8.2f} {R['seconds'] / F['seconds']:8.2f}× {R['peak_gib']:8.2f} {F['peak_gib']:9.2f} "
              f"{F['peak_gib'] / R['peak_gib']:9.2f}× {b / F['seconds']:11.2f}", flush=True)

if __name__ == '__main__': main()
