__version__ = "0.1.0"

# Written by hand (nbdev_export only updates the version line above). `ein_hdr.fast` (nbs/01a_fast.ipynb) gives
# `EIN.forward` its fast paths; the model module never imports it. Instead, the first import of `ein_hdr.model` runs
# Python's own loader for it, then imports `ein_hdr.fast`: `from ein_hdr.model import EIN` always gets the fast
# forward, and `import ein_hdr` alone loads no torch (so `ein_hdr --help` stays quick).
import importlib, importlib.abc, importlib.machinery, sys

class _ThenFast(importlib.abc.Loader):
    "ein_hdr.model's own loader, followed by `import ein_hdr.fast`."
    def __init__(self, loader): self.loader = loader
    def create_module(self, spec): return self.loader.create_module(spec)
    def exec_module(self, module):
        self.loader.exec_module(module)
        importlib.import_module('ein_hdr.fast')

class _FastAfterModel(importlib.abc.MetaPathFinder):
    "Finds ein_hdr.model as Python would, and hands it the loader above."
    def find_spec(self, name, path=None, target=None):
        if name != __name__ + '.model': return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None: spec.loader = _ThenFast(spec.loader)
        return spec

if not any(isinstance(f, _FastAfterModel) for f in sys.meta_path): sys.meta_path.insert(0, _FastAfterModel())
