"""Run every notebook in nbs/ as a test (one test per notebook), skipping cells flagged `notest` or `slow`; and check that
every notebook is stored with the outputs a reader sees without running it (`make notebooks`)."""
import json, os
from configparser import ConfigParser
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / 'nbs').glob('[!_.]*.ipynb'))

def _flags():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT / 'settings.ini')
    return cfg['DEFAULT'].get('tst_flags', '').split()

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, capsys, tmp_path, monkeypatch):
    import tempfile
    from nbdev.test import test_nb
    os.environ['IN_TEST'] = '1'
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))   # the notebook's temporary folders go where pytest removes them
    monkeypatch.setenv('TMPDIR', str(tmp_path))               # and those of the processes it starts
    ok, secs = test_nb(nb, skip_flags=_flags(), showerr=True)
    assert ok, f'{nb.name} failed (traceback above)'

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_stored_outputs(nb):
    cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
    code = [c for c in cells if c['cell_type'] == 'code']
    if code: assert any(c.get('outputs') for c in code), f"{nb.name} is stored without outputs: run `make notebooks` and commit it"
