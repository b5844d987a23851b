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
