"""Open the notebooks in a real JupyterLab in headless Chromium, run the explorer, use it, and take screenshots.

Starts `jupyter lab` on localhost (a free port, no token), opens nbs/07_explore.ipynb, runs all its cells, waits for
the explorer's widgets and its figure, checks that its HDR view (an inline Ultra HDR JPEG) has loaded and decoded,
switches the tone mapping to Reinhard, waits for the new figure, then opens nbs/01_model.ipynb and checks that the
network diagram is a picture. Screenshots and a summary go to --out. Every
process it started is stopped at the end, also on failure. Not part of CI (it needs a browser):

    apt-get install chromium && .venv/bin/pip install playwright
    .venv/bin/python scripts/check_lab.py [--out runs/lab_check] [--chromium /usr/bin/chromium]
"""
import argparse, json, os, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync']

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def start_lab(port:int, log:Path)->subprocess.Popen:
    "jupyter lab on 127.0.0.1:port serving nbs/, no token, in its own process group."
    cmd = [str(Path(sys.executable).with_name('jupyter')), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           "--IdentityProvider.token=", '--ServerApp.password=', '--ServerApp.disable_check_xsrf=True',
           f'--ServerApp.root_dir={ROOT/"nbs"}', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if os.geteuid() == 0: cmd.append('--allow-root')
    env = {**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE'}; env.pop('EIN_HDR_STATIC', None); env.pop('IN_TEST', None)
    p = subprocess.Popen(cmd, stdout=open(log, 'w'), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status', timeout=2); return p
        except OSError:
            if p.poll() is not None: raise RuntimeError(f"jupyter lab exited with {p.returncode}; see {log}")
            time.sleep(1)
    raise RuntimeError(f"jupyter lab did not answer on port {port} within 2 minutes; see {log}")

def stop_lab(p:subprocess.Popen, port:int):
    "Shut the kernels and the server down, then make sure the whole process group is gone."
    try:
        base = f'http://127.0.0.1:{port}/api'
        for k in json.load(urllib.request.urlopen(f'{base}/kernels', timeout=5)):
            urllib.request.urlopen(urllib.request.Request(f"{base}/kernels/{k['id']}", method='DELETE'), timeout=10)
        urllib.request.urlopen(urllib.request.Request(f'{base}/shutdown', method='POST'), timeout=10)
        p.wait(20)
    except Exception: pass
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try: p.wait(10)
        except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait()

FIGURE = '.widget-output img'                                 # the explorer draws its figure inside an Output widget

def open_notebook(page, port:int, name:str):
    "Open a notebook, accept a kernel chooser if Lab shows one, decline the news prompt, wait until the kernel is idle."
    page.goto(f'http://127.0.0.1:{port}/lab/tree/{name}', wait_until='domcontentloaded')
    page.wait_for_selector('.jp-NotebookPanel .jp-Cell', timeout=120_000)
    select = page.locator('.jp-Dialog button.jp-mod-accept')
    if select.count(): select.first.click()
    page.wait_for_function("() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator')"
                           "?.dataset.status === 'idle'", timeout=120_000)
    news = page.get_by_role('button', name='No', exact=True)
    if news.count(): news.first.click()

def run_all(page, tries:int=3):
    "Run > Run All Cells, until the first code cell shows that it ran or is running."
    for _ in range(tries):
        page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').first.click(position={'x': 5, 'y': 5})
        page.keyboard.press('Escape')
        page.get_by_role('menuitem', name='Run', exact=True).click()
        page.get_by_text('Run All Cells', exact=True).click()
        try:
            page.wait_for_function("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]"
                                   ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))", timeout=30_000)
            return
        except Exception: time.sleep(2)
    raise RuntimeError("Run All Cells did not start the notebook")

def check(out:Path, chromium:str)->list:
    from playwright.sync_api import sync_playwright
    out.mkdir(parents=True, exist_ok=True)
    port, notes = free_port(), []
    lab = start_lab(port, out/'jupyter.log')
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={'width': 1500, 'height': 1100})
            try: _steps(page, port, out, notes)
            except Exception:
                page.screenshot(path=str(out/'failure.png')); notes.append(f"failed; the page at that moment: {out/'failure.png'}"); raise
            finally: browser.close()
    finally:
        stop_lab(lab, port)
    left = subprocess.run(['pgrep', '-f', f'--port={port}'], capture_output=True, text=True).stdout.split()
    notes.append(f"jupyter stopped; processes left on port {port}: {len(left)}")
    return notes

def _steps(page, port:int, out:Path, notes:list):
    "The explorer: run, wait for widgets and figure, switch the tone mapping; then the model notebook's diagram."
    open_notebook(page, port, '07_explore.ipynb')
    run_all(page); t = time.time()
    page.wait_for_selector('.widget-dropdown select', state='attached', timeout=600_000)
    fig = page.locator(FIGURE).first
    fig.wait_for(state='attached', timeout=600_000)
    notes.append(f"explorer: widgets and first figure after {time.time() - t:.0f} s")
    fig.scroll_into_view_if_needed(); page.screenshot(path=str(out/'1_explorer.png'))
    src0 = fig.get_attribute('src')
    widgets = {k: page.locator(s).count() for k, s in (('dropdown', '.widget-dropdown'), ('slider', '.widget-slider'),
                                                        ('toggle buttons', '.widget-toggle-buttons'))}
    notes.append('widgets found: ' + ', '.join(f'{k} {v}' for k, v in widgets.items()))
    hdr = page.locator('img.ein-uhdr').first                    # the HDR view: an Ultra HDR JPEG inline (show_hdr)
    hdr.wait_for(state='attached', timeout=300_000)
    page.wait_for_function("() => [...document.querySelectorAll('img.ein-uhdr')].some(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
    nw = page.evaluate("() => [...document.querySelectorAll('img.ein-uhdr')].map(i => [i.naturalWidth, i.naturalHeight, i.src.length])")
    notes.append(f"explorer HDR view: {len(nw)} inline Ultra HDR image(s) loaded and decoded by Chromium: " +
                 ', '.join(f'{w}×{h} px ({n / 1e3:.0f} kB as a data URL)' for w, h, n in nw))
    page.get_by_role('button', name='Reinhard').click()
    t = time.time()
    page.wait_for_function("([sel, src]) => { const i = document.querySelector(sel); return i && i.src !== src; }",
                           arg=[FIGURE, src0], timeout=300_000)
    notes.append(f"tone mapping switched to Reinhard: a new figure after {time.time() - t:.1f} s")
    page.locator(FIGURE).first.scroll_into_view_if_needed()
    page.screenshot(path=str(out/'2_explorer_reinhard.png'))
    open_notebook(page, port, '01_model.ipynb')
    cell = page.locator('.jp-CodeCell', has_text='network_diagram();').first
    cell.scroll_into_view_if_needed()
    img = cell.locator('.jp-OutputArea-output img').first
    img.wait_for(timeout=60_000)
    box = img.bounding_box()
    mermaid_src = page.locator('.jp-MarkdownCell pre', has_text='flowchart').count()
    notes.append(f"01_model: network diagram shown as a picture {box['width']:.0f}×{box['height']:.0f} px; "
                 f"Mermaid source blocks left as text: {mermaid_src}")
    page.screenshot(path=str(out/'3_model_diagram.png'))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT/'runs'/'lab_check'))
    ap.add_argument('--chromium', default='/usr/bin/chromium')
    a = ap.parse_args()
    if not Path(a.chromium).exists(): sys.exit(f"{a.chromium}: no Chromium here (apt-get install chromium, or pass --chromium PATH)")
    try: import playwright  # noqa: F401
    except ImportError: sys.exit("this check needs Playwright's Python package: .venv/bin/pip install playwright (no browser download needed)")
    notes = check(Path(a.out), a.chromium)
    (Path(a.out)/'summary.txt').write_text('\n'.join(notes) + '\n')
    print('\n'.join(notes)); print(f"screenshots in {a.out}")

if __name__ == '__main__': main()
