"""Train the default model shipped in ein_hdr/weights/ and write its model card.

Reproduce:  OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/train_default_model.py
Data: only ../shared/data/hdr (4 CC0/BSD/Apache photographs). Each photograph is split by columns into three regions:
training (left 50%), validation (55-70%: checkpoint and variant selection) and test (right 25%: the reported numbers,
never used for any choice). SDR inputs are synthesised by the virtual camera.
Steps: every ablation variant trains the same number of steps from the same seed, keeping its best checkpoint by
validation PU21-PSNR; the variant with the best validation score continues to the full budget.
"""
import argparse, json, os, shutil, sys, time
from dataclasses import asdict
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np, pandas as pd, torch
from ein_hdr.core import read_hdr, write_hdr, read_sdr, shared_path, gamma_to_linear, atomic_write
from ein_hdr.data import make_dataset, VirtualCamera, read_pairs
from ein_hdr.model import predict, smoothstep
from ein_hdr.metrics import hdr_metrics
from ein_hdr.train import Trainer, TrainConfig

ROOT = Path(__file__).resolve().parents[1]
REGIONS = dict(train=(0., .5), valid=(.55, .7), test=(.75, 1.))
PU21 = dict(w_pu21=1.0, w_l1=0., w_cos=0.)
VARIANTS = {
    'residual head, per-channel knee, PU21 loss (aligned)': dict(model=dict(head='residual', gain_mask='channel'), target='exposure', **PU21),
    'residual head, PU21 loss (aligned)': dict(model=dict(head='residual'), target='exposure', **PU21),
    'residual head, PU21 loss (not aligned)': dict(model=dict(head='residual'), target='exposure', pu21_align=False, **PU21),
    'faithful EIN (sigmoid head, linear init, min-max target)': dict(model=dict(head_init='linear'), target='minmax'),
}

def split_regions(src, out):
    "Column bands of each photograph: training, validation and test regions (see REGIONS)."
    for p in sorted(src.iterdir()):
        if p.suffix.lower() not in ('.exr', '.hdr'): continue
        h = read_hdr(p); W = h.shape[1]
        for name, (a, b) in REGIONS.items():
            (out/name).mkdir(parents=True, exist_ok=True)
            write_hdr(out/name/f'{p.stem}.exr', h[:, int(W * a):int(W * b)], overwrite=True)

def lin_sdr(sdr): return gamma_to_linear(sdr, 2.2)

def highlight_gain(sdr, g, knee=0.85, mask='max'):
    "Linearised SDR with a constant gain g on highlights: the residual head's weight w (knee on the largest channel or per channel)."
    level = sdr.max(-1, keepdims=True) if mask == 'max' else sdr
    w = smoothstep(torch.from_numpy(np.ascontiguousarray(level)), knee, 1.).numpy()
    return lin_sdr(sdr) * np.exp(w * np.log(g))

def pairs_of(root, split):
    df = read_pairs(root/f'{split}.xls')
    return [(read_sdr(root/f'{split}_SDR'/s), read_hdr(root/f'{split}_HDR'/h)) for h, s in zip(df.HDR, df.SDR)]

def score(pairs, fn):
    rows = [hdr_metrics(fn(s), h, s) for s, h in pairs]
    df = pd.DataFrame(rows).replace([np.inf, -np.inf], np.nan)
    return dict(pu21_psnr=df.pu21_psnr.mean(), hl_pu21_psnr=df.hl_pu21_psnr.mean(), pu21_ssim=df.pu21_ssim.mean(),
                hl_pu21_ssim=df.hl_pu21_ssim.mean(), n=len(rows))

def model_fn(model):
    return lambda s: predict(model, s)[0].permute(1, 2, 0).numpy()

def load_best(tr):
    "The trainer's network with its best-validation weights (and that checkpoint's step)."
    ck = torch.load(Path(tr.cfg.out_dir)/'checkpoints'/'best.pt', map_location='cpu', weights_only=False)
    tr.net.load_state_dict(ck['model'])
    return tr.net.eval(), ck['global_step']

def build_data(work, seed=2021):
    split_regions(shared_path('data', 'hdr'), work/'regions')
    cam = VirtualCamera(curves=('srgb', 'gamma'), gamma_range=(2.0, 2.4), clip_range=(0.03, 0.15))
    q = dict(valid_fraction=0, camera=cam, progress=False)
    make_dataset(work/'regions'/'train', work/'data', exposures=4, crops=32, size=160, seed=seed, **q)
    make_dataset(work/'regions'/'valid', work/'valid', exposures=2, crops=16, size=80, seed=11, **q)
    for x in ('_SDR', '_HDR', '.xls', '_camera.csv'): shutil.move(str(work/'valid'/f'train{x}'), str(work/'data'/f'valid{x}'))
    make_dataset(work/'regions'/'test', work/'test', exposures=2, crops=6, size=128, seed=7, **q)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', default=str(ROOT/'runs'/'default_model'))
    ap.add_argument('--ablation-steps', type=int, default=192, help='steps per variant (64 steps = one epoch = one validation)')
    ap.add_argument('--steps', type=int, default=384, help='total steps of the chosen variant')
    ap.add_argument('--num_c', type=int, default=16)
    ap.add_argument('--out', default=str(ROOT/'ein_hdr'/'weights'))
    ap.add_argument('--variants', nargs='+', type=int, default=None, help='indices into VARIANTS (default: all)')
    a = ap.parse_args()
    work = Path(a.work); t_start = time.time()
    if work.exists(): shutil.rmtree(work)
    build_data(work)
    train_pairs, valid_pairs, test_pairs = pairs_of(work/'data', 'train')[::8], pairs_of(work/'data', 'valid'), pairs_of(work/'test', 'train')
    base = dict(root_path=str(work/'data'), num_c=a.num_c, batch_size=8, crop_size=128, mode='crop', scale=(0.6, 1.0), lr=2e-4,
                t0=10_000, perceptual=False, valid_freq=1, checkpoints_freq=0, progress=False, max_epoch=10_000)
    results = {}
    gains = [1, 1.02, 1.05, 1.1, 1.2, 1.5, 2, 3, 4, 8, 16]
    row = lambda fn, **kw: dict(**{f'test_{k}': v for k, v in score(test_pairs, fn).items() if k != 'n'},
                                valid_pu21_psnr=score(valid_pairs, fn)['pu21_psnr'], **kw)
    results['linearised SDR (gamma 2.2)'] = row(lin_sdr, steps=0, minutes=0)
    for mask, label in (('max', 'largest-channel knee'), ('channel', 'per-channel knee')):
        fit = {g: (lambda r: r['pu21_psnr'] + r['hl_pu21_psnr'])(score(train_pairs, lambda s, g=g: highlight_gain(s, g, mask=mask)))
               for g in gains}
        g_best = max(fit, key=fit.get)
        results[f'constant highlight gain ×{g_best}, {label} (fitted on training crops)'] = row(
            lambda s: highlight_gain(s, g_best, mask=mask), steps=0, minutes=0)
    print(json.dumps(results, indent=1), flush=True)
    chosen = [list(VARIANTS)[i] for i in a.variants] if a.variants else list(VARIANTS)
    runs = {}
    for i, name in enumerate(chosen):
        t0 = time.time()
        tr = Trainer(TrainConfig(out_dir=str(work/'runs'/f'variant{i}'), max_steps=a.ablation_steps, **base, **VARIANTS[name]), log=print)
        tr.fit(); net, best_step = load_best(tr); runs[name] = tr
        results[name] = row(model_fn(net), steps=a.ablation_steps, best_step=best_step, minutes=round((time.time() - t0) / 60, 1))
        print(name, results[name], flush=True)
    best = max(chosen, key=lambda n: results[n]['valid_pu21_psnr'])
    tr = runs[best]; t0 = time.time()
    if a.steps > a.ablation_steps:                       # the chosen variant continues from its last step
        final = Trainer(TrainConfig(out_dir=str(tr.cfg.out_dir), max_steps=a.steps, resume=str(Path(tr.cfg.out_dir)/'checkpoints'/'last.pt'),
                                    **base, **VARIANTS[best]), log=print)
        final.fit(); net, best_step = load_best(final)
        name_final = f'{best}, {a.steps} steps, best validation checkpoint (shipped)'
        results[name_final] = row(model_fn(net), steps=a.steps, best_step=best_step,
                                  minutes=round(results[best]['minutes'] + (time.time() - t0) / 60, 1))
    else:                                                # the chosen variant's best checkpoint is shipped as it is
        final = tr; net, _ = load_best(tr)
        name_final = f'{best} (shipped)'
        results[name_final] = results.pop(best)
    print(name_final, results[name_final], flush=True)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    sd = {k: v.half() for k, v in net.state_dict().items()}
    ck = dict(format='ein_hdr/1', config=asdict(net.config), model=sd, train_config=asdict(final.cfg), results=results)
    atomic_write(out/'ein_default.pt', lambda t: torch.save(ck, t), overwrite=True)
    write_card(out, results, name_final, net, sd, a, work, len(train_pairs) * 8, len(valid_pairs), len(test_pairs), time.time() - t_start)

GAP = '''**How to close the gap**: the limit is data. Four scenes cannot teach how bright a clipped region really is: the
training region of StinsonBeach holds the sun (260,000× the median luminance), its test region nothing above 3× it. More scenes (dozens of
HDR photographs through `ein_hdr make-dataset`), held-out *scenes* for selection (a 15%-wide validation band of four
photographs ranks variants differently from the test band), and longer training on a GPU with more data: here the chosen variant's
validation score falls after its best step (table: `best_step`), a sign that it learns the training highlights rather
than highlights in general. The PU21
loss (`--w_pu21`, aligned as the evaluation aligns) and the residual head (also with `--gain_mask channel`) are the
recipe to start from.
'''

def write_card(out, results, name_final, net, sd, a, work, n_train, n_valid, n_test, seconds):
    tbl = pd.DataFrame(results).T
    cols = ['test_pu21_psnr', 'test_hl_pu21_psnr', 'test_pu21_ssim', 'test_hl_pu21_ssim', 'valid_pu21_psnr', 'steps', 'best_step', 'minutes']
    tbl = tbl[[c for c in cols if c in tbl]]
    lin, ship = results['linearised SDR (gamma 2.2)'], results[name_final]
    gains = [v for k, v in results.items() if k.startswith('constant highlight gain')]   # compare with the better of them
    d_all, d_hl = ship['test_pu21_psnr'] - lin['test_pu21_psnr'], ship['test_hl_pu21_psnr'] - lin['test_hl_pu21_psnr']
    dg_all = ship['test_pu21_psnr'] - max(g['test_pu21_psnr'] for g in gains)
    dg_hl = ship['test_hl_pu21_psnr'] - max(g['test_hl_pu21_psnr'] for g in gains)
    met = d_all > 0 and d_hl > 0 and dg_all > 0 and dg_hl > 0
    verdict = (f"On the held-out test crops the shipped model scores {d_all:+.2f} dB PU21-PSNR overall and {d_hl:+.2f} dB on highlights "
               f"against the linearised SDR, and {dg_all:+.2f} / {dg_hl:+.2f} dB against the better constant highlight gain on each count. "
               + ("It does **not** beat both on both counts, so the quality goal is not met; see 'How to close the gap'." if not met else
                  "It beats both, overall and on highlights" + (", but by less than 1 dB: far from the +2.3 / +2.4 dB a quick probe "
                  "reached on an easier split of the same photographs, and small against what viewers notice; see 'How to close the gap'." if min(d_all, d_hl) < 1 else ".")))
    trained = {k: v for k, v in results.items() if k in VARIANTS}
    top = max(trained, key=lambda k: trained[k]['test_pu21_psnr'])
    if top not in name_final:
        verdict += (f" Validation and test disagree: '{top}' scored best on the test crops ({trained[top]['test_pu21_psnr']:.2f} / "
                    f"{trained[top]['test_hl_pu21_psnr']:.2f} dB) but lower on validation, so it is not shipped.")
    card = f"""# Model card: ein_hdr default model

**What**: EIN at num_c = {a.num_c} ({sum(v.numel() for v in sd.values()):,} parameters) with
`{net.config}`.
The residual head outputs the SDR linearised with γ {net.config.gamma}, multiplied by a learned gain exp(w·{net.config.res_scale}·r) where w rises
from 0 at SDR level {net.config.knee} to 1 at clipping ({'of each channel: a channel that did not clip keeps its measured value' if net.config.gain_mask == 'channel' else 'of the largest channel'}): well-exposed pixels pass through unchanged. Weights stored as float16
({(out/'ein_default.pt').stat().st_size / 1e6:.1f} MB). `ein_hdr predict` uses it when no `--checkpoint` is given. The output is linear HDR relative to
the SDR clip level (1.0 = where the SDR clipped), not absolute luminance (`--sdr-white`/`--peak-nits` map it to cd/m²).

**Summary**: {verdict} Differences under ~3.5 dB PU21-PSNR are not significant to viewers (Hanji et al. 2022).

**Data**: only the four photographs in `../shared/data/hdr` (CC0 Poly Haven panoramas, OpenUSD's StinsonBeach under Modified
Apache 2.0, OpenEXR's comp_zip test image under BSD-3-Clause; see `SOURCES.md`). Each photograph is split by columns into a
training region (left 50%: 32 crops of 160² per photograph, 4 synthetic exposures each: {n_train} pairs), a validation region
(55-70%: 16 crops of 80², 2 exposures: {n_valid} pairs) and a test region (right 25%: 6 crops of 128², 2 exposures: {n_test} pairs).
Checkpoints and the variant are chosen on validation only; the test columns are reported, never used for a choice.
SDR inputs come from the virtual camera: sRGB or gamma 2.0-2.4 curves, exposure set so that 3-15% of pixels clip, 8-bit.

**Recipe**: crop mode (128² crops, scale jitter 0.6-1, flips, 90° rotations), batch 8, Adam lr 2e-4 (betas 0.95/0.999),
no VGG term (no ImageNet weights offline), seed 2021, CPU (2 cores); validation every epoch (64 steps), best checkpoint kept.
Total time {seconds / 60:.0f} minutes including data preparation and evaluation.

**Ablation** (protocol of `nbs/06_evaluate.ipynb`: per-image scale alignment on well-exposed pixels, reference 99.5th
luminance percentile at 1000 cd/m²; "hl" = pixels clipped in the SDR input). Each variant trained {a.ablation_steps} steps from
the same seed (`best_step`: the checkpoint kept); the one with the best validation PU21-PSNR {f'continued to {a.steps} steps' if a.steps > a.ablation_steps else 'is shipped'}.
The constant highlight gains apply one gain, fitted on training crops over {{1, 1.02, 1.05, 1.1, ..., 16}}, with the residual
head's weight w (knee on the largest channel, or on each channel): a network that reads no content. "PU21 loss (aligned)": the
PU21 term compares each prediction after the evaluation's scale alignment (`pu21_align`, default); "not aligned" is the
previous recipe.

{tbl.to_markdown(floatfmt='.2f')}

**Reproduce**: `OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/train_default_model.py --ablation-steps {a.ablation_steps} --steps {a.steps}{' --variants ' + ' '.join(map(str, a.variants)) if a.variants else ''}`
(minutes vary with the machine; CPU float32 results are deterministic for a given thread count).

{GAP}\n**Limits**: a teaching default and a starting point for your own training, not a state-of-the-art reconstruction.
"""
    atomic_write(out/'MODEL_CARD.md', lambda t: Path(t).write_text(card), overwrite=True)
    print(card)

if __name__ == '__main__': main()
