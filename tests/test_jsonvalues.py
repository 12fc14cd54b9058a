"""The values pipelines pass are stored as their JSON values; what has none is 1227."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from arangoml_meta.errors import ERROR_ARANGO_DOCUMENT_TYPE_INVALID, DocumentError
from arangoml_meta.jsonvalues import as_json
from arangoml_meta.store import MetadataStore, open_store

np = pytest.importorskip("numpy")


class Stage(enum.Enum):
    PROD = "production"


class Level(enum.IntEnum):
    HIGH = 3


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (np.float64(0.93), 0.93),
        (np.float32(0.5), 0.5),
        (np.int64(5), 5),
        (np.int8(-3), -3),
        (np.uint64(2**63), 2**63),
        (np.bool_(True), True),
        (np.str_("x"), "x"),
        (np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
        (np.array(2.5), 2.5),
        (datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc), "2025-01-02T03:04:05.678Z"),
        (
            datetime(2025, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1))),
            "2025-01-02T03:04:05.000Z",
        ),
        (datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05.000Z"),  # naive: taken as UTC
        (date(2025, 1, 2), "2025-01-02"),
        (Decimal("0.1"), 0.1),
        (Decimal("12.000"), 12),
        (Decimal("1E+3"), 1000),
        (PurePosixPath("/data/iris.csv"), "/data/iris.csv"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (Stage.PROD, "production"),
        (Level.HIGH, 3),
        ((1, "a"), [1, "a"]),
        ({"nested": {"x": np.float64(1.5)}}, {"nested": {"x": 1.5}}),
    ],
    ids=repr,
)
def test_a_value_with_an_obvious_json_value_becomes_it(value: Any, stored: Any) -> None:
    converted = as_json(value)
    assert converted == stored
    assert type(converted) is type(stored)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "a set is not a JSON value"),
        (b"bytes", "a bytes is not a JSON value"),
        (float("nan"), "nan is not a JSON number"),
        (np.float64("inf"), "inf is not a JSON number"),
        (Decimal("NaN"), "NaN is not a JSON number"),
        (Decimal("0.1000000000000000000001"), "more digits than a JSON number holds"),
        (object(), "a object is not a JSON value"),
        ({1: "a"}, "attribute name 1 is not a string"),
    ],
    ids=repr,
)
def test_a_value_without_one_is_refused_naming_where(value: Any, message: str) -> None:
    with pytest.raises(DocumentError, match=message) as raised:
        as_json({"field": [value]}, "fields")
    assert raised.value.error_num == ERROR_ARANGO_DOCUMENT_TYPE_INVALID
    assert "fields.field[0]" in str(raised.value)


@pytest.fixture
def store(tmp_path: Path) -> MetadataStore:
    with open_store(str(tmp_path)) as opened:
        yield opened


def test_numpy_values_pass_through_the_api(store: MetadataStore) -> None:
    data = store.register("datasets", "iris", rows=np.int64(150), stats={"mean": np.float64(5.8)})
    with store.run("train", inputs={"train": data}, params={"lr": np.float32(0.25)}) as run:
        run.log_metrics({"accuracy": np.float64(0.93)}, step=np.int64(1))
        run.log_param("depth", np.int64(4))
        model = run.register_output("models", "clf", trained_at=datetime(2025, 1, 2))
    store.link(data, model, "inspected", score=np.float64(0.5))
    stored = store.get(run.id)
    assert stored["params"] == {"lr": 0.25, "depth": 4}
    assert stored["metrics"] == {"accuracy": 0.93}
    assert stored["metric_series"]["accuracy"][0]["step"] == 1
    assert store.get("datasets/iris@latest")["rows"] == 150
    assert store.get(model["_id"])["trained_at"] == "2025-01-02T00:00:00.000Z"


def test_a_value_without_a_json_value_writes_nothing(store: MetadataStore) -> None:
    with pytest.raises(DocumentError, match="a set is not a JSON value"):
        store.register("datasets", "iris", labels={"a", "b"})
    assert store.find("datasets") == []
