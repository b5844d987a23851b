"""Run under torchrun by test_ddp.py: train a few steps with DDP (gloo, CPU), save this rank's weights and losses."""
import os, sys
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import torch
torch.set_num_threads(1)
from ein_hdr.train import Trainer, TrainConfig

root, out = sys.argv[1], sys.argv[2]
tr = Trainer(TrainConfig(root_path=root, out_dir=out, num_c=8, batch_size=2, crop_size=72, mode='crop', max_steps=3, max_epoch=10,
                         perceptual=False, valid_freq=0, checkpoints_freq=0, progress=False, scale=(0.8, 1.)))
hist = tr.fit()
torch.save(dict(state=tr.net.state_dict(), losses=[r['loss'] for r in hist if 'loss' in r and r.get('loss') == r.get('loss')],
                world=tr.world, steps=tr.global_step), os.path.join(out, f'rank{tr.rank}.pt'))
torch.distributed.destroy_process_group()
