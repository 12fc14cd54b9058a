"""The environment and resources a run records about itself."""

from __future__ import annotations

import getpass
import importlib.metadata
import os
import platform
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta import environment
from arangoml_meta.environment import (
    ResourceMeter,
    capture_environment,
    current_actor,
    git_info,
    installed_packages,
    process_alive,
    strip_credentials,
    to_iso,
    utc_now_iso,
)
from arangoml_meta.errors import ArangoMLMetaError, BadParameterError

ISO_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git sees only the repositories a test makes, whoever runs the suite and from where."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, timeout=10
    )
    return done.stdout.strip()


def tree_info(path: Path) -> dict[str, Any]:
    """git_info for a path known to be inside a work tree."""
    info = git_info(path)
    assert info is not None
    return info


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A work tree on branch ``main`` with one committed file."""
    git(tmp_path, "init", "-q", "--initial-branch=main")
    (tmp_path / "train.py").write_text("print('train')\n")
    git(tmp_path, "add", "train.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


# --- environment -------------------------------------------------------------------------------


def test_environment_has_every_section() -> None:
    env = capture_environment()
    assert set(env) == {"python", "platform", "packages", "git", "host", "user", "pid"}
    assert set(env["python"]) == {"version", "implementation", "executable"}
    assert set(env["platform"]) == {"system", "release", "machine", "platform"}


def test_environment_names_this_interpreter() -> None:
    python = capture_environment()["python"]
    assert python["version"] == "{}.{}.{}".format(*sys.version_info[:3])
    assert python["implementation"] == platform.python_implementation()
    assert python["executable"] == sys.executable


def test_environment_names_this_process() -> None:
    env = capture_environment()
    assert env["pid"] == os.getpid()
    assert env["host"] == socket.gethostname()


def test_packages_include_pytest() -> None:
    assert installed_packages()["pytest"] == pytest.__version__


def test_packages_are_what_importlib_reads_of_each_distribution() -> None:
    # the header lines are read without an e-mail parser: the same names and versions
    expected: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name, version = dist.metadata["Name"], dist.metadata["Version"]
        if name and version:
            expected.setdefault(name.lower(), version)
    assert installed_packages() == dict(sorted(expected.items()))


def test_package_headers_are_read_as_email_reads_them(tmp_path: Path) -> None:
    info = tmp_path / "demo_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nname:  Demo-Pkg\nSummary: a long\n  folded: line\n"
        "Version: 1.0rc1\nVersion: 2.0\n\nName: not-a-header\n"
    )
    dist = importlib.metadata.PathDistribution(info)
    assert environment._name_and_version(dist) == ("Demo-Pkg", "1.0rc1")
    assert (dist.metadata["Name"], dist.metadata["Version"]) == ("Demo-Pkg", "1.0rc1")


def test_packages_are_enumerated_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = installed_packages()

    def enumerate_again() -> None:
        raise AssertionError("distributions enumerated a second time")

    monkeypatch.setattr(importlib.metadata, "distributions", enumerate_again)
    assert installed_packages() == first


# --- git ---------------------------------------------------------------------------------------


def test_git_reports_commit_and_branch(repo: Path) -> None:
    info = tree_info(repo)
    assert info["commit"] == git(repo, "rev-parse", "HEAD")
    assert info["branch"] == "main"


def test_git_fresh_commit_is_clean(repo: Path) -> None:
    assert tree_info(repo)["dirty"] is False


def test_git_modified_file_makes_tree_dirty(repo: Path) -> None:
    (repo / "train.py").write_text("print('changed')\n")
    assert tree_info(repo)["dirty"] is True


def test_git_detached_head_has_no_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    info = tree_info(repo)
    assert info["branch"] is None
    assert info["commit"] == git(repo, "rev-parse", "HEAD")


def test_git_before_first_commit_gives_partial_info(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--initial-branch=main")
    assert git_info(tmp_path) == {"commit": None, "branch": "main", "dirty": False, "remote": None}


def test_git_found_from_a_subdirectory(repo: Path) -> None:
    (repo / "src").mkdir()
    assert tree_info(repo / "src") == tree_info(repo)


def test_git_outside_a_work_tree_is_none(tmp_path: Path) -> None:
    assert git_info(tmp_path) is None


def test_git_missing_is_none(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-binaries-here"))
    assert git_info(repo) is None


def test_git_is_read_afresh_on_every_call(repo: Path) -> None:
    before = tree_info(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    assert tree_info(repo) == {**before, "branch": "feature"}


def test_git_remote_has_credentials_stripped(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "https://alice:s3cret@example.com/ml/repo.git")
    assert tree_info(repo)["remote"] == "https://example.com/ml/repo.git"


def test_git_remote_prefers_origin(repo: Path) -> None:
    git(repo, "remote", "add", "backup", "https://backup.example.com/repo.git")
    git(repo, "remote", "add", "origin", "https://example.com/repo.git")
    assert tree_info(repo)["remote"] == "https://example.com/repo.git"


@pytest.mark.parametrize(
    ("url", "stripped"),
    [
        ("https://alice:s3cret@example.com/r.git", "https://example.com/r.git"),
        ("https://ghp_token@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://u:p@ss@example.com:8443/r.git", "https://example.com:8443/r.git"),
        ("ssh://git:pw@example.com/r.git", "ssh://git@example.com/r.git"),
        ("ssh://git@example.com/r.git", "ssh://git@example.com/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("https://example.com/r.git", "https://example.com/r.git"),
        ("/srv/git/r.git", "/srv/git/r.git"),
    ],
)
def test_strip_credentials(url: str, stripped: str) -> None:
    assert strip_credentials(url) == stripped


# --- actor -------------------------------------------------------------------------------------


def test_actor_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARANGOML_META_ACTOR", "pipeline-bot")
    assert current_actor() == "pipeline-bot"


def test_actor_defaults_to_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARANGOML_META_ACTOR", raising=False)
    assert current_actor() == getpass.getuser()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no uids on this platform")
def test_actor_falls_back_to_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_login_name() -> str:
        raise OSError("no user name")

    monkeypatch.delenv("ARANGOML_META_ACTOR", raising=False)
    monkeypatch.setattr(getpass, "getuser", no_login_name)
    assert current_actor() == str(os.getuid())


# --- resources ---------------------------------------------------------------------------------


def test_meter_measures_cpu_of_busy_loop() -> None:
    with ResourceMeter() as meter:
        deadline = time.process_time() + 0.05
        while time.process_time() < deadline:
            pass
    assert meter.stop()["cpu_seconds"] > 0


def test_meter_measures_wall_time_of_sleep() -> None:
    meter = ResourceMeter().start()
    time.sleep(0.05)
    usage = meter.stop()
    assert 0.045 <= usage["wall_seconds"] < 2
    assert usage["cpu_seconds"] < usage["wall_seconds"]


@pytest.mark.skipif(environment.resource is None, reason="no rusage on this platform")
def test_meter_reports_peak_memory_in_bytes() -> None:
    usage = ResourceMeter().start().stop()
    assert usage["peak_memory_bytes"] > 1024 * 1024  # an interpreter is megabytes, not KiB


def test_meter_without_rusage_reports_no_peak_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "resource", None)
    usage = ResourceMeter().start().stop()
    assert usage["peak_memory_bytes"] is None


def test_meter_omits_gpu_and_cost_unless_given() -> None:
    usage = ResourceMeter().start().stop()
    assert set(usage) == {"wall_seconds", "cpu_seconds", "peak_memory_bytes"}


def test_meter_includes_gpu_and_cost_when_given() -> None:
    meter = ResourceMeter().start()
    meter.add_gpu_seconds(30)
    meter.add_gpu_seconds(12.5)
    meter.set_cost(0.42, currency="EUR")
    usage = meter.stop()
    assert usage["gpu_seconds"] == 42.5
    assert usage["cost"] == {"amount": 0.42, "currency": "EUR"}


def test_meter_accepts_cost_after_stop() -> None:
    meter = ResourceMeter().start()
    final = meter.stop()
    meter.set_cost(1.5)
    assert meter.snapshot() == {**final, "cost": {"amount": 1.5, "currency": "USD"}}


def test_meter_stop_freezes_measurements() -> None:
    meter = ResourceMeter().start()
    final = meter.stop()
    time.sleep(0.01)
    assert meter.stop() == final


def test_meter_snapshot_keeps_running() -> None:
    meter = ResourceMeter().start()
    first = meter.snapshot()
    time.sleep(0.01)
    assert meter.snapshot()["wall_seconds"] > first["wall_seconds"]


def test_meter_snapshot_before_start_raises() -> None:
    with pytest.raises(ArangoMLMetaError, match="not started"):
        ResourceMeter().snapshot()


def test_meter_rejects_negative_gpu_seconds() -> None:
    with pytest.raises(BadParameterError):
        ResourceMeter().add_gpu_seconds(-1)


# --- liveness ----------------------------------------------------------------------------------


def test_process_alive_for_this_process() -> None:
    assert process_alive(socket.gethostname(), os.getpid()) is True


def test_process_alive_false_for_finished_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert process_alive(socket.gethostname(), child.pid) is False


def test_process_alive_unknown_on_another_host() -> None:
    assert process_alive("elsewhere.invalid", os.getpid()) is None


# --- time --------------------------------------------------------------------------------------


def test_utc_now_iso_has_aql_form() -> None:
    assert ISO_MILLIS.match(utc_now_iso())


def test_to_iso_converts_to_utc_and_truncates_to_millis() -> None:
    moment = datetime(2024, 3, 5, 9, 7, 2, 123999, tzinfo=timezone(timedelta(hours=2)))
    assert to_iso(moment) == "2024-03-05T07:07:02.123Z"


def test_to_iso_takes_naive_datetime_as_utc() -> None:
    assert to_iso(datetime(1, 1, 1)) == "0001-01-01T00:00:00.000Z"
