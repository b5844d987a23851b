"""`scripts/precision_inference.py`: bf16 against float32 inference on a study's test images, its files and its refusals."""
import json, os, subprocess, sys
from pathlib import Path
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'

def run(*args):
    return subprocess.run([sys.executable, str(ROOT/'scripts'/'precision_inference.py'), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE'}, timeout=600)

@pytest.mark.skipif(not (SHARED/'data'/'hdr').is_dir(), reason=f"{SHARED/'data'/'hdr'} is missing (the shared sample data)")
def test_precision_inference(tmp_path):
    from ein_hdr.data import make_dataset, VirtualCamera
    data = tmp_path/'data'
    make_dataset(SHARED/'data'/'hdr', data, split='test', crops=1, exposures=1, size=128, progress=False, log=lambda *a: None,
                 camera={'clip_95': VirtualCamera(clip_range=(0.05, 0.05), curves=('gamma',), gamma_range=(2.2, 2.2))})
    r = run('--data', data, '--out', tmp_path/'out', '--max_images', 3)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    scores, paired, values = (pd.read_csv(tmp_path/'out'/f) for f in ('scores.csv', 'paired.csv', 'values.csv'))
    assert set(scores.precision) == {'fp32', 'bf16'} and len(scores) == 3 * 2 * 2              # 3 images, 2 precisions, 2 protocols
    assert set(paired.camera) == {'pooled', 'clip_95'} and (paired.largest_abs < 0.5).all()
    assert len(values) == 3 and (values.max_abs_over_peak < 0.05).all()                         # bf16 is close, not equal
    facts = json.loads((tmp_path/'out'/'facts.json').read_text())
    assert facts['images'] == 3 and facts['negligible'] == bool(paired.query("metric == 'pu21_psnr'").largest_abs.max() <= facts['bound'])
    r = run('--data', data, '--out', tmp_path/'out')                                             # finished results are never overwritten
    assert r.returncode != 0 and 'not empty' in r.stderr
    r = run('--data', tmp_path, '--out', tmp_path/'new')
    assert r.returncode != 0 and 'no test split' in r.stderr
