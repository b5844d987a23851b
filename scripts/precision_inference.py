"""Inference in bf16 against float32 on the CPU: what it does to the scores and to the HDR values written.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/precision_inference.py --data studies/bf16/data --out studies/precision_inference

Runs a model (default: the shipped one) over a study's test images twice, `reconstruct(..., precision='fp32')` and
`precision='bf16'` (what `ein_hdr predict --precision bf16` runs), scores both under every protocol, and writes to --out:
- scores.csv: per image, protocol and precision, every metric (the study's scoring, `score_method`);
- paired.csv: per test camera (and pooled) and protocol, bf16 minus fp32 over scenes (`ein_hdr.stats.compare`: mean,
  95% t-interval, the worst scene's difference);
- values.csv: per image, how far bf16's HDR values are from float32's: the largest difference relative to the image's
  peak, and the median and 99th percentile of the per-pixel relative difference (|bf16 − fp32| / fp32, where fp32 > 1e-3);
- summary.md: both tables, and the bound the decision used.
The data folder is a study's (`ein_hdr study` writes it: test.xls, test_camera.csv, test_SDR/, test_HDR/).
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np, pandas as pd

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', required=True, help="a study's data folder (its test split is used)")
    ap.add_argument('--out', required=True, help='a new folder for the results')
    ap.add_argument('--checkpoint', default=None, help='a model to run (default: the shipped one)')
    ap.add_argument('--max_images', type=int, default=None, help='only the first N test images (a quick check)')
    ap.add_argument('--bound', type=float, default=0.05, help='the largest |bf16 − fp32| PU21-PSNR difference (dB) called negligible')
    a = ap.parse_args()
    import torch
    from ein_hdr.inference import load_model, reconstruct
    from ein_hdr.study_runs import study_pairs, image_cameras, score_method
    from ein_hdr.metrics import PROTOCOLS
    from ein_hdr.core import atomic_write
    from ein_hdr.stats import compare
    from ein_hdr.fast import cpu_bf16
    out = Path(a.out)
    if out.exists() and any(out.iterdir()): sys.exit(f"{out}: exists and is not empty; choose a new folder")
    pairs, cams = study_pairs(a.data, 'test'), image_cameras(a.data, 'test')
    if not pairs: sys.exit(f"{a.data}: no test split (test.xls) found")
    pairs = pairs[:a.max_images]
    model = load_model(a.checkpoint).eval()
    preds, secs, parts = {'fp32': [], 'bf16': []}, {}, []
    def method(prec):
        "The model at `prec`, keeping each prediction (in `pairs` order) to compare the values."
        def fn(s):
            y = reconstruct(model, np.round(np.asarray(s, np.float32) * 255).astype(np.uint8), precision=prec)
            preds[prec].append(y); return y
        return fn
    for prec in preds:
        t = time.perf_counter()
        parts.append(score_method(method(prec), pairs, list(PROTOCOLS), 'test', cams).assign(precision=prec))
        secs[prec] = time.perf_counter() - t
    scores = pd.concat(parts, ignore_index=True)
    rows = []
    for i, (img, scene, _, _) in enumerate(pairs):
        f, b = preds['fp32'][i].astype(np.float64), preds['bf16'][i].astype(np.float64)
        rel = np.abs(b - f)[f > 1e-3] / f[f > 1e-3]
        rows.append(dict(image=img, scene=scene, camera=cams.get(img, 'study'), max_abs_over_peak=float(np.abs(b - f).max() / max(f.max(), 1e-12)),
                         median_rel=float(np.median(rel)), p99_rel=float(np.percentile(rel, 99)), max_rel=float(rel.max())))
    values = pd.DataFrame(rows)
    res = scores.rename(columns={'precision': 'variant'}).assign(seed=0, split='test', source='')
    paired = []
    for cam in ['pooled', *sorted(set(cams.values()))]:
        for p in PROTOCOLS:
            r = res[(res.protocol == p) & ((res.camera == cam) if cam != 'pooled' else True)]
            for m in ('pu21_psnr', 'hl_pu21_psnr'):
                c = compare(r, 'bf16', 'fp32', m, n_boot=0)
                per = r.groupby(['scene', 'variant'])[m].mean().unstack('variant')
                d = per['bf16'] - per['fp32']
                paired.append(dict(camera=cam, protocol=p, metric=m, fp32=per['fp32'].mean(), bf16=per['bf16'].mean(), delta=c['delta'], ci=c['ci'],
                                   worst_scene=d.idxmin(), worst=d.min(), largest_abs=d.abs().max(), scenes=c['n']))
    paired = pd.DataFrame(paired)
    neg = bool((paired.largest_abs[paired.metric == 'pu21_psnr'] <= a.bound).all())
    md = [f"# bf16 against float32 inference on the CPU\n",
          f"Model: {a.checkpoint or 'the shipped default model'}; {len(pairs)} test images of {values.scene.nunique()} scenes ({a.data}); "
          f"this CPU {'has' if cpu_bf16() else 'lacks'} native bf16; torch {torch.__version__}, {torch.get_num_threads()} threads. "
          f"Time for all images, scoring included: fp32 {secs['fp32']:.0f} s, bf16 {secs['bf16']:.0f} s.\n",
          "## Scores (bf16 − fp32, dB; mean over scenes with its 95% interval, and the largest difference of any scene)\n",
          paired.round(3).to_markdown(index=False), '',
          f"Bound: every scene's PU21-PSNR within {a.bound} dB of float32's, per camera and protocol: "
          f"{'met' if neg else 'not met'} (largest {paired.largest_abs[paired.metric == 'pu21_psnr'].max():.3f} dB).\n",
          "## HDR values (bf16 against float32, per image)\n",
          values[['max_abs_over_peak', 'median_rel', 'p99_rel', 'max_rel']].describe(percentiles=[.5, .99]).round(5).to_markdown(), '']
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (('scores.csv', scores), ('paired.csv', paired), ('values.csv', values)):
        atomic_write(out/name, lambda t, df=df: df.to_csv(t, index=False))
    atomic_write(out/'summary.md', lambda t: Path(t).write_text('\n'.join(md)))
    atomic_write(out/'facts.json', lambda t: Path(t).write_text(json.dumps(dict(bound=a.bound, negligible=neg, seconds=secs, images=len(pairs), cpu_bf16=cpu_bf16()), indent=1)))
    print('\n'.join(md))

if __name__ == '__main__': main()
