"""DistributedDataParallel on CPU (gloo) through torchrun: 2 processes, a few steps, equal parameters and finite losses."""
import os, subprocess, sys, math
from pathlib import Path
import pytest, torch

SHARED = Path(os.environ.get('EIN_HDR_SHARED', Path(__file__).resolve().parents[2] / 'shared'))

def test_ddp_two_processes(tmp_path):
    hdr = SHARED / 'data' / 'hdr'
    if not hdr.is_dir(): pytest.fail(f"this test needs the sample HDR photographs in {hdr} (the read-only ../shared folder)")
    from ein_hdr.data import make_dataset
    make_dataset(hdr, tmp_path / 'data', crops=2, exposures=1, size=96, progress=False, log=lambda *a: None)
    env = {**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE', 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', '29531',
                        str(Path(__file__).with_name('ddp_worker.py')), str(tmp_path / 'data'), str(tmp_path / 'run')],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    a, b = (torch.load(tmp_path / 'run' / f'rank{i}.pt', weights_only=True) for i in (0, 1))
    assert a['world'] == b['world'] == 2 and a['steps'] == b['steps'] == 3
    assert all(torch.equal(a['state'][k], b['state'][k]) for k in a['state'])
    assert a['losses'] and all(math.isfinite(l) for l in a['losses'] + b['losses'])
    assert (tmp_path / 'run' / 'checkpoints' / 'last.pt').exists()       # rank 0 saved
