"""One benchmark for the GPU (and the CPU): inference, the training step, validation and `ein_hdr train`'s busy share.

    .venv/bin/python scripts/bench_gpu.py                     # on the GPU (cuda when available), paper sizes, num_c 32
    .venv/bin/python scripts/bench_gpu.py --smoke             # every row at tiny sizes on the CPU (a CI test runs it)
    ... --json bench.json --runs 5 --train-compile

Rows (seconds: median of --runs after warm-ups; GiB: torch.cuda.max_memory_allocated, GPU only):
- inference at 1024² and 2048×1536, batch 1: the reference path (the authors' arithmetic and memory use, fp32), our
  default (what `ein_hdr predict` runs: precision 'auto', NCHW), then every precision × memory layout, and
  torch.compile (its warm-up, compilation included, in its own column);
- the training step at 224², batch 8, with the VGG19 term (random VGG weights: timing does not depend on them), Adam:
  the reference path (the authors' loop: VGG in fp32, plain Adam), our default (what `ein_hdr train` runs: the VGG
  term under the run's autocast, fused Adam, no host synchronisation), bf16, fp16, channels_last, and torch.compile with
  --train-compile (an H100 did not finish compiling it within 230 s);
- validation: seconds per image of `Trainer.validate` (first pass: decoding included; then from memory) beside the
  forward pass alone on the same images;
- `ein_hdr train` on a dataset of ≥ 200 training pairs (the 21 sample scenes) with validation every epoch: the share of
  wall time spent in training steps (the device's busy share), from the run's log.
In --smoke, sizes (one image size), widths and step counts are tiny, CUDA-only precisions are listed as skipped, and torch.compile uses
the 'aot_eager' backend (graph capture and AOT autograd without code generation, which takes minutes on a CPU).
"""
import argparse, json, math, os, statistics, sys, tempfile, time
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np, torch
from ein_hdr.core import shared_path
from ein_hdr.model import EIN, exposure_masks
from ein_hdr.fast import autocast_for, resolve_precision, resolve_device, forward_kept
from ein_hdr.losses import EINLoss, VGG19Features
from ein_hdr.train import TrainConfig, make_optimizer, step_unless

def timed(f, runs:int, device)->tuple:
    "(median seconds, first-call seconds) of f; the first call is the warm-up (compilation included)."
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    t = time.perf_counter(); f(); sync(); first = time.perf_counter() - t
    f(); sync()
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); sync(); ts.append(time.perf_counter() - t)
    return statistics.median(ts), first

def gib(device)->float: return torch.cuda.max_memory_allocated() / 2**30 if device.type == 'cuda' else float('nan')

def inference_rows(device, sizes, num_c, runs, backend)->list:
    cuda = device.type == 'cuda'
    configs = [('reference (authors\' arithmetic), fp32', dict(ref=True, precision='fp32')),
               ('ours, default (precision auto)', dict(precision='auto'))]
    configs += [(f'ours, {p}, {"channels_last" if cl else "NCHW"}', dict(precision=p, cl=cl))
                for cl in (False, True) for p in ('fp32', 'tf32', 'bf16', 'fp16')]
    configs += [(f'ours, {p}, torch.compile', dict(precision=p, compile=True)) for p in ('fp32', 'bf16', 'fp16')]
    rows = []
    for label, (h, w) in sizes:
        torch.manual_seed(0)
        net = EIN(num_c=num_c, head_init='linear').to(device).eval()
        x = torch.rand(1, 3, h, w, device=device); md, mu = exposure_masks(x)
        for name, c in configs:
            try: prec = resolve_precision(c['precision'], device)
            except ValueError as e: rows.append(dict(row=f'inference {label}', config=name, skipped=str(e))); continue
            if device.type == 'cpu' and c.get('cl'): rows.append(dict(row=f'inference {label}', config=name, skipped='on the CPU the default already runs NHWC')); continue
            m = net.to(memory_format=torch.channels_last) if c.get('cl') else net.to(memory_format=torch.contiguous_format)
            xs = [t.contiguous(memory_format=torch.channels_last) for t in (x, md, mu)] if c.get('cl') else [x, md, mu]
            fwd = (lambda: forward_kept(m, *xs)) if c.get('ref') else (torch.compile(m, backend=backend) if c.get('compile') else m)
            amp = autocast_for(prec, device)
            def f():
                with torch.no_grad(), amp: return (fwd() if c.get('ref') else fwd(*xs))
            if cuda: torch.backends.cudnn.benchmark = True
            s, first = timed(f, runs, device)
            rows.append(dict(row=f'inference {label}', config=name, precision=prec, seconds=s, gib=gib(device),
                             warmup=first if c.get('compile') else None))
        del net
    return rows

def training_rows(device, size, batch, num_c, runs, backend, train_compile)->list:
    cuda, rows = device.type == 'cuda', []
    configs = [('reference (authors\' arithmetic), fp32', dict(ref=True, precision='fp32', cl=False)),
               ('ours, default (as ein_hdr train)', dict(precision='auto', cl=device.type == 'cpu')),
               ('ours, bf16', dict(precision='bf16', cl=False)), ('ours, fp16', dict(precision='fp16', cl=False)),
               ('ours, default precision, channels_last', dict(precision='auto', cl=True)),
               ('ours, default precision, NCHW', dict(precision='auto', cl=False))]
    if train_compile: configs.append(('ours, default precision, torch.compile', dict(precision='auto', compile=True, cl=False)))
    vgg = VGG19Features().to(device).eval()
    for name, c in configs:
        try: prec = resolve_precision(c['precision'], device, training=True)
        except ValueError as e: rows.append(dict(row=f'training step {size}², batch {batch}', config=name, skipped=str(e))); continue
        torch.manual_seed(0)
        m = EIN(num_c=num_c).to(device).train()
        if c['cl']: m = m.to(memory_format=torch.channels_last)
        x = torch.rand(batch, 3, size, size, device=device); md, mu = exposure_masks(x); y = torch.rand_like(x)
        if c['cl']: x, md, mu = (t.contiguous(memory_format=torch.channels_last) for t in (x, md, mu))
        fwd = (lambda: m.forward_reference(x, md, mu)) if c.get('ref') else (torch.compile(m, backend=backend) if c.get('compile') else m)
        amp = autocast_for(prec, device)
        if c.get('ref'): crit, opt = EINLoss(vgg=vgg).to(device), torch.optim.Adam(m.parameters(), 1e-4)     # the authors': VGG in fp32, plain Adam
        else: crit, opt = EINLoss(vgg=vgg, amp=lambda: autocast_for(prec, device)).to(device), make_optimizer(m.parameters(), TrainConfig(lr=1e-4), device)
        scaler = torch.amp.GradScaler(device.type, enabled=prec == 'fp16')
        bad = torch.zeros((), device=device)
        def f():                                                     # as Trainer.train_step: no host synchronisation
            with amp: p = fwd() if c.get('ref') else fwd(x, md, mu)
            loss, _ = crit(p.float(), y, x); opt.zero_grad(set_to_none=True); scaler.scale(loss).backward()
            if scaler.is_enabled() or c.get('ref'): scaler.step(opt)
            else: step_unless(opt, bad)
            scaler.update()
        if cuda: torch.backends.cudnn.benchmark = True
        s, first = timed(f, runs, device)
        rows.append(dict(row=f'training step {size}², batch {batch}', config=name, precision=prec, seconds=s, gib=gib(device),
                         warmup=first if c.get('compile') else None))
    return rows

def trainer_rows(device, work:Path, smoke:bool, num_c:int)->list:
    "Validation per image (against the forward alone) and the trainer's busy share on a dataset of the 21 sample scenes."
    from ein_hdr.data import make_dataset
    from ein_hdr.train import Trainer, TrainConfig
    from ein_hdr.model import predict
    import pandas as pd, shutil
    src = work/'scenes'; src.mkdir(parents=True)
    for d in ('hdr', 'hdr_panoramas'):
        for p in shared_path('data', d).iterdir(): (src/p.name).symlink_to(p.resolve())
    q = dict(crops=1, exposures=1, size=96) if smoke else dict(crops=4, exposures=3, size=256)
    make_dataset(src, work/'data', valid_fraction=0.15, progress=False, log=lambda *a: None, **q)
    vgg = work/'vgg19_random.pth'; torch.manual_seed(0); torch.save(VGG19Features().state_dict(), vgg)
    kw = dict(root_path=str(work/'data'), out_dir=str(work/'run'), num_c=num_c, vgg_weights=str(vgg), progress=False, checkpoints_freq=0,
              num_workers=0 if smoke else 4, device=str(device), max_epoch=2, batch_size=2 if smoke else 8, crop_size=72 if smoke else 224)
    tr = Trainer(TrainConfig(**kw), log=lambda *a: None)
    t = time.perf_counter(); tr.fit(); wall = time.perf_counter() - t
    log = pd.read_csv(work/'run'/'log.csv'); ep = log.dropna(subset=['epoch_s'])
    n_valid = len(tr.valid_ds)
    rows = [dict(row='ein_hdr train', config=f'{len(tr.train_ds)} training pairs, {n_valid} validation images, {tr.global_step} steps, '
                 f'{tr.cfg.num_workers} workers', seconds=wall, busy_share=float(ep.step_s.sum() / ep.epoch_s.sum()),
                 valid_share=float(ep.valid_s.sum() / ep.epoch_s.sum()), data_share=float(ep.data_s.sum() / ep.epoch_s.sum()))]
    tr._valid_cache = None
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    t = time.perf_counter(); tr.validate(); sync(); first = (time.perf_counter() - t) / n_valid
    t = time.perf_counter(); tr.validate(); sync(); cached = (time.perf_counter() - t) / n_valid
    batches = list(tr._valid_cache); tr.net.eval()
    def fwd():
        with torch.no_grad(), autocast_for(tr.precision, device):
            for s, _ in batches: predict(tr.net, s.to(device))
    fwd(); sync(); t = time.perf_counter(); fwd(); sync(); alone = (time.perf_counter() - t) / n_valid
    size = tuple(batches[0][0].shape[-2:])
    rows.append(dict(row=f'validation, {n_valid} images of {size[0]}×{size[1]}', config='Trainer.validate: first pass (decoding)', seconds=first))
    rows.append(dict(row=f'validation, {n_valid} images of {size[0]}×{size[1]}', config='Trainer.validate: from memory', seconds=cached,
                     ratio_to_forward=cached / alone))
    rows.append(dict(row=f'validation, {n_valid} images of {size[0]}×{size[1]}', config='the forward pass alone', seconds=alone))
    return rows

def print_table(rows, device):
    print(f"\nein_hdr benchmark on {device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'}), torch {torch.__version__}")
    print(f"{'row':34s} {'configuration':52s} {'seconds':>9s} {'GiB':>6s} {'warm-up s':>10s}  notes")
    for r in rows:
        note = r.get('skipped', '') or ', '.join(f'{k.replace("_", " ")} {r[k]:.0%}' for k in ('busy_share', 'valid_share', 'data_share') if k in r)
        if 'ratio_to_forward' in r: note = f"{r['ratio_to_forward']:.2f}× the forward pass"
        sec = f"{r['seconds']:9.4f}" if 'seconds' in r else f"{'—':>9s}"
        g = f"{r['gib']:6.2f}" if isinstance(r.get('gib'), float) and math.isfinite(r['gib']) else f"{'':6s}"
        wu = f"{r['warmup']:10.1f}" if r.get('warmup') is not None else f"{'':10s}"
        print(f"{r['row']:34s} {r['config']:52s} {sec} {g} {wu}  {note}")

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--smoke', action='store_true', help='every row at tiny sizes on the CPU')
    ap.add_argument('--runs', type=int, default=None); ap.add_argument('--num_c', type=int, default=None)
    ap.add_argument('--train-compile', dest='train_compile', action='store_true', help='also torch.compile the training step')
    ap.add_argument('--json', default=None, help='write the rows here (default: bench_gpu.json in the working folder)')
    a = ap.parse_args()
    try: device = torch.device('cpu') if a.smoke else resolve_device(a.device)     # 'cuda' gets its index (the trainer's set_device needs it)
    except ValueError as e: sys.exit(f"bench_gpu: {e}")
    num_c = a.num_c or (8 if a.smoke else 32); runs = a.runs or (1 if a.smoke else 5)
    sizes = [('96×104', (96, 104))] if a.smoke else [('1024²', (1024, 1024)), ('2048×1536', (1536, 2048))]
    backend = 'aot_eager' if a.smoke else 'inductor'
    t0 = time.time()
    rows = inference_rows(device, sizes, num_c, runs, backend); print_table(rows, device)
    rows += training_rows(device, 72 if a.smoke else 224, 2 if a.smoke else 8, num_c, runs, backend, a.train_compile or a.smoke); print_table(rows, device)
    with tempfile.TemporaryDirectory() as tmp: rows += trainer_rows(device, Path(tmp), a.smoke, num_c)
    print_table(rows, device)
    out = Path(a.json or 'bench_gpu.json')
    out.write_text(json.dumps(dict(device=str(device), smoke=a.smoke, num_c=num_c, torch=torch.__version__, seconds=time.time() - t0, rows=rows), indent=1))
    print(f"\n{len(rows)} rows in {time.time() - t0:.0f} s; JSON: {out}")

if __name__ == '__main__': main()
