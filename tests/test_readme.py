"""README.md is written from nbs/index.ipynb (scripts/make_readme.py): they must agree."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_readme_is_the_index():
    spec = importlib.util.spec_from_file_location('make_readme', ROOT/'scripts'/'make_readme.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    want = m.readme_text()
    assert 'Written by scripts/make_readme.py' in want and '## Results' in want and '| test camera | ein-hdr | si-hdr |' in want and 'Chosen: **' in want   # the computed tables came through
    assert (ROOT/'README.md').read_text(encoding='utf-8') == want, "README.md differs from nbs/index.ipynb: edit the notebook and run scripts/make_readme.py"
