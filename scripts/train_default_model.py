"""Train the default model shipped in ein_hdr/weights/ and write its model card: two studies of the study module.

Reproduce (CPU: about four hours on 2 cores; every finished run is kept, so an interrupted script continues):

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/train_default_model.py --jobs 2

1. The choice: `studies/cross_source.toml` trains the candidate recipes (2 seeds each) on 15 Poly Haven scenes, chooses
   each run's checkpoint and the recipe on 4 other Poly Haven scenes, and scores every run on the 11 scenes of three
   sources no run trains on (Open3D, OpenUSD, OpenEXR) through three test cameras (SI-HDR's clip_95 and clip_97, and a
   wide one), under both protocols, beside the linearised SDR, a constant highlight gain and the model shipped before.
2. The recipe (`ein_hdr.study.refit_study`, also `ein_hdr refit`): the candidate with the best validation score (the
   mean over both protocols of PU21-PSNR overall and on highlights) among those whose worst validation scene is within
   0.5 dB of the linearised SDR under both protocols. The test scenes take no part in the choice.
3. The final model: `studies/cross_source_final.toml` (written here from the choice) trains that recipe on the 19
   training and validation scenes; its scores on the 11 test scenes, per camera, source and scene, are the card's.
4. ein_hdr/weights/ein_default.safetensors (float16; config, scenes and study in its metadata), MODEL_CARD.md and
   test_highlights.png. `--card-only` writes the card (and figure) again from the finished studies, training nothing.
"""
import argparse, json, os, sys
from pathlib import Path
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np, pandas as pd
from ein_hdr.core import read_sdr, read_hdr, atomic_write, gamma_to_linear
from ein_hdr.model import EIN, load_official_checkpoint, read_checkpoint
from ein_hdr.metrics import highlight_crops, clipped, PROTOCOL_TEXT
from ein_hdr.inference import sdr_method, trained_scenes
from ein_hdr.losses import LOSS_TERMS
from ein_hdr.demo import CARD_TEST
from ein_hdr.study import (read_study, run_study, summarize_study, run_dir, study_pairs, refit_study, choose_variant, by_camera,
                           camera_deltas as deltas, goal_table, seeds_text, primary_comparisons)
from ein_hdr.study_report import curve_table, curve_summary
from ein_hdr.study_runs import diverged_runs
from ein_hdr.stats import compare, n_text, plan_text

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT/'studies'/'cross_source.toml'
MAX_MB = 30 # the package's budget for the shipped weights (float16)
ROBUST = 0.5 # dB: no validation (and, checked on the card, no test) scene further below the linearised SDR
AUTHORS = 'https://github.com/Yliu724/EIN'
AUTHORS_MODEL = 'https://drive.google.com/file/d/1NMKKqXpZRn0LcrnrWwvvtbw9maAlb9WF/view'
LIN, GAIN = 'linearised SDR', 'constant highlight gain'
CURVE = ROOT/'studies'/'learning_curve.toml' # what more training buys: this recipe at longer budgets and the paper's width

def rel(p:Path, to:Path=ROOT)->str: return os.path.relpath(p, to)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--study', default=str(STUDY), help='the study that chooses the recipe (its folder: the file without .toml)')
    ap.add_argument('--weights', default=str(ROOT/'ein_hdr'/'weights'))
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--card-only', action='store_true', help='write the card and figure from the finished studies; train nothing')
    a = ap.parse_args()
    study = Path(a.study).resolve(); out, final = study.with_suffix(''), study.with_name(study.stem + '_final.toml')
    cfg, w = read_study(study), Path(a.weights)
    if not a.card_only:
        run_study(cfg, out, jobs=a.jobs)                                                  # 1. the candidates
        w.mkdir(parents=True, exist_ok=True)
        refit_study(cfg, out, final, export=w/'ein_default.safetensors', robust=ROBUST, jobs=a.jobs, overwrite=True)   # 2-4
    net = load_official_checkpoint(w/'ein_default.safetensors').eval()
    mb = 2 * sum(p.numel() for p in net.parameters()) / 1e6
    if mb > MAX_MB: sys.exit(f"the chosen model's float16 weights are {mb:.1f} MB, over the package's {MAX_MB} MB")
    fin_out = final.with_suffix('')
    write_figure(w, fin_out/'data', net)
    card = write_card(w, cfg, out, read_study(final), fin_out, mb, read_checkpoint(w/'ein_default.safetensors')['config'])
    print(card)

def write_figure(w:Path, data:Path, net):
    "Highlights of the test image with the most clipped pixels: SDR, truth, the shipped model and the linearised SDR at −2/−4/−6 stops."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    if not study_pairs(data, 'test'):                       # a clone has the results, not the data images (git ignores them)
        print(f"{data}: the test images are not built here (run the study once to make them): {w/'test_highlights.png'} kept as it is"); return
    name, scene, sp, hp = max(study_pairs(data, 'test'), key=lambda p: clipped(read_sdr(p[2])).mean())
    s, h = read_sdr(sp), read_hdr(hp)
    fig = highlight_crops(s, h, {'EIN default': sdr_method(net)(s), LIN: gamma_to_linear(s, 2.2)}, size=112, exposures=(-2, -4, -6))
    fig.suptitle(f'test scene {scene} ({name}): highlights at −2, −4 and −6 stops', fontsize=10); fig.tight_layout()
    atomic_write(w/'test_highlights.png', lambda t: fig.savefig(t, dpi=72, format='png'), overwrite=True); plt.close(fig)

def goals_md(t:pd.DataFrame)->str:
    "`goal_table` as markdown: each difference with ✓ where it reaches its goal, ✗ where not."
    g = t.attrs['goals']
    out = pd.DataFrame({f"{k} (goal ≥ {v:+g})": [f"{x:+.2f} {'✓' if x >= v else '✗'}" for x in t[k]] for k, v in g.items()}, index=t.index)
    out.insert(len(g) - 1, 'worst scene', t['worst scene'])
    return out.to_markdown(disable_numparse=True)

def delta_md(d:pd.Series, worst_col:bool=False)->str:
    "A Δ series indexed (protocol, camera, row) as a markdown table: a row per item, a column per camera and protocol."
    order = list(dict.fromkeys(d.index.droplevel(-1)))
    t = d.unstack(['protocol', 'camera'])[order]
    t.columns = [f'{c}, {p}' for p, c in t.columns]
    if worst_col: t['worst'] = t.min(axis=1)
    return t.map(lambda v: f'{v:+.2f}').to_markdown(disable_numparse=True)

def write_card(w, cfg, out, fin, fin_out, mb, net_cfg)->str:
    res, final_res = pd.read_csv(out/'results.csv'), pd.read_csv(fin_out/'results.csv')
    variant = next(iter(fin.variants)); shipped = 'EIN default (shipped)'
    paper = sum(p.numel() for p in EIN().parameters())
    fres = final_res.replace({'variant': {variant: shipped}})
    facts = json.loads((run_dir(fin_out, variant, 0)/'done.json').read_text())
    sc = pd.read_csv(out/'data'/'scenes.csv'); n = sc.split.value_counts().to_dict()
    test = fres.query("split == 'test'")
    src = test.groupby('source').scene.nunique()
    n_img, cams = test.image.nunique(), list(dict.fromkeys(test.camera))
    goals = goal_table(fres, shipped, robust=ROBUST); ok = bool(goals.met.all())
    hl = deltas(fres, shipped, LIN, (), 'hl_pu21_psnr')
    ft = fres.query("split == 'test'")
    iv = lambda p, c, ag: compare(ft[(ft.protocol == p) & ((ft.camera == c) | (c == 'pooled'))], shipped, ag, n_boot=500)   # over the test scenes
    pm = lambda c: f"{c['delta']:+.2f} ± {c['ci']:.2f}"
    head = pd.DataFrame({'PU21-PSNR (dB)': by_camera(fres, ())[shipped], 'Δ vs lin. SDR': deltas(fres, shipped, LIN),
                         'Δ highlights': hl, 'Δ vs const. gain': deltas(fres, shipped, GAIN)})
    head = head.map('{:.2f}'.format).assign(**{k: head[k].map('{:+.2f}'.format) for k in head.columns[1:]})
    for k, ag in (('Δ vs lin. SDR', LIN), ('Δ vs const. gain', GAIN)): head[k] = [pm(iv(p, c, ag)) for p, c in head.index]
    head.index = [f'{c}, {p}' for p, c in head.index]
    prim = primary_comparisons(final_res, fin)              # the final study's question: the shipped recipe against the linearised SDR
    pr = prim.iloc[0]
    choice = choose_variant(res, list(cfg.variants), 'valid', ROBUST)
    vsum = summarize_study(res, LIN, 'valid', n_boot=0).set_index(['protocol', 'variant'])
    tsum = summarize_study(res, LIN, 'test', n_boot=0).set_index(['protocol', 'variant'])
    cprim = primary_comparisons(res, cfg)                     # the choosing study's question: every candidate against the reference
    models = [m for m in cfg.models if m in set(res.variant)]
    cand = pd.DataFrame([{'candidate': v, 'seeds': int(res[res.variant == v].seed.nunique()) if v in cfg.variants else '',
                          'valid score': f"{choice['scores'][v]:.2f}" if v in choice['scores'] else '',
                          'worst valid scene vs lin. SDR': f"{choice['worst'][v]:+.2f}" if v in choice['worst'] else '',
                          **{f'valid Δ {p}': f"{vsum.loc[(p, v)].delta_pu21_psnr:+.2f}" for p in fin.protocols},
                          **{f'test Δ {p}': f"{tsum.loc[(p, v)].delta_pu21_psnr:+.2f}" for p in fin.protocols},
                          'test Δ ein-hdr, ± over scenes': f"{tsum.loc[('ein-hdr', v)].delta_pu21_psnr:+.2f} ± {tsum.loc[('ein-hdr', v)].delta_pu21_psnr_ci:.2f}"}
                         for v in [*cfg.variants, *models]]).set_index('candidate')
    rt, rv = res.query("split == 'test'"), res.query("split == 'valid'")
    prev = {m: {p: compare(rt[rt.protocol == p], m, LIN, n_boot=500) for p in fin.protocols} for m in models}
    seen = {m: sorted(set(trained_scenes(cfg.models[m])) & set(test.scene)) for m in models}
    same = deltas(res[res.variant.isin([variant, LIN])], variant, LIN, (), split='valid').unstack('protocol')
    same_iv = {p: compare(rv[rv.protocol == p], variant, LIN, n_boot=500) for p in fin.protocols}
    card = f"""# Model card: ein_hdr default model

**What it is, plainly**: a small EIN (num_c = {net_cfg['num_c']}, {mb / 2:.1f} M parameters; the paper's is {paper / 1e6:.1f} M at num_c 32)
trained for {facts['minutes']:.0f} minutes on a CPU (2 cores), on {n['train'] + n['valid']} panoramas of one source (Poly Haven), of the
{len(sc)} real HDR scenes in `../shared/data`. It is a teaching default and a starting point for your own training, not
a model for real use: for that, take the authors' released model (their README at <{AUTHORS}> links `epoch_146.pth`:
<{AUTHORS_MODEL}>) and run it with `ein_hdr predict --test_model epoch_146.pth`, or train at the paper's width on a GPU.
No GPU was lent to the session that trained this one.

**Network**: `{net_cfg}`: the SDR linearised with γ {net_cfg['gamma']}, times a learned gain that rises from 1 at SDR level
{net_cfg['knee']} to its full value at clipping ({'per channel' if net_cfg['gain_mask'] == 'channel' else 'on the largest channel'}), so well-exposed pixels pass through unchanged.
Float16 weights, {mb:.1f} MB. `ein_hdr predict` uses it when no `--checkpoint` is given; its output is linear HDR relative
to SDR white (1.0 = where the SDR clipped).

**Recipe**: "{variant}", chosen by `{rel(cfg.source)}` on validation scenes (below): {recipe_text(fin, variant)}.
Trained {facts['steps']} steps on the {n['train']} training + {n['valid']} validation scenes (`{rel(fin.source)}`).

## {CARD_TEST}

{n['test']} test scenes from {len(src)} sources no training run saw ({', '.join(f'{s}: {k}' for s, k in src.items())}), {n_img} images:
each scene's crops through {len(cams)} test cameras no training camera covers exactly:
{''.join(f"- `{c}`: {camera_text(fin.test_camera_options()[c])}{chr(10)}" for c in cams)}
Scores per camera are means over scenes (each scene weighs the same); "pooled" averages the cameras; Δ = difference
to the linearised SDR (γ 2.2) or to a constant highlight gain fitted on the training crops, in dB PU21-PSNR, overall
and on highlights (pixels clipped in the SDR); ± = 95% interval over the {n['test']} test scenes (each scene's images
averaged first; this one trained model, so no seed spread; `nbs/08b_stats.ipynb`). Both protocols (`nbs/06_evaluate.ipynb`):
{''.join(f'- {PROTOCOL_TEXT[p]}.{chr(10)}' for p in fin.protocols)}
{head.to_markdown(disable_numparse=True)}

**The question the final study asks** (its `primary`): {pr.a} − {pr.b}, PU21-PSNR under our protocol, cameras pooled:
**{pr.delta:+.2f} ± {pr.ci:.2f} dB** ({n_text(pr.to_dict())}), p {pr.p:.2g} (t-test over scenes); a hierarchical bootstrap
gives [{pr.boot_lo:+.2f}, {pr.boot_hi:+.2f}]. {plan_text(prim.attrs['plan'])}

**Goals** set for this default model, per test camera: {'all met' if ok else '**not met**'}:

{goals_md(goals)}

Per test source, PU21-PSNR over the linearised SDR (dB):

{delta_md(deltas(fres, shipped, LIN, ('source',)))}

Per test scene, PU21-PSNR over the linearised SDR (dB), and its worst camera and protocol:

{delta_md(deltas(fres, shipped, LIN, ('scene',)), worst_col=True)}

![highlights of a test scene](test_highlights.png)

{''.join(f"The model shipped before ({m}), on the choosing study's test images of the same scenes and cameras (pooled over cameras): {pm(prev[m]['ein-hdr'])} dB (ein-hdr), {pm(prev[m]['si-hdr'])} dB (si-hdr) over the linearised SDR ({n_text(prev[m]['ein-hdr'])}" + (f"; it trained on {', '.join(seen[m])}, test scenes here" if seen[m] else '') + '). ' for m in models)}
Differences under ~3.5 dB PU21-PSNR are not reliably visible to viewers (Hanji et al. 2022). {n['test']} test scenes are few, and
most come from one source: the per-source and per-scene tables below are descriptions (openexr and usd are one scene each), with no interval.

## Same source (Poly Haven)

No Poly Haven scene is left untouched by the final model: all {n['train'] + n['valid']} trained it. The choosing study's runs of
this recipe (trained on {n['train']} scenes, {len(cfg.seeds)} seeds) scored on its {n['valid']} validation scenes, which chose
the recipe and each run's checkpoint (so these figures flatter it), over the linearised SDR (dB, pooled over cameras,
± over {n['valid']} scenes, {len(cfg.seeds)} seeds): {', '.join(f'{p} {pm(same_iv[p])}' for p in fin.protocols)}. Per camera (means):

{same.map(lambda v: f'{v:+.2f}').to_markdown(disable_numparse=True)}

## How the recipe was chosen

`{rel(cfg.source)}`: {seeds_text(cfg)} (the candidates whose first seed missed the rule below by far ran one), {cfg.steps} steps each on the {n['train']} training scenes;
each run's checkpoint chosen on validation; the candidate with the best validation score (mean over both protocols of
PU21-PSNR overall and on highlights) among those whose worst validation scene stays within {ROBUST} dB of the linearised
SDR under both protocols: {f'"{choice["variant"]}".' if choice['eligible'] else f'no candidate did (each had a validation scene further below, over its seeds), so the choice fell back to the best validation score among all: "{choice["variant"]}".'}
**How sure the choice is**: resampling the {choice['n_scenes']} validation scenes and the seeds (a hierarchical bootstrap,
`nbs/08b_stats.ipynb`), "{choice['variant']}" is the best of the {choice['among']} candidates in {choice['p_best']:.0%} of the draws (1 in {choice['among']}
by chance) and beats the reference, "{choice['reference']}", in {choice['p_beats_reference']:.0%}: a reasoned guess, not a finding. On the test scenes, which took no part in the choice, the study's question (every
candidate against the reference "{cprim.b.iloc[0]}", PU21-PSNR, ours, cameras pooled: {n_text(cprim.iloc[-1].to_dict())}) finds no difference that holds once
adjusted for the {len(cprim)} comparisons (Holm-adjusted p ≥ {cprim.p_holm.min():.2g}). {plan_text(cprim.attrs['plan'])}

Means over scenes (cameras pooled), Δ = PU21-PSNR over the linearised SDR (the test columns, for the record, took no part
in the choice; the last with its 95% interval over the {n['test']} test scenes):

{cand.to_markdown(disable_numparse=True)}

Every run, per source, camera and scene: `{rel(out/'summary.md')}`.
{curve_md()}
## Reproduce

`OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/train_default_model.py --jobs 2` (both studies, then this card), or
each study alone: `ein_hdr study {rel(cfg.source)} --out {rel(out)} --jobs 2`, then `ein_hdr refit {rel(cfg.source)} --out {rel(out)}
--final {rel(fin.source)} --export ein_hdr/weights/ein_default.safetensors`. CPU float32 results are deterministic for a
given thread count; minutes vary with the machine.
"""
    atomic_write(w/'MODEL_CARD.md', lambda t: Path(t).write_text(card), overwrite=True)
    return card

def curve_md(goal:float=2.)->str:
    "The card's section on what more training buys, from the learning curve's finished runs (nothing before it has run)."
    out = CURVE.with_suffix('')
    if not (out/'results.csv').exists(): return ''
    cfg = read_study(CURVE); cs = curve_summary(ct := curve_table(cfg, out, pd.read_csv(out/'results.csv')))
    if not len(cs): return ''
    cols = ('ein-hdr/pooled', 'si-hdr/pooled')
    t = pd.DataFrame({'runs': cs.runs, 'steps': cs.steps, **{f'{c}: mean': cs[c].map('{:+.2f}'.format) for c in cols},
                      **{f'{c}: seed spread': cs[f'{c} spread'].map(lambda v: '' if np.isnan(v) else f'{v:.2f}') for c in cols}})
    div, best = diverged_runs(cfg, out), cs['ein-hdr/pooled'].idxmax()
    left = sum(not (run_dir(out, v, s)/'done.json').exists() for v in cfg.variants for s in cfg.variant_seeds(v)) - len(div)
    return f"""
## What more training buys

`{rel(CURVE)}` trains this recipe on the same training scenes at longer budgets and at the paper's width (num_c 32), two
seeds each, scored on the same test scenes and cameras as above (that study's own crops of them); PU21-PSNR over the
linearised SDR, means over scenes, cameras pooled (dB){f'; {left} of its runs are still to come' if left else ''}:

{t.to_markdown(disable_numparse=True)}
{chr(10) + 'Diverged (not in the table): ' + '; '.join(f'{r.variant}, seed {r.seed}, at step {r.step}' for r in div.itertuples()) + '.' + chr(10) if len(div) else ''}
The best of these, "{best}", is {cs.loc[best, 'ein-hdr/pooled']:+.2f} dB under ours{f", {goal - cs.loc[best, 'ein-hdr/pooled']:.1f} dB short of the goal of +{goal:g} dB: on this evidence more CPU time with this recipe does not reach the goals" if cs.loc[best, 'ein-hdr/pooled'] < goal else f", at the goal of +{goal:g} dB or above: retrain the shipped model with it"}. What might, untested here: the
paper's width at a rate it trains stably with (a lower one, with warmup) and far longer, on a GPU (`studies/cross_source_gpu.toml` is ready), and more
scenes from more sources. The curve, drawn against CPU hours with its seed spread, and its reading: `nbs/08e_study.ipynb`.
"""

def camera_text(c:dict)->str:
    "A test or training camera in words."
    lo, hi = c['clip_range']
    g = c.get('gamma_range')
    return (f"curves {', '.join(c.get('curves', ['srgb', 'gamma']))}" + (f" (γ {g[0]:g}-{g[1]:g})" if g and 'gamma' in c.get('curves', ['gamma']) else '')
            + (f", {lo:.0%} of the pixels clipped" if lo == hi else f", {lo:.0%}-{hi:.0%} of the pixels clipped")
            + (f", noise up to {c['noise_range'][1]:g}" if c.get('noise_range', [0, 0])[1] else '')
            + (f", JPEG quality {c['jpeg_quality'][0]}-{c['jpeg_quality'][1]}" if c.get('jpeg_quality') else '')
            + (f", white balance ×{c['wb_range'][0]:g}-{c['wb_range'][1]:g}" if c.get('wb_range') and tuple(c['wb_range']) != (1, 1) else ''))

def recipe_text(fin, variant)->str:
    tc = fin.train_config(variant, 0, '.', '.')
    cam = {**fin.dataset_options()['camera'], **(fin.train_camera(variant) or {})}
    loss = ', '.join(f'{k} × {w:g} ({LOSS_TERMS[k].doc.rstrip(".")})' for k, w in tc.active_loss().items())
    return (f"loss {loss}; Adam, lr {tc.lr:g} with one cosine decay to {tc.eta_min:g}; batch {tc.batch_size} of {tc.crop_size}² crops "
            f"(scale jitter {tc.scale[0]:g}-{tc.scale[1]:g}, flips, rotations); training camera: {camera_text(cam)}")

if __name__ == '__main__': main()
