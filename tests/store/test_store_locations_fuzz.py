"""Whatever a user types as a store location or a database name, the answer is a store or a
project error with a number, never another exception, and a reader creates nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.backends import check_server_url
from arangoml_meta.backends.database_names import database_name
from arangoml_meta.errors import ArangoMLMetaError
from arangoml_meta.store import open_store

PATH_TEXT = st.lists(
    st.sampled_from([*"ab./~:%?#@\\ \x00\u00e9\U0001f600", "..", "%00", "%2F", "x.db"]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(["", "file:", "file://", "file:///", "~", "./"]), text=PATH_TEXT)
def test_a_reader_given_any_location_gets_a_store_or_a_project_error(
    prefix: str, text: str
) -> None:
    with tempfile.TemporaryDirectory() as root:
        location = prefix + (text if prefix in ("~", "file:///") else f"{root}/{text}")
        try:
            open_store(location, create=False).close()
        except ArangoMLMetaError as err:
            assert err.error_num is not None
        assert list(Path(root).iterdir()) == []  # nothing was created


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=140))
def test_any_database_name_is_accepted_or_refused_with_1208(name: str) -> None:
    try:
        assert database_name(name, "ARANGOML_META_DATABASE") == name
    except ArangoMLMetaError as err:
        assert err.error_num == 1208


@settings(max_examples=500, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://"]),
    rest=st.text(alphabet=st.sampled_from(list("ab1:@[]/,.%?#\x00 ")), max_size=30),
)
def test_any_server_url_is_accepted_or_refused_with_10(scheme: str, rest: str) -> None:
    try:
        check_server_url(scheme + rest)
    except ArangoMLMetaError as err:
        assert err.error_num == 10
