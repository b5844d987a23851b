"""`make book`: the stored notebooks become an HTML book with navigation, hidden cells hidden and figures embedded."""
import importlib.util, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _make_book():
    spec = importlib.util.spec_from_file_location('make_book', ROOT/'scripts'/'make_book.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

def test_book(tmp_path):
    pages = _make_book().build(tmp_path)
    names = [p.name for p in pages]
    assert names[0] == 'index.html' and len(pages) >= 10 and all(p.exists() for p in pages)
    texts = {p.name: p.read_text(encoding='utf-8') for p in pages}
    with_figures = [n for n, t in texts.items() if 'src="data:image/png;base64,' in t]
    assert len(with_figures) >= 4, with_figures
    for n in ('01_model.html', '02_data.html', '04_train.html', '06_evaluate.html'): assert n in with_figures, n
    with_hdr = [n for n, t in texts.items() if 'class="ein-uhdr"' in t and 'src="data:image/jpeg;base64,' in t]   # show_hdr's Ultra HDR images
    for n in ('00_core.html', '05_inference.html', '07_explore.html'): assert n in with_hdr, (n, with_hdr)
    for n, t in texts.items():
        assert '#| ' not in t and 'from fastcore.test import' not in t, n     # directives and #| hide cells stay out
        assert t.count('class="ein-nav"') == 2 and 'href="index.html"' in t, n
    for a, b in zip(names[1:], names[2:]): assert f'href="{b}"' in texts[a] and f'href="{a}"' in texts[b]   # next and previous
    assert all(f'href="{n}"' in texts['index.html'] for n in names[1:])          # the contents list every chapter
    assert re.search(r'<h1[^>]*>The EIN model', texts['01_model.html'])
