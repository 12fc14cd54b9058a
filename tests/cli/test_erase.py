"""`arangoml-meta erase` on every backend: the work list printed, dry run, repeat, errors."""

from __future__ import annotations

import pytest

from arangoml_meta.store import MetadataStore

from .conftest import Cli, as_json, fails, succeeds

SECRET = "ZQX-cli-erasable@example.org"


@pytest.fixture
def customers(store: MetadataStore) -> str:
    raw = store.register(
        "datasets",
        "customers",
        location="s3://lake/customers.parquet",
        statistics={"email": {"frequencies": {SECRET: 1}}},
        personal_data=True,
        data_subjects=["customers"],
    )
    with store.run("train", inputs={"train": raw}) as run:
        model = run.register_output("models", "churn", location="s3://models/churn.pkl")
    store.link(model, store.register("deployments", "churn-prod"), "deployed_as")
    return str(raw["_id"])


def test_erase_prints_the_work_list_and_what_it_redacted(
    cli: Cli, store: MetadataStore, customers: str
) -> None:
    result = cli("erase", customers, "--reason", "GDPR request 118")
    table = succeeds(result)
    lines = table.splitlines()
    assert lines[0].split() == ["depth", "id", "action", "locations", "redacted"]
    assert lines[2].split() == [
        "0",
        customers,
        "purge",
        "s3://lake/customers.parquet",
        "statistics",
    ]
    assert lines[3].split() == ["2", "models/churn-v1", "retrain", "s3://models/churn.pkl"]
    assert lines[4].split() == ["3", "deployments/churn-prod-v1", "redeploy"]
    assert f"{customers}: redacted 1 document (1 artifact)" in result.stderr
    assert "1 location to purge, 1 model to retrain, 1 deployment to redeploy" in result.stderr
    assert "1 run downstream" in result.stderr
    assert "statistics" not in store.get(customers)
    assert store.get(customers)["erased"]["reason"] == "GDPR request 118"


def test_a_dry_run_shows_the_same_and_writes_nothing(
    cli: Cli, store: MetadataStore, customers: str
) -> None:
    before = store.get(customers)
    result = cli("erase", customers, "--reason", "request", "--dry-run")
    assert "would redact 1 document" in result.stderr
    assert "statistics" in succeeds(result)
    assert store.get(customers) == before


def test_erasing_again_says_nothing_is_left(cli: Cli, customers: str) -> None:
    succeeds(cli("erase", customers, "--reason", "request"))
    result = cli("erase", "datasets/customers@latest", "--reason", "request")
    succeeds(result)
    assert f"nothing left to erase in {customers}" in result.stderr
    assert "nothing was written" in result.stderr


def test_erase_as_json(cli: Cli, customers: str) -> None:
    erasure = as_json(cli("erase", customers, "--reason", "request", "--format", "json"))
    assert erasure["changed"] is True and erasure["dry_run"] is False
    assert erasure["redactions"] == [
        {"document": customers, "fields": ["statistics"], "why": "erased"}
    ]
    assert [w["action"] for w in erasure["work"]] == ["purge", "retrain", "redeploy"]


@pytest.mark.parametrize(
    "args,fragments",
    [
        (["datasets/nothing-v1", "--reason", "r"], ["[1202]", "not found"]),
        (["widgets/a-v1", "--reason", "r"], ["[1203]"]),
        (["models/churn-v1", "--reason", "r"], ["[10]", "x-personal-data"]),
        (["datasets/customers-v1", "--reason", " "], ["[10]", "reason"]),
    ],
)
def test_what_cannot_be_erased_is_one_error_line(
    cli: Cli, customers: str, args: list[str], fragments: list[str]
) -> None:
    fails(cli("erase", *args), *fragments, exit_code=1)


def test_types_show_lists_the_personal_fields(cli: Cli, store: MetadataStore) -> None:
    shown = as_json(cli("types", "show", "datasets", "--format", "json"))
    assert shown["schema"]["properties"]["statistics"]["x-personal-data"] is True
    table = succeeds(cli("types", "show", "datasets"))
    statistics = next(line for line in table.splitlines() if line.startswith("statistics "))
    assert statistics.split()[:4] == ["statistics", "object", "false", "statistics"]
