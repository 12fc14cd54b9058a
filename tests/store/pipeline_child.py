"""A pipeline that commits steps without pause, printing each step's number once committed.

Run as ``python pipeline_child.py STORE`` by the backup test and ``bench/bench_backup.py``:
each step registers a version of dataset ``stream`` (``rows`` = the step) and a model
``m`` (``trained_on`` = the step) linked to it, in one transaction.
"""

import sys

from arangoml_meta.store import open_store

store = open_store(sys.argv[1])
step = 0
while True:
    with store.transaction():
        data = store.register("datasets", "stream", rows=step)
        store.link(data, store.register("models", "m", trained_on=step), "derived")
    print(step, flush=True)
    step += 1
