"""``python -m arangoml_meta.cli``: the same as the ``arangoml-meta`` command."""

from . import main

main()
