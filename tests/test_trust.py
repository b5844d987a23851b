"""Files handed to ein_hdr run no code: a checkpoint whose unpickling would write a marker file is refused by every loader
(predict, evaluate, train --resume/--pre_model, convert, the Python API) with a one-line error naming it, and the marker never
appears. A bare state_dict of a residual-head model is never run as a sigmoid model without a warning."""
import io, os, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest, torch

ROOT = Path(__file__).resolve().parents[1]

class Payload:
    "Unpickling this calls io.open(marker, 'w'): what a malicious checkpoint could do with any function."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (io.open, (self.marker, 'w'))

def cli(*args, cwd=None):
    env = {**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE', 'PYTHONPATH': str(ROOT)}
    return subprocess.run([sys.executable, '-m', 'ein_hdr', *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    "A tiny dataset, one SDR photograph, a training checkpoint, and payload copies of the shipped model and of that checkpoint."
    from ein_hdr.core import shared_path, write_sdr
    from ein_hdr.data import make_dataset
    from ein_hdr.inference import DEFAULT_MODEL
    from ein_hdr.model import read_checkpoint
    from ein_hdr.train import Trainer, TrainConfig
    d = tmp_path_factory.mktemp('trust')
    make_dataset([shared_path('data', 'hdr', 'comp_zip.exr')], d/'data', valid_fraction=0, crops=2, exposures=1, size=96, progress=False, log=lambda *a: None)
    (d/'sdr').mkdir(); write_sdr(d/'sdr'/'a.png', np.random.default_rng(0).random((40, 56, 3)))
    kw = dict(root_path=str(d/'data'), num_c=8, batch_size=2, crop_size=80, mode='crop', perceptual=False, valid_freq=0, progress=False)
    tr = Trainer(TrainConfig(out_dir=str(d/'run'), max_steps=1, **kw), log=lambda *a: None); tr.fit()
    marker = d/'MARKER'
    torch.save({**read_checkpoint(DEFAULT_MODEL), 'extra': Payload(marker)}, d/'shipped_payload.pth')   # the shipped model + a payload
    torch.save({**torch.load(d/'run'/'checkpoints'/'last.pt', weights_only=True), 'extra': Payload(marker)}, d/'train_payload.pt')
    return dict(d=d, marker=marker, kw=kw)

@pytest.mark.parametrize('case', ['predict', 'predict-authors', 'evaluate', 'resume', 'pre_model', 'convert'])
def test_cli_refuses_payload(world, case):
    d, marker = world['d'], world['marker']
    ship, run = d/'shipped_payload.pth', d/'train_payload.pt'
    train = ['train', '--root_path', d/'data', '--num_c', '8', '--batch_size', '2', '--crop_size', '80', '--mode', 'crop',
             '--no-perceptual', '--valid_freq', '0', '--max_steps', '2', '--quiet', '--out_dir', d/f'out_{case}']
    args = {'predict': ['predict', '--test_SDR_path', d/'sdr', '--out_HDR_path', d/'o1', '--checkpoint', ship, '--quiet'],
            'predict-authors': ['--test_SDR_path', d/'sdr', '--out_HDR_path', d/'o2', '--test_model', ship],   # their main.py form
            'evaluate': ['evaluate', '--pairs', d/'data', '--model', ship, '--out', d/'rep', '--quiet'],
            'resume': train + ['--resume', run], 'pre_model': train + ['--pre_model', ship],
            'convert': ['convert', ship, d/'x.safetensors']}[case]
    r = cli(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert 'would run code (io.open)' in err[-1] and Path(args[args.index(ship if case != 'resume' else run)]).name in err[-1], r.stderr
    assert 'Traceback' not in r.stderr
    assert not marker.exists(), 'the payload ran'
    print(f"{case}: exit {r.returncode}: {err[-1][:160]}")

def test_api_refuses_payload(world):
    from ein_hdr.model import load_official_checkpoint, read_checkpoint, CheckpointError
    from ein_hdr.inference import load_model
    from ein_hdr.train import Trainer, TrainConfig
    d = world['d']
    for fn in (lambda: read_checkpoint(d/'shipped_payload.pth'), lambda: load_official_checkpoint(d/'shipped_payload.pth'),
               lambda: load_model(d/'shipped_payload.pth'),
               lambda: Trainer(TrainConfig(out_dir=str(d/'api'), resume=str(d/'train_payload.pt'), **world['kw'])),
               lambda: Trainer(TrainConfig(out_dir=str(d/'api'), pre_model=str(d/'shipped_payload.pth'), **world['kw']))):
        with pytest.raises(CheckpointError, match='would run code'): fn()
    assert not world['marker'].exists()

def test_checkpoints_need_no_allow_list(world):
    "Our training checkpoints and the shipped model hold only tensors and plain values."
    from ein_hdr.inference import DEFAULT_MODEL
    ck = torch.load(world['d']/'run'/'checkpoints'/'last.pt', weights_only=True)    # no safe_globals: plain types only
    assert isinstance(ck['rng']['numpy'][1], list) and isinstance(ck['train_config']['root_path'], str)
    assert DEFAULT_MODEL.suffix == '.safetensors'

def test_bare_residual_state_dict(world, tmp_path):
    "A raw state_dict of a residual-head model: predict warns that it assumes the sigmoid head; --head residual runs it as it is."
    from ein_hdr.model import EIN
    from ein_hdr.core import read_hdr, read_sdr_uint8
    from ein_hdr.inference import reconstruct
    torch.manual_seed(0); m = EIN(num_c=8, head='residual').eval()
    with torch.no_grad(): m.head.conv2.weight.normal_(0, 0.05)
    torch.save(m.state_dict(), tmp_path/'bare.pt')
    d = world['d']
    r = cli('predict', '--test_SDR_path', d/'sdr', '--out_HDR_path', tmp_path/'guess', '--checkpoint', tmp_path/'bare.pt', '--quiet')
    assert r.returncode == 0 and "assuming the paper's sigmoid head" in r.stderr and '--head residual' in r.stderr, r.stderr
    r = cli('predict', '--test_SDR_path', d/'sdr', '--out_HDR_path', tmp_path/'told', '--checkpoint', tmp_path/'bare.pt', '--head', 'residual', '--quiet')
    assert r.returncode == 0 and 'warning' not in r.stderr, r.stderr
    want = reconstruct(m, read_sdr_uint8(d/'sdr'/'a.png'))
    assert np.allclose(read_hdr(tmp_path/'told'/'a.exr'), want, rtol=1e-4, atol=1e-6)
    r = cli('evaluate', '--pairs', d/'data', '--model', tmp_path/'bare.pt', '--out', tmp_path/'rep', '--no-baselines', '--quiet')
    assert "assuming the paper's sigmoid head" in r.stderr, r.stderr

def test_evaluate_reports_and_exits_nonzero(tmp_path):
    "An orphan SDR and a wrong-size prediction are listed by name; the good pairs are scored; exit 1."
    from ein_hdr.core import write_sdr, write_hdr
    rng = np.random.default_rng(0)
    (tmp_path/'p'/'sdr').mkdir(parents=True); (tmp_path/'p'/'hdr').mkdir()
    for n in ('a', 'b'):
        h = rng.random((24, 32, 3)).astype(np.float32) * 4
        write_hdr(tmp_path/'p'/'hdr'/f'{n}.exr', h); write_sdr(tmp_path/'p'/'sdr'/f'{n}.png', np.clip(h, 0, 1) ** (1 / 2.2))
        write_hdr(tmp_path/'mine'/f'{n}.exr', h if n == 'a' else h[:8, :8])
    write_sdr(tmp_path/'p'/'sdr'/'lone.png', rng.random((24, 32, 3)))
    r = cli('evaluate', '--pairs', tmp_path/'p', '--pred', f"mine={tmp_path/'mine'}", '--no-baselines', '--out', tmp_path/'rep', '--quiet')
    assert r.returncode == 1, (r.stdout, r.stderr)
    out = r.stdout + r.stderr
    assert 'lone.png' in out and 'b.exr' in out and 'wrong size' in out, out
    rows = (tmp_path/'rep'/'problems.csv').read_text()
    assert 'lone.png' in rows and 'mine' in rows

def test_predict_max_pixels(world, tmp_path):
    "An image over --max-pixels is refused from its header, named with the limit; the run goes on and exits 1."
    d = world['d']
    r = cli('predict', '--test_SDR_path', d/'sdr', '--out_HDR_path', tmp_path/'o', '--max-pixels', '1000', '--quiet')
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert 'a.png' in r.stderr and '1,000' in r.stderr.replace(' 000', ',000') or '1000' in r.stderr, r.stderr
    assert not (tmp_path/'o'/'a.exr').exists()

# --- issue 36: nothing of the user's replaced, options and weights checked before work, errors that name the file ---

def run_main(*args):
    "The `ein_hdr` entry point in this process (no interpreter to start): (exit code, what it printed on stderr)."
    import contextlib, io
    from ein_hdr.cli import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err): rc = main([str(a) for a in args])
    return rc, err.getvalue()

def one_line_error(rc, err, *parts):
    assert rc == 2 and len(err.strip().splitlines()) == 1 and 'Traceback' not in err, (rc, err)
    for p in parts: assert p in err, (p, err)

def snapshot(folder): return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob('*')) if p.is_file()}

def test_each_command_writes_only_its_own(world, tmp_path, monkeypatch):
    "Every command that writes refuses, before any work, a folder (or file) holding what it did not write, naming it; nothing there changes."
    from ein_hdr.core import shared_path
    from ein_hdr.inference import DEFAULT_MODEL
    d, hdr = world['d'], shared_path('data', 'hdr')
    mine = tmp_path/'mine'; (mine/'data').mkdir(parents=True)
    (mine/'data'/'train.xls').write_text('my dataset'); (mine/'report.md').write_text('my report'); (mine/'w.safetensors').write_bytes(b'my weights')
    study = tmp_path/'study.toml'
    study.write_text(f'name = "s"\ndata = ["{hdr}"]\nsteps = 1\nseeds = [0]\n[base]\nnum_c = 8\n[variants.a]\n')
    before = snapshot(mine)
    how = 'it writes only into a new or empty folder, or one it made'
    one_line_error(*run_main('demo', '--data', shared_path('data'), '--out', mine), 'holds files that `ein_hdr demo` did not write (data, report.md, w.safetensors)', how)
    one_line_error(*run_main('make-dataset', hdr, mine, '--overwrite', '--quiet'), 'holds files that `ein_hdr make-dataset` did not write')
    one_line_error(*run_main('train', '--root_path', d/'data', '--out_dir', mine, '--quiet'), 'holds files that `ein_hdr train` did not write')
    one_line_error(*run_main('train', '--root_path', d/'data', '--out_dir', d/'run', '--quiet'), 'holds a run already (log.csv, checkpoints/last.pt)', '--resume')
    one_line_error(*run_main('predict', '--test_SDR_path', d/'sdr', '--out_HDR_path', mine, '--overwrite', '--quiet'), 'holds files that `ein_hdr predict` did not write')
    monkeypatch.chdir(mine)
    one_line_error(*run_main('evaluate', '--pairs', d/'data', '--out', '.', '--quiet'), 'holds files that `ein_hdr evaluate` did not write')
    one_line_error(*run_main('study', study, '--out', mine, '--quiet'), 'holds files that `ein_hdr study` did not write')
    one_line_error(*run_main('refit', study, '--out', mine, '--final', mine/'report.md', '--quiet'), 'report.md: not written by `ein_hdr refit`')
    one_line_error(*run_main('refit', study, '--out', mine, '--final', study, '--quiet'), 'is the study file itself')
    one_line_error(*run_main('convert', DEFAULT_MODEL, mine/'w.safetensors', '--overwrite'), 'w.safetensors: not written by `ein_hdr convert`')
    assert snapshot(mine) == before and study.read_text().startswith('name = "s"')

CHECKED = [ # (command line after the command's folders, what the one-line error says); each refused before any work
    (['predict', '--tile', '-5'], 'tile: must be ≥ 72, got -5'), (['predict', '--tile', '8', '--overlap', '64'], 'tile: must be ≥ 72'),
    (['predict', '--tile', '80', '--overlap', '100'], 'overlap: must be at most half the tile'), (['predict', '--peak-nits', '-1'], 'peak_nits: must be in (0, 10000]'),
    (['predict', '--sdr-white', 'nan'], 'sdr_white: must be a finite number, got nan'), (['predict', '--format', 'uhdr', '--jpeg-quality', '0'], 'jpeg_quality: must be in [1, 100], got 0'),
    (['predict', '--device', 'xla'], "device 'xla': not a device"), (['predict', '--device', 'bogus'], "device 'bogus': not a device"),
    (['predict', '--device', ''], "device '': not a device"), (['predict', '--device', 'mps'], 'MPS is not available here'),
    (['make-dataset', '--crops', '0'], 'crops: must be in [1, 10000], got 0'), (['make-dataset', '--noise', 'nan'], 'noise: must be a finite number'),
    (['make-dataset', '--clip', 'nan', '0.1'], 'clip: must be two values'), (['make-dataset', '--size', '-64'], 'size: must be 0 (the whole image) or 16-16384'),
    (['make-dataset', '--seed', '100000000000000000000'], 'seed: must be in [0, 4294967295]'),
    (['evaluate', '--max-pairs', '-1'], 'max_pairs: must be ≥ 1, got -1'), (['evaluate', '--pred', 'linearised SDR=x'], "method name 'linearised SDR': already a baseline's"),
    (['evaluate', '--pred', 'a=x', 'a=y'], "'a' is given twice"), (['train', '--seed', '100000000000000000000'], 'seed: must be in [0, 2³² − 1]')]

@pytest.mark.parametrize('args,msg', CHECKED, ids=[' '.join(a) for a, _ in CHECKED])
def test_options_checked_before_work(world, tmp_path, args, msg):
    from ein_hdr.core import shared_path
    d, out = world['d'], tmp_path/'out'
    folders = {'predict': ['--test_SDR_path', d/'sdr', '--out_HDR_path', out], 'make-dataset': [shared_path('data', 'hdr'), out],
               'evaluate': ['--pairs', d/'data', '--out', out], 'train': ['--root_path', d/'data', '--out_dir', out]}[args[0]]
    one_line_error(*run_main(args[0], *folders, *args[1:], '--quiet'), msg)
    assert not out.exists()                                                   # nothing made, not even the folder

def test_forged_weights_refused_before_memory(tmp_path):
    "A small .safetensors whose metadata claims a wide model, or whose tensors are integers: one line, before the model is built."
    import json, resource
    from dataclasses import asdict
    from safetensors.torch import save_file
    from ein_hdr.model import EIN
    m = EIN(num_c=8); sd = {k: v.contiguous() for k, v in m.state_dict().items()}
    for name, cfg, tensors, msg in (('wide', dict(num_c=512), sd, 'num_c: must be a multiple of 8 in [8, 256], got 512'),
                                    ('w64', dict(num_c=64), sd, 'wrong shapes'), ('huge', dict(num_c=1e9), sd, 'num_c: expected int'),
                                    ('ints', {}, {k: v.long() for k, v in sd.items()}, 'holds int64 values')):
        save_file(tensors, tmp_path/f'{name}.safetensors', metadata={'format': '"ein_hdr/1"', 'config': json.dumps({**asdict(m.config), **cfg})})
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        one_line_error(*run_main('convert', tmp_path/f'{name}.safetensors', tmp_path/f'{name}_out.safetensors'), f'{name}.safetensors', msg)
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 200_000      # kB: no model of GBs was built first

def test_disk_full_during_train_names_the_file(world, tmp_path):
    "A checkpoint that cannot be written (here: over a file-size limit, as on a full disk): one line naming it, exit 2, no partial file."
    import resource, signal
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN); resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    env = {**os.environ, 'OMP_WAIT_POLICY': 'PASSIVE', 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(ROOT)}
    out = tmp_path/'run'
    r = subprocess.run([sys.executable, '-m', 'ein_hdr', 'train', '--root_path', world['d']/'data', '--out_dir', out, '--num_c', '8', '--batch_size', '2',
                        '--crop_size', '80', '--mode', 'crop', '--no-perceptual', '--valid_freq', '0', '--max_steps', '1', '--quiet'],
                       capture_output=True, text=True, env=env, preexec_fn=small_files, timeout=600)
    one_line_error(r.returncode, r.stderr, str(out/'checkpoints'/'last.pt'), 'cannot write it')
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob('*') if p.is_file()) if out.exists() else []
    assert not any(n.startswith('checkpoints/') for n in left), left                       # no partial checkpoint, no temporary file (a run that wrote nothing leaves no folder)

def test_study_errors_are_one_line():
    "A study that could not finish every run (another process holds one), and a lock nobody can take: the user's to act on, not tracebacks."
    from ein_hdr.cli import _user_error
    from ein_hdr.study import StudyIncomplete, LockHeld
    assert _user_error(StudyIncomplete('/s: 1 run(s) are not in the report, being trained by another process (a, seed 0 by host 12 in /s/runs/a/seed0)'))
    assert _user_error(LockHeld('/s/runs/a/seed0/.lock: a stale lock file that cannot be removed; delete it'))
