"""Every script in scripts/ at least starts: `--help` runs its imports and argument parser (a script whose import broke
when the package moved a name fails here, not the next time someone reproduces a result with it)."""
import subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT/'scripts').glob('*.py') if p.name != 'run_notebooks.py')   # that one takes notebook names

@pytest.mark.parametrize('script', SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_help(script):
    r = subprocess.run([sys.executable, str(script), '--help'], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and 'usage' in r.stdout.lower(), f"{script.name} --help failed:\n{r.stderr[-2000:]}"

def test_run_notebooks_names_a_missing_notebook():
    r = subprocess.run([sys.executable, str(ROOT/'scripts'/'run_notebooks.py'), 'no_such_chapter'], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode != 0 and 'no_such_chapter.ipynb: no such notebook' in r.stderr + r.stdout
