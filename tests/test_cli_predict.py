"""`ein_hdr predict` on a folder of odd sizes and mixed formats with one corrupt file."""
import os, subprocess, sys
from pathlib import Path
import numpy as np, pytest, torch

def test_predict_cli_mixed_folder(tmp_path):
    from ein_hdr.core import write_sdr, read_hdr, read_sdr
    from ein_hdr.model import EIN
    import OpenImageIO as oiio
    rng = np.random.default_rng(0)
    src = tmp_path / 'sdr'; src.mkdir()
    sizes = {'a.png': (37, 101), 'b.JPG': (80, 133), 'c.tif': (64, 95), 'd.jpeg': (1, 1), 'e.PNG': (130, 77)}
    for name, (h, w) in sizes.items():
        img = rng.random((h, w, 3)); img[: h // 2] = 1.0            # some clipped highlights
        write_sdr(src / name, img, bits=16 if name == 'e.PNG' else 8)
    (src / 'corrupt.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'\x00' * 64)
    torch.manual_seed(0)
    ck = tmp_path / 'tiny.pt'; m = EIN(num_c=8, head='residual')
    torch.save({'config': vars(m.config), 'model': m.state_dict()}, ck)
    out = tmp_path / 'out'
    r = subprocess.run([sys.executable, '-m', 'ein_hdr', 'predict', '--test_SDR_path', str(src), '--out_HDR_path', str(out),
                        '--checkpoint', str(ck), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1, (r.stdout, r.stderr)                     # one file failed
    assert 'corrupt.png' in r.stderr and 'Traceback' not in r.stderr
    for name, (h, w) in sizes.items():
        p = out / f'{Path(name).stem}.exr'
        hdr = read_hdr(p); assert hdr.shape == (h, w, 3) and np.isfinite(hdr).all()
        spec = oiio.ImageInput.open(str(p)).spec(); assert spec.format == oiio.FLOAT and spec.nchannels == 3
    assert not (out / 'corrupt.exr').exists()
    # .hdr output is a real Radiance file
    r = subprocess.run([sys.executable, '-m', 'ein_hdr', 'predict', '--test_SDR_path', str(src), '--out_HDR_path', str(tmp_path / 'rgbe'),
                        '--checkpoint', str(ck), '--format', 'hdr', '--quiet'], capture_output=True, text=True)
    assert (tmp_path / 'rgbe' / 'a.hdr').read_bytes()[:2] == b'#?'
    assert read_hdr(tmp_path / 'rgbe' / 'b.hdr').shape == (80, 133, 3)

def test_predict_cli_no_result_lost_or_clobbered(tmp_path):
    "Inputs that share a name; a folder holding files predict did not write is refused; --overwrite replaces only predict's own outputs; (issues 27, 36; an output that would replace an input: nbs/05_inference)."
    from ein_hdr.core import write_sdr, OWNERS
    from ein_hdr.model import EIN
    img = np.random.default_rng(1).random((24, 40, 3))
    src = tmp_path / 'in'; src.mkdir(); write_sdr(src / 'a.jpg', img); write_sdr(src / 'a.png', img[::-1])
    torch.manual_seed(0); ck = tmp_path / 'tiny.pt'; m = EIN(num_c=8, head='residual')
    torch.save({'config': vars(m.config), 'model': m.state_dict()}, ck)
    run = lambda *a: subprocess.run([sys.executable, '-m', 'ein_hdr', 'predict', '--checkpoint', str(ck), '--quiet', *a], capture_output=True, text=True)
    theirs = tmp_path / 'theirs'; write_sdr(theirs / 'a_png_preview.png', np.zeros((2, 2, 3)))     # someone else's folder
    before = (theirs / 'a_png_preview.png').read_bytes()
    r = run('--test_SDR_path', str(src), '--out_HDR_path', str(theirs), '--previews', '--overwrite')
    assert r.returncode == 2 and 'holds files that `ein_hdr predict` did not write (a_png_preview.png)' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert sorted(p.name for p in theirs.iterdir()) == ['a_png_preview.png'] and (theirs / 'a_png_preview.png').read_bytes() == before
    out = tmp_path / 'out'
    assert run('--test_SDR_path', str(src), '--out_HDR_path', str(out), '--previews').returncode == 0
    assert sorted(p.name for p in out.iterdir()) == [OWNERS, 'a_jpg.exr', 'a_jpg_preview.png', 'a_png.exr', 'a_png_preview.png']
    (out / 'a_jpg.hdr').write_text('a note that merely has an output\'s name'); ino = (out / 'a_png.exr').stat().st_ino
    r = run('--test_SDR_path', str(src), '--out_HDR_path', str(out), '--format', 'exr,hdr', '--overwrite')
    assert r.returncode == 0, r.stderr
    assert (out / 'a_jpg.hdr').read_text() == "a note that merely has an output's name" and (out / 'a_png.hdr').exists()   # kept; the other written
    assert (out / 'a_png.exr').stat().st_ino != ino                                          # predict's own output, replaced
