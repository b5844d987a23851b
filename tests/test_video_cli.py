"""`ein_hdr video` as a user runs it: a clip converted, an existing output refused without --overwrite (and kept as it
was), replaced with it, and every bad input answered in one line naming the file, exit status 2, no traceback."""
import os
import numpy as np
import pytest
from pathlib import Path
from ein_hdr.cli import main
from ein_hdr.core import read_sdr, shared_path
from ein_hdr.video import write_sdr_video, probe_video, FRAMES_CSV

@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    d = tmp_path_factory.mktemp('video')
    photo = read_sdr(shared_path('data', 'sdr', '091.png'))[::16, ::16][12:76, 8:104]
    return write_sdr_video(d/'clip.mp4', [np.roll(photo, 2 * i, 1) for i in range(4)], audio=True)

def run(args, capsys):
    code = main(['video', *map(str, args), '--quiet'])
    out, err = capsys.readouterr()
    return code, err

def test_convert_refuse_overwrite(clip, tmp_path, capsys):
    out = tmp_path/'clip_hdr10.mp4'
    code, err = run([clip, out], capsys)
    assert code == 0, err
    info = probe_video(out)
    assert (info['codec'], info['transfer'], info['primaries'], info['frames']) == ('hevc', 'pq', 'bt2020', 4)
    assert info['max_cll'] > 203 and [s['type'] for s in info['streams']] == ['audio']
    before = (out.stat().st_mtime_ns, out.read_bytes())
    code, err = run([clip, out], capsys)                                        # exists: refused, untouched
    assert code == 2 and err.count('\n') == 1 and str(out) in err and 'already exists' in err and '--overwrite' in err
    assert (out.stat().st_mtime_ns, out.read_bytes()) == before
    code, err = run([clip, out, '--overwrite', '--format', 'hdr10', '--crf', '28', '--frame-by-frame'], capsys)
    assert code == 0, err
    assert out.read_bytes() != before[1]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith('.')]    # no partial file left
    users = tmp_path/'users.mp4'; users.write_bytes(Path(clip).read_bytes())      # a video of the user's with an output's name
    code, err = run([clip, users, '--overwrite'], capsys)
    assert code == 2 and 'not written by `ein_hdr video`' in err and users.read_bytes() == Path(clip).read_bytes()
    code, err = run([clip, tmp_path/'clip_hlg.mkv', '--format', 'hlg', '--peak-nits', '600', '--input-range', 'full'], capsys)
    assert code == 0, err
    info = probe_video(tmp_path/'clip_hlg.mkv')
    assert (info['transfer'], 'max_cll' in info) == ('hlg', False) and [s['type'] for s in info['streams']] == ['audio']

def test_exr_frames(clip, tmp_path, capsys):
    code, err = run([clip, tmp_path/'frames', '--format', 'exr', '--max-frames', '2', '--sdr-white', '100'], capsys)
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path/'frames').iterdir())
    assert names == ['frame_000000.exr', 'frame_000001.exr', FRAMES_CSV, 'sound.mkv']
    code, err = run([clip, tmp_path/'frames', '--format', 'exr', '--overwrite', '--max-frames', '1'], capsys)
    assert code == 0 and sorted(p.name for p in (tmp_path/'frames').iterdir()) == ['frame_000000.exr', FRAMES_CSV, 'sound.mkv']

@pytest.mark.parametrize('make, args, says', [
    (lambda d: d/'missing.mp4', [], 'missing.mp4: no such file'),
    (lambda d: (d/'text.mkv').write_text('hello') and d/'text.mkv', [], 'text.mkv: cannot open as a video'),
    (lambda d: d, [], 'is a folder, not a video'),
    (None, ['--sdr-white', '203', '--peak-nits', '1000'], 'give one of them, not both'),
    (None, ['--format', 'hlg', '--max-nits', '4000'], 'max_nits: HLG is made for'),
    (None, ['--smoothing', '1.5'], 'smoothing: must be in [0, 1)'),
    (None, ['--max-pixels', '1000'], 'over the limit of 1,000'),
])
def test_bad_input_one_line(clip, tmp_path, capsys, make, args, says):
    src = make(tmp_path) if make else clip
    code, err = run([src, tmp_path/'out.mp4', *args], capsys)
    assert code == 2 and says in err and err.startswith('ein_hdr video: error: ') and err.count('\n') == 1, err
    assert 'Traceback' not in err and not (tmp_path/'out.mp4').exists()

def test_wrong_output_name(clip, tmp_path, capsys):
    code, err = run([clip, tmp_path/'out.avi'], capsys)
    assert code == 2 and 'out.avi' in err and '.mp4, .mkv, .mov' in err
