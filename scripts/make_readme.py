"""Write README.md from nbs/index.ipynb, the README's source (no Quarto here).

    .venv/bin/python scripts/make_readme.py            # writes README.md
    .venv/bin/python scripts/make_readme.py --check    # exit 1 if README.md differs from what the index gives

What goes in: every markdown cell as it is, and of every code cell only its stored markdown outputs (tables that a cell
computed, e.g. from a study's summary.csv); code, images and other outputs stay in the notebook (`make book` shows them).
Cells flagged `#| hide` and markdown cells that start with `<!-- notebook only -->` are left out.
"""
import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = '<!-- Written by scripts/make_readme.py from nbs/index.ipynb: edit the notebook, then run the script. -->\n\n'

def _text(x)->str: return ''.join(x) if isinstance(x, list) else x

def readme_text(index:Path=ROOT/'nbs'/'index.ipynb')->str:
    "README.md's text from the index notebook."
    parts = []
    for c in json.loads(index.read_text(encoding='utf-8'))['cells']:
        src = _text(c['source'])
        if c['cell_type'] == 'markdown':
            if not src.lstrip().startswith('<!-- notebook only -->'): parts.append(src.strip())
        elif c['cell_type'] == 'code' and '#| hide' not in src:
            parts += [_text(o['data']['text/markdown']).strip() for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]
    return HEAD + '\n\n'.join(p for p in parts if p) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='only compare; exit 1 if README.md is not what the index gives')
    a = ap.parse_args()
    text, readme = readme_text(), ROOT/'README.md'
    if a.check:
        if readme.read_text(encoding='utf-8') != text: sys.exit('README.md differs from nbs/index.ipynb: run scripts/make_readme.py')
        return print('README.md is what nbs/index.ipynb gives')
    tmp = readme.with_suffix('.md.tmp'); tmp.write_text(text, encoding='utf-8'); tmp.replace(readme)
    print(f'wrote {readme} ({len(text):,} characters)')

if __name__ == '__main__': main()
