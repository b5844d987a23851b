"""Check `ein_hdr.metrics.crf_correction` against the published MATLAB function run in GNU Octave, and store the result as
a test fixture (tests/fixtures/crf_octave.npz) that the evaluation notebook compares against on every CI run.

    apt-get install octave                      # GNU Octave (runs the MATLAB code unchanged)
    # a checkout of github gfxdisp/pu21 (not committed here): its matlab/crf_correction.m is what runs
    .venv/bin/python scripts/crf_octave_check.py --pu21 /path/to/pu21 [--write]

Inputs: a 24×32 crop of ../shared/data/hdr/comp_zip.exr mapped to a 4000 cd/m² peak (the reference), and three
tests made from it as in the published example (`ex_sihdr.m`): A clips the brightest 5% and adds 2% noise, B applies
a tone curve L^0.5/(300^0.5 + L^0.5) to the noisy image, C adds a colour cast and a gamma; plus the reference itself.
Every test runs under four settings of the function's arguments. Prints the largest relative difference per case.
"""
import argparse, shutil, subprocess, sys, tempfile
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ein_hdr.core import read_hdr, shared_path
from ein_hdr.metrics import crf_correction

SETTINGS = {'default': dict(), 'normalize': dict(normalize=True), 'log_rgb': dict(ptf='log', cspace='rgb'),
            'lin_luv_deg2': dict(deg=2, lam=0.1, ptf='lin')}
FIXTURE = ROOT/'tests'/'fixtures'/'crf_octave.npz'

def inputs(seed:int=1)->dict:
    "The reference (cd/m²) and the test images, float64 H×W×3."
    h = read_hdr(shared_path('data', 'hdr', 'comp_zip.exr'))[150:174, 250:282].astype(np.float64)
    ref = h / h.max() * 4000
    noisy = ref + np.random.default_rng(seed).standard_normal(ref.shape) * ref * 0.02
    tc = lambda L: L ** 0.5 / (300 ** 0.5 + L ** 0.5)
    return dict(ref=ref, A=np.minimum(noisy, np.percentile(ref, 95)), B=4000 * tc(np.maximum(noisy, 0)),
                C=(ref * np.array([1.2, 1.0, 0.7])) ** 0.9 * 3 + 1)

MFILE = """1;  % a script file (not a function file): its functions come after a statement
function I = rd(f, H, W)
  a = load(f); I = zeros(H, W, 3);
  for c = 1:3, I(:,:,c) = reshape(a(:, c), [W, H])'; end
end
function wr(f, O)
  [H, W, ~] = size(O); o = zeros(H*W, 3);
  for c = 1:3, t = O(:,:,c)'; o(:, c) = t(:); end
  dlmwrite(f, o, 'precision', '%.17g', 'delimiter', ' ');
end
H = {H}; W = {W};
R = rd('ref.txt', H, W);
{calls}
"""

def octave(pu21:Path, data:dict)->dict:
    "Run the published crf_correction.m in Octave on every test and setting; {(test, setting): output}."
    d = Path(tempfile.mkdtemp())
    try:
        shutil.copy(pu21/'matlab'/'crf_correction.m', d)
        H, W, _ = data['ref'].shape
        for k, v in data.items(): np.savetxt(d/f'{k}.txt', v.reshape(-1, 3), fmt='%.17g')
        args = {'default': "", 'normalize': ", 3, 0.01, 'pq', 'luv', 1", 'log_rgb': ", 3, 0.01, 'log', 'rgb', 0",
                'lin_luv_deg2': ", 2, 0.1, 'lin', 'luv', 0"}
        calls = '\n'.join(f"wr('out_{t}_{s}.txt', crf_correction(rd('{t}.txt', H, W), R{args[s]}));" for t in data for s in SETTINGS)
        (d/'check.m').write_text(MFILE.format(H=H, W=W, calls=calls))
        r = subprocess.run(['octave', '--no-gui', '--quiet', 'check.m'], cwd=d, capture_output=True, text=True)
        outs = {(t, s): d/f'out_{t}_{s}.txt' for t in data for s in SETTINGS}
        if not all(p.exists() for p in outs.values()): sys.exit(f"octave failed:\n{r.stdout}\n{r.stderr}")
        return {k: np.loadtxt(p).reshape(H, W, 3) for k, p in outs.items()}
    finally: shutil.rmtree(d)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pu21', required=True, help='a checkout of github gfxdisp/pu21')
    ap.add_argument('--write', action='store_true', help=f'store inputs and Octave outputs in {FIXTURE.relative_to(ROOT)}')
    a = ap.parse_args()
    if not shutil.which('octave'): sys.exit("needs GNU Octave on the PATH (apt-get install octave)")
    data = inputs(); ref = data['ref']
    outs = octave(Path(a.pu21), data)
    ver = subprocess.run(['octave', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"{ver}; crf_correction.m from {a.pu21}\n\n| test | setting | max relative difference | output range (cd/m²) |\n|---|---|---:|---|")
    for (t, s), o in outs.items():
        ours = crf_correction(data[t], ref, **SETTINGS[s]).astype(np.float64)
        rel = np.abs(ours - o) / np.maximum(np.abs(o), 1e-3)
        print(f"| {t} | {s} | {rel.max():.1e} | {o.min():.3g}-{o.max():.4g} |")
    if a.write:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(FIXTURE, **{f'in_{k}': v for k, v in data.items()}, **{f'out_{t}_{s}': v for (t, s), v in outs.items()},
                            octave=np.array(ver))
        print(f"\nwrote {FIXTURE}")

if __name__ == '__main__': main()
