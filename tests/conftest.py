import os
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MPLBACKEND", "Agg")

# Under pytest-xdist (`make test` runs `-n auto`) the workers share the cores: each gets its share of threads, so two
# processes never fight over both cores (2-thread torch can stall many times over when another process holds them).
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
if _workers > 1:
    os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // _workers))

# The longest tests start first, so the workers finish together (the rest are short and fill the gaps).
HEAVY = ['test_notebook[08e_study]', 'test_notebook[04_train]', 'test_bench_gpu_smoke', 'test_notebook[09_cli]',
         'test_notebook[09a_demo]', 'test_notebook[05_inference]']

def pytest_collection_modifyitems(config, items):
    rank = {n: i for i, n in enumerate(HEAVY)}
    items.sort(key=lambda it: rank.get(it.name, len(HEAVY)))
