"""Turn the stored notebooks into an HTML book (`make book`): book/index.html and one page per notebook.

Nothing is executed: the pages show the outputs stored in nbs/ (`make notebooks` refreshes them). As in nbdev's
docs, `#| hide` and `#| default_exp` cells are left out, `#| echo: false` shows only a cell's output and
`#| output: false` only its code, directive lines are not shown, and the title comes first. Every page links to the contents and to the
previous and next chapter.

    .venv/bin/python scripts/make_book.py            # -> book/
    .venv/bin/python scripts/make_book.py --out DIR
"""
import argparse, copy, html, re, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DROP = {'hide', 'default_exp', 'include: false', 'exporti'}     # exporti: internal code nbdev does not document either
NO_INPUT = {'echo: false', 'hide_input'}
NO_OUTPUT = {'output: false', 'hide_output'}

def directives(src:str)->set:
    "The `#| ...` directives of a cell, e.g. {'export', 'hide'} (`#| default_exp x` gives 'default_exp')."
    out = set()
    for l in src.splitlines():
        if not l.startswith('#|'): continue
        d = l[2:].strip()
        out.add('default_exp' if d.startswith('default_exp') else d)
    return out

def chapter(nb):
    "A copy of the notebook as the book shows it: hidden cells dropped, directive lines removed."
    nb = copy.deepcopy(nb); cells = []
    for c in nb.cells:
        d = directives(c.source) if c.cell_type == 'code' else set()
        if d & DROP: continue
        if c.cell_type == 'code':
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip('\n')
            if d & NO_INPUT: c.metadata['ein_hide_input'] = True
            if d & NO_OUTPUT: c.outputs = []
            if not c.source and not c.outputs: continue
        cells.append(c)
    title = next((i for i, c in enumerate(cells) if c.cell_type == 'markdown' and re.search(r'^#\s', c.source, re.M)), 0)
    nb.cells = [cells[title]] + cells[:title] + cells[title + 1:] if cells else cells   # the title first, as nbdev's pages
    return nb

def title_of(nb, fallback:str)->tuple:
    "(title, one-line summary) from the notebook's `# Title` and `> summary` lines."
    for c in nb.cells:
        if c.cell_type != 'markdown': continue
        m = re.search(r'^#\s+(.+)$', c.source, re.M)
        if m:
            s = re.search(r'^>\s*(.+)$', c.source, re.M)
            return m.group(1).strip().strip('`'), (s.group(1).strip() if s else '')
    return fallback, ''

def nav(pages, i)->str:
    "Links to the contents, the previous and the next chapter."
    link = lambda j, label: f'<a href="{pages[j][0]}">{label}</a>' if 0 <= j < len(pages) else '<span></span>'
    return (f'<nav class="ein-nav">{link(0, "Contents")} {link(i - 1, "&larr; " + html.escape(pages[i - 1][1]) if i > 0 else "")}'
            f' {link(i + 1, html.escape(pages[i + 1][1]) + " &rarr;" if i + 1 < len(pages) else "")}</nav>')

STYLE = """<style>.ein-nav{display:flex;gap:1.5em;justify-content:space-between;font:14px sans-serif;padding:.6em 1em;
background:#f4f6f8;border-bottom:1px solid #dde} .ein-nav a{text-decoration:none} .ein-toc{font:15px sans-serif;margin:1em 2em}
.ein-toc li{margin:.4em 0}</style>"""

def build(out:Path, nbs:Path=ROOT/'nbs')->list:
    "Write the book to `out`; returns the pages written."
    import nbformat
    from nbconvert import HTMLExporter
    paths = sorted(nbs.glob('[0-9]*.ipynb'))
    if (nbs/'index.ipynb').exists(): paths = [nbs/'index.ipynb'] + paths
    if not paths: sys.exit(f"{nbs}: no notebooks")
    books = [chapter(nbformat.read(p, as_version=4)) for p in paths]
    pages = [('index.html' if p.stem == 'index' else f'{p.stem}.html', title_of(b, p.stem)[0]) for p, b in zip(paths, books)]
    ex = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    out.mkdir(parents=True, exist_ok=True)
    toc = '<ol class="ein-toc">' + ''.join(f'<li><a href="{f}">{html.escape(t)}</a>: {html.escape(title_of(b, "")[1])}</li>'
                                         for (f, t), b in zip(pages[1:], books[1:])) + '</ol>'
    for i, (b, (fname, title)) in enumerate(zip(books, pages)):
        for c in b.cells:
            if c.metadata.get('ein_hide_input'): c.metadata.setdefault('jupyter', {})['source_hidden'] = True; c.source = ''
        body, _ = ex.from_notebook_node(b, resources={'metadata': {'name': title}})
        body = re.sub(r'href="([0-9][^"/]*?|index)\.ipynb"', r'href="\1.html"', body)            # links between chapters
        top = STYLE + nav(pages, i) + ('<h2 class="ein-toc">Chapters</h2>' + toc if i == 0 else '')
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + top, body, count=1)
        body = body.replace('</body>', nav(pages, i) + '</body>', 1)
        (out/fname).write_text(body, encoding='utf-8')
    return [out/f for f, _ in pages]

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT/'book'), help='output folder (default book/)')
    a = ap.parse_args(); t = time.time()
    pages = build(Path(a.out))
    print(f"{len(pages)} pages in {time.time() - t:.1f} s: {Path(a.out)/'index.html'}")

if __name__ == '__main__': main()
