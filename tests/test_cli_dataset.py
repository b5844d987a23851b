"""The dataset builder end to end through the command line: make-dataset, read back via the .xls lists, load with 2 workers."""
import os, subprocess, sys
from pathlib import Path
import pytest

SHARED = Path(os.environ.get('EIN_HDR_SHARED', Path(__file__).resolve().parents[2] / 'shared'))

def _hdr_dir():
    d = SHARED / 'data' / 'hdr'
    if not d.is_dir(): pytest.fail(f"this test needs the sample HDR photographs in {d} (the read-only ../shared folder beside the project root)")
    return d

def test_make_dataset_cli_then_loader(tmp_path):
    out = tmp_path / 'data'
    r = subprocess.run([sys.executable, '-m', 'ein_hdr', 'make-dataset', str(_hdr_dir()), str(out), '--crops', '2',
                        '--exposures', '2', '--size', '128', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert 'wrote' in r.stdout and 'train:' in r.stdout
    for name in ('train_SDR', 'train_HDR', 'valid_SDR', 'valid_HDR', 'train.xls', 'valid.xls'): assert (out / name).exists(), name
    from ein_hdr.data import PairDataset, read_pairs, make_loader
    pairs = read_pairs(out / 'train.xls')
    assert list(pairs.columns) == ['HDR', 'SDR'] and len(pairs) == 3 * 2 * 2
    ds = PairDataset(out, 'train', mode='crop', crop_size=64, scale=(0.75, 1.0))
    seen = 0
    for b in make_loader(ds, batch_size=4, num_workers=2, seed=1):
        assert b['ldr'].shape == (4, 3, 64, 64) and b['target'].shape == (4, 3, 64, 64)
        assert b['mask_up'].min() >= 0 and b['mask_up'].max() <= 1
        seen += len(b['name'])
    assert seen == len(pairs)
    # refuses to overwrite, with a one-line error naming the folder
    r = subprocess.run([sys.executable, '-m', 'ein_hdr', 'make-dataset', str(_hdr_dir()), str(out), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 2 and str(out) in r.stderr and 'Traceback' not in r.stderr
