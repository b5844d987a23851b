"""Benchmark on the CPU (or a GPU): the authors' EIN as they publish it against ours as a Python user calls it.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_ein.py --authors PATH     (about 20 minutes on 2 cores)
    ... --quick                     512² and 1024² only
    ... --cases 1024 2048x1536      these rows only (512, 1024, 2048x1536, train)
    ... --device cuda               on a GPU
    ... --also old=/tmp/old_ein     one more column: `ours` run with another ein_hdr (the folder that holds its package)

PATH is a checkout of the authors' code (github.com/Yliu724/EIN; their model.py is imported from it, nothing of it is
copied here). Rows: inference at 512², 1024² and 2048×1536 (batch 1) and a training step (224², batch 8, the EIN loss
without the VGG term, Adam). Columns, each case in a fresh process with no environment variables of ours set:
- authors: their `EIN()`, called as their test script does (`model(ldr, ldr, mask_down, mask_up)` under no_grad);
- ours: `EIN()` from ein_hdr.model called the same way (`model(ldr, mask_down, mask_up)` under no_grad), default settings
  (the training step as the trainer runs it on the CPU: channels_last, malloc keeping freed memory, recomputation);
- reference: our reference path (the authors' arithmetic and their memory use, every block output kept);
- ours-bf16: `ours` under bf16 autocast (`--precision bf16`, for CPUs with native bf16);
- train-cli: the training row as users run it: `python -m ein_hdr train` at its default precision on a small dataset made
  from ../shared/data/hdr (paper mode, the VGG term off, num_workers 0); seconds = 8 / the median of log.csv's per-step
  images/s (waiting for data included) after two warm-up steps; GiB = that process's peak resident set;
- train-cli-fp32, train-cli-bf16: the same with `--precision fp32` or `--precision bf16`;
- predict: `predict(model, sdr_uint8)`, masks and padding included;
- NAME (`--also NAME=PATH`, repeatable): the `ours` case again, with the ein_hdr package found in PATH (e.g. an older
  version of ours, `git archive <commit> ein_hdr | tar -x -C PATH`), to compare versions in one run; with the train-cli
  column asked for, `NAME train-cli` runs that version's `ein_hdr train` too.
Both networks carry the same random weights (timing does not depend on them). Agreement is measured with trained weights:
the authors' golden checkpoint (../shared/golden, num_c 8) in both networks, on the same input at each size; max|Δ| is
the largest difference between the two outputs (values in [0, 1]). Times are medians of --runs runs after a warm-up;
memory is the process's peak resident set (CPU) or torch.cuda.max_memory_allocated (GPU).
"""
import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path

CASES = [('512²', 512, 512, 1), ('1024²', 1024, 1024, 1), ('2048×1536', 1536, 2048, 1), ('train 224², batch 8', 224, 224, 8)]
CASE_KEYS = ('512', '1024', '2048x1536', 'train')            # --cases names them
PATHS = ('authors', 'ours', 'ours-bf16', 'reference', 'predict', 'train-cli', 'train-cli-fp32', 'train-cli-bf16')
TRAIN_ONLY = ('train-cli', 'train-cli-fp32', 'train-cli-bf16')                   # columns of the training row only

def _authors_model(authors:str, num_c:int):
    sys.path.insert(0, str(Path(authors).resolve()))
    from model import EIN as AuthorsEIN                       # their model.py, imported from their checkout
    return AuthorsEIN(num_c=num_c)

def _input(batch, h, w):
    import torch
    g = torch.Generator().manual_seed(1)
    return (torch.rand(batch, 3, h, w, generator=g) * 255).round().to(torch.uint8)

def agreement(h:int, w:int, device:str, authors:str)->float:
    "Largest difference between the authors' output and ours with their golden (trained) weights, at this size."
    import torch
    from ein_hdr.core import shared_path
    from ein_hdr.model import load_official_checkpoint, exposure_masks
    sd = torch.load(shared_path('golden', 'ein_c8_golden.pt'), weights_only=True)['state_dict']
    theirs = _authors_model(authors, 8); theirs.load_state_dict(sd); theirs = theirs.to(device).eval()
    ours = load_official_checkpoint(sd, device=device)
    x = (_input(1, h, w).float() / 255).to(device); md, mu = exposure_masks(x)
    with torch.no_grad(): return float((theirs(x, x, md, mu) - ours(x, md, mu)).abs().max())

def _reuse_freed_memory():
    "The trainer's malloc policy, from whichever ein_hdr this process runs (older versions kept it in ein_hdr.model)."
    try: from ein_hdr.fast import reuse_freed_memory
    except ImportError: from ein_hdr.model import reuse_freed_memory
    return reuse_freed_memory()

def _reference(m):
    "Our reference path with the authors' memory use (every block output kept), from whichever ein_hdr this process runs."
    try: from ein_hdr.fast import forward_kept
    except ImportError: return m.forward_reference                 # older versions: forward_reference(keep=True) did it
    return lambda *a: forward_kept(m, *a)

def train_data(root:Path)->Path:
    "A small training set in the paper's layout (8 crops of 256² from each photograph of ../shared/data/hdr, 2 exposures each), made once."
    if not (root/'train.xls').exists():
        from ein_hdr.data import make_dataset
        from ein_hdr.core import shared_path
        make_dataset(shared_path('data', 'hdr'), root, valid_fraction=0, exposures=2, crops=8, size=256, progress=False, log=lambda *a: None)
    return root

def train_cli(h:int, batch:int, runs:int, num_c:int, device:str, precision:str, data:str)->dict:
    "`python -m ein_hdr train` in a child process: 8 / median per-step images/s after two warm-up steps, and its peak RSS."
    import csv, resource, tempfile
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, '-m', 'ein_hdr', 'train', '--root_path', data, '--num_c', str(num_c), '--crop_size', str(h),
               '--batch_size', str(batch), '--no-perceptual', '--max_steps', str(runs + 2), '--valid_freq', '0',
               '--checkpoints_freq', '0', '--device', device, '--out_dir', out, '--quiet'] + (['--precision', precision] if precision else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode: raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
        logs = list(Path(out).rglob('log.csv'))
        rows = [r for r in csv.DictReader(logs[0].open()) if r.get('imgs_per_s')]
        ips = [float(r['imgs_per_s']) for r in rows if int(r['step'] or 0) > 2 and not r.get('epoch_s')][:runs]   # step rows, not epochs'
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    return dict(seconds=batch / statistics.median(ips), peak_gib=peak, imgs_per_s=statistics.median(ips))

def case(path:str, h:int, w:int, batch:int, runs:int, num_c:int, device:str, authors:str|None, data:str|None=None)->dict:
    "One measurement in this (fresh) process."
    if path in TRAIN_ONLY: return train_cli(h, batch, runs, num_c, device, path.split('-')[-1] if path != 'train-cli' else None, data)
    import resource, torch
    from ein_hdr.model import EIN, exposure_masks, predict, to_official_state_dict
    from ein_hdr.losses import EINLoss
    if path == 'agreement': return dict(max_diff=agreement(h, w, device, authors))
    amp = path == 'ours-bf16'; path = 'ours' if amp else path
    torch.manual_seed(0)
    ours = EIN(num_c=num_c, head_init='linear')
    m = ours
    if path == 'authors':
        m = _authors_model(authors, num_c); m.load_state_dict(to_official_state_dict(ours))
    m = m.to(device)
    sdr = _input(batch, h, w)
    x = (sdr.float() / 255).to(device); md, mu = exposure_masks(x)
    call = {'authors': lambda: m(x, x, md, mu), 'ours': lambda: m(x, md, mu), 'reference': lambda: _reference(m)(x, md, mu),
            'predict': lambda: predict(m, sdr)}[path]
    sync = (lambda: torch.cuda.synchronize()) if device.startswith('cuda') else (lambda: None)
    if batch > 1:                                            # a training step
        m.train(); opt = torch.optim.Adam(m.parameters(), 1e-4); crit = EINLoss(); y = torch.rand_like(x)
        if path == 'ours' and device == 'cpu':               # as `ein_hdr train` runs on the CPU: channels_last, freed memory kept, recomputation
            _reuse_freed_memory(); m.recompute = True           # (older versions of ours ignore the attribute)
            m = m.to(memory_format=torch.channels_last); x, md, mu = (t.contiguous(memory_format=torch.channels_last) for t in (x, md, mu))
        fwd = call if path != 'predict' else (lambda: m(x, md, mu))
        def f():
            with torch.autocast(device.split(':')[0], dtype=torch.bfloat16, enabled=amp): pred = fwd()
            loss, _ = crit(pred.float(), y, x); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    else:
        m.eval()
        def f():
            with torch.no_grad(), torch.autocast(device.split(':')[0], dtype=torch.bfloat16, enabled=amp): return call()
    f(); sync()
    if device.startswith('cuda'): torch.cuda.reset_peak_memory_stats()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); sync(); ts.append(time.perf_counter() - t)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.startswith('cuda') else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return dict(seconds=statistics.median(ts), peak_gib=peak)

def run_case(a, path, h, w, b, runs)->dict:
    env = {k: v for k, v in os.environ.items() if k not in ('THP_MEM_ALLOC_ENABLE',)}
    also, name, _, tail = dict(a.also), *path.partition(' ')
    if name in also:                                          # `ours` (or `NAME train-cli`), with the ein_hdr package found in that folder
        env['PYTHONPATH'] = os.pathsep.join([also[name]] + [p for p in [env.get('PYTHONPATH')] if p]); path = tail or 'ours'
    cmd = [sys.executable, __file__, '--case', f'{path},{h},{w},{b},{runs}', '--num_c', str(a.num_c), '--device', a.device]
    if a.authors: cmd += ['--authors', a.authors]
    if path in TRAIN_ONLY: cmd += ['--data', str(train_data(Path(a.work)/'train_data'))]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode: print(p.stderr[-2000:], file=sys.stderr); return dict(seconds=float('nan'), peak_gib=float('nan'), max_diff=float('nan'))
    return json.loads(p.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--authors', default=os.environ.get('EIN_AUTHORS_DIR'), help="a checkout of the authors' code (their model.py)")
    ap.add_argument('--quick', action='store_true'); ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--cases', nargs='+', choices=CASE_KEYS, default=None, help='only these rows (default: all, or 512 and 1024 with --quick)')
    ap.add_argument('--num_c', type=int, default=32); ap.add_argument('--device', default='cpu')
    ap.add_argument('--paths', nargs='+', default=list(PATHS), choices=PATHS)
    ap.add_argument('--json', default=None, help='also write the results here')
    ap.add_argument('--also', action='append', default=[], type=_also, metavar='NAME=PATH',
                    help='one more column: the `ours` case run with the ein_hdr package in folder PATH (e.g. an older version)')
    ap.add_argument('--work', default=None, help='folder for the training columns\' small dataset (default: a temporary one)')
    ap.add_argument('--case', default=None, help=argparse.SUPPRESS); ap.add_argument('--data', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        path, h, w, b, runs = a.case.split(',')
        print(json.dumps(case(path, int(h), int(w), int(b), int(runs), a.num_c, a.device, a.authors, a.data))); return
    if a.work is None: import tempfile; a.work = tempfile.mkdtemp(prefix='bench_ein_')
    paths = [p for p in a.paths if p != 'authors' or a.authors] + [n for n, _ in a.also]
    paths += [f'{n} train-cli' for n, _ in a.also if 'train-cli' in a.paths]          # `ein_hdr train` of that version too
    if 'authors' in a.paths and not a.authors: print("no --authors checkout given: the authors' column is left out", file=sys.stderr)
    cases = [CASES[CASE_KEYS.index(k)] for k in a.cases] if a.cases else CASES[:2] if a.quick else CASES
    rows = []
    for label, h, w, b in cases:
        runs = a.runs if h * w <= 1024 * 1024 else max(1, a.runs - 1)
        r = {p: run_case(a, p, h, w, b, runs) for p in paths if not (b > 1 and p == 'predict') and not (b == 1 and p.split(' ')[-1] in TRAIN_ONLY)}
        if b == 1 and a.authors: r['max_diff'] = run_case(a, 'agreement', h, w, 1, 1).get('max_diff', float('nan'))
        rows.append(dict(case=label, **r)); print_table(rows, a, paths)
    if a.json: Path(a.json).write_text(json.dumps(dict(device=a.device, num_c=a.num_c, rows=rows), indent=1))

def _also(s:str)->tuple:
    "NAME=PATH of --also: PATH must hold an ein_hdr package."
    name, _, path = s.partition('=')
    if not name or not path: raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {s!r}")
    if name in PATHS: raise argparse.ArgumentTypeError(f"{name!r} is one of the built-in columns {PATHS}; choose another name")
    if not (Path(path)/'ein_hdr'/'__init__.py').exists(): raise argparse.ArgumentTypeError(f"{path}: holds no ein_hdr package (no ein_hdr/__init__.py)")
    return name, str(Path(path).resolve())

def print_table(rows, a, paths):
    print(f"\nEIN num_c={a.num_c} on {a.device}; seconds: median of timed runs after a warm-up; GiB: peak "
          f"{'CUDA memory allocated' if a.device != 'cpu' else 'resident set of the process'}; ratios against the authors' code")
    w = {p: max(12, len(p) + 6) for p in paths}
    head = f"{'case':20s}" + ''.join(f"{p + ' s':>{w[p]}s}" for p in paths) + ''.join(f"{p + ' GiB':>{w[p]}s}" for p in paths)
    mine = [p for p in paths if p in ('ours', 'ours-bf16') or p.split(' ')[-1] in TRAIN_ONLY or p in dict(a.also)]       # the columns compared with the authors'
    if 'authors' in paths: head += ''.join(f"{'speed-up ' + p:>{w[p] + 9}s}{'memory ' + p:>{w[p] + 7}s}" for p in mine) + f"{'max|Δ|':>9s}"
    print(head)
    for r in rows:
        s = f"{r['case']:20s}" + ''.join(f"{r[p]['seconds']:{w[p]}.3f}" if p in r else ' ' * w[p] for p in paths)
        s += ''.join(f"{r[p]['peak_gib']:{w[p]}.2f}" if p in r else ' ' * w[p] for p in paths)
        if 'authors' in r:
            s += ''.join(f"{r['authors']['seconds'] / r[p]['seconds']:{w[p] + 8}.2f}×{r[p]['peak_gib'] / r['authors']['peak_gib']:{w[p] + 6}.2f}×" if p in r
                         else ' ' * (2 * w[p] + 16) for p in mine)
            s += f"{r['max_diff']:9.1e}" if 'max_diff' in r else ''
        print(s, flush=True)

if __name__ == '__main__': main()
