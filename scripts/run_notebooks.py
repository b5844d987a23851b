"""Execute the notebooks in nbs/ top to bottom and store their outputs in place (`make notebooks`, then nbdev_clean).

Figures are stored as PNG at 72 dpi; the explorer draws its static figures (EIN_HDR_STATIC=1); progress bars are
off (TQDM_DISABLE=1); cells flagged
`#| eval: false` are skipped, as nbdev skips them. A cell that fails stops the run with the notebook and cell named,
and that notebook is left as it was.

    .venv/bin/python scripts/run_notebooks.py               # every notebook
    .venv/bin/python scripts/run_notebooks.py 04_train      # some
"""
import os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = "%config InlineBackend.figure_formats = ['png']\n%config InlineBackend.rc = {'figure.dpi': 72}"
SKIP = 'skip-execution'                                    # nbclient's tag for cells it must not run

def directives(src:str)->set: return {l[3:].strip() for l in src.splitlines() if l.startswith('#| ')}

def run(path:Path)->float:
    "Execute one notebook in its folder and write it back with its outputs; returns the seconds taken."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(path, as_version=4)
    tagged = []
    for c in nb.cells:
        if c.cell_type == 'code' and 'eval: false' in directives(c.source):
            tags = c.metadata.setdefault('tags', [])
            if SKIP not in tags: tags.append(SKIP); tagged.append(c)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP))
    t = time.time()
    try: NotebookClient(nb, timeout=3600, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    except CellExecutionError as e: sys.exit(f"{path.name}: a cell failed; the notebook was not changed.\n{e}")
    del nb.cells[0]
    for c in tagged:
        c.metadata['tags'].remove(SKIP)
        if not c.metadata['tags']: del c.metadata['tags']
    nbformat.write(nb, path)
    return time.time() - t

def main(names):
    import warnings
    from nbformat.warnings import MissingIDFieldWarning
    warnings.filterwarnings('ignore', category=MissingIDFieldWarning)        # nbdev_clean strips cell ids on purpose
    os.environ.update(EIN_HDR_STATIC='1', OMP_WAIT_POLICY='PASSIVE', TQDM_DISABLE='1')   # no progress bars in stored outputs
    paths = sorted((ROOT/'nbs').glob('*.ipynb')) if not names else [ROOT/'nbs'/(n if n.endswith('.ipynb') else f'{n}.ipynb') for n in names]
    for p in paths:
        if not p.exists(): sys.exit(f"{p}: no such notebook")
        print(f"{p.name}: executed in {run(p):.0f} s", flush=True)

if __name__ == '__main__': main(sys.argv[1:])
