"""Which code wrote a result: the package version and the git commit it runs from."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import service.version as version
from service.bench.report import code_text


def _git(where: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_commit_is_the_checkout_s_and_says_when_tracked_files_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("1\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one")
    head = _git(tmp_path, "rev-parse", "HEAD")
    monkeypatch.setattr(version, "_CHECKOUT", tmp_path)
    assert version.source_commit() == head
    (tmp_path / "untracked.txt").write_text("x\n")  # untracked files do not make it dirty
    assert version.source_commit() == head
    (tmp_path / "a.txt").write_text("2\n")
    assert version.source_commit() == head + "+dirty"


def test_no_commit_outside_a_git_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(version, "_CHECKOUT", tmp_path)
    assert version.source_commit() is None


def test_the_report_names_the_code_that_wrote_it() -> None:
    doc = {"code": {"acuplan": "0.1.0", "commit": "5a24414aa0c4e5f0b0d6b1c8d2d8a3f1e0c9b7a6"}}
    assert code_text(doc) == "Written by acuplan 0.1.0 at commit 5a24414aa0c4."
    doc["code"]["commit"] += "+dirty"
    assert code_text(doc) == "Written by acuplan 0.1.0 at commit 5a24414aa0c4 (with uncommitted changes)."
    assert code_text({"code": {"acuplan": "0.1.0", "commit": None}}) == (
        "Written by acuplan 0.1.0 (not run from a git checkout)."
    )
    assert code_text({}) == ""  # a document written before the version was recorded
