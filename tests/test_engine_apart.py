"""An ArangoDB store, the domain layer and the CLI never load the embedded engine.

Checked in a fresh interpreter: importing them, opening a store by an
``http://`` URL (no server answers: 2001) and parsing a query leaves no engine
module in ``sys.modules``. The one part of ``arangoml_meta.embedded`` allowed
is ``documents``, the document validators the ArangoDB backend shares (plain
functions; importing them does not load the engine).
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import arangoml_meta.cli, arangoml_meta.queries, arangoml_meta.query_binding
from arangoml_meta.aql.analysis import modifies_data
from arangoml_meta.aql.parser import parse
from arangoml_meta.errors import ArangoMLMetaError
from arangoml_meta.store import open_store
try:
    open_store("http://127.0.0.1:9")
except ArangoMLMetaError as exc:
    assert exc.error_num == 2001, exc
assert not modifies_data(parse("FOR d IN v SEARCH d.x == 1 RETURN MYNS::FN(d)"))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("arangoml_meta."))))
"""


def test_an_arangodb_store_and_the_cli_load_no_engine_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    loaded = set(json.loads(out))
    assert {"arangoml_meta.aql.parser", "arangoml_meta.backends.arango"} <= loaded
    assert {m for m in loaded if m.startswith("arangoml_meta.embedded")} == set()


def test_the_embedded_store_still_loads_the_engine_when_opened() -> None:
    probe = (
        "import sys; from arangoml_meta.store import open_store; open_store(':memory:');"
        "print('arangoml_meta.embedded.database' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.strip() == "True"
