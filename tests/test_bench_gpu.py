"""`scripts/bench_gpu.py --smoke`: every row of the GPU benchmark runs (at tiny sizes, on the CPU) and lands in its JSON."""
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_bench_gpu_smoke(tmp_path):
    out = tmp_path/'bench.json'
    r = subprocess.run([sys.executable, str(ROOT/'scripts'/'bench_gpu.py'), '--smoke', '--json', str(out)], capture_output=True, text=True,
                       env={**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE'}, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rows = json.loads(out.read_text())['rows']
    done = {(x['row'].split(',')[0], x['config']) for x in rows if 'seconds' in x}
    configs = {c for _, c in done}
    for c in ("reference (authors' arithmetic), fp32", 'ours, default (precision auto)', 'ours, bf16, NCHW', 'ours, fp32, torch.compile',
              'ours, default (as ein_hdr train)', 'ours, default precision, torch.compile', 'Trainer.validate: from memory', 'the forward pass alone'):
        assert c in configs, c
    assert all(x['seconds'] > 0 for x in rows if 'seconds' in x)
    skipped = [x for x in rows if 'skipped' in x]
    assert skipped and all('CUDA' in x['skipped'] or 'NHWC' in x['skipped'] for x in skipped)   # only what needs a GPU is left out
    train = next(x for x in rows if x['row'] == 'ein_hdr train')
    assert 0 < train['busy_share'] <= 1 and 'training pairs' in train['config']
    assert 'ein_hdr benchmark on cpu' in r.stdout
