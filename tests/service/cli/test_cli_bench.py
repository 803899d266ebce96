"""``acuplan bench --scheduler``: the address checked with the options, the scheduler reached before
``--out`` is created, and no empty ``--out`` left behind by a run that stops."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import LocalCluster

from service.cli.bench import check_scheduler_address, check_scheduler_reachable
from service.cli.inputs import CliInputError
from service.cli.main import main

CHEAP = ["--traces", "rds-cpu-cc0c53", "--policies", "reactive", "--ramp-profiles", "default"]
"""One bundled trace, one policy, no fleet: options that pass their checks quickly."""

EXAMPLE = "give the scheduler's address, e.g. tcp://10.0.0.5:8786"


@pytest.mark.parametrize(
    ("address", "line"),
    [
        pytest.param(
            "notaurl",
            f"error: --scheduler notaurl: missing port number in address 'notaurl' ({EXAMPLE})",
            id="not_an_address",
        ),
        pytest.param(
            "tcp://127.0.0.1",
            f"error: --scheduler tcp://127.0.0.1: missing port number in address '127.0.0.1' ({EXAMPLE})",
            id="no_port",
        ),
        pytest.param(
            "foo://h:1",
            "error: --scheduler foo://h:1: unknown address scheme 'foo' (known schemes: ['inproc', 'tcp', "
            f"'tls', 'ucx', 'ws', 'wss']) ({EXAMPLE})",
            id="unknown_scheme",
        ),
        pytest.param(
            "tcp://h:99999",
            f"error: --scheduler tcp://h:99999: port 99999 is not 1-65535 ({EXAMPLE})",
            id="port",
        ),
        pytest.param(
            "inproc://x",
            "error: --scheduler inproc://x: an in-process address names no scheduler another process can "
            f"reach ({EXAMPLE})",
            id="in_process",
        ),
    ],
)
def test_a_bad_scheduler_address_is_one_line_exit_2_before_anything_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, line: str
) -> None:
    out = tmp_path / "out"

    code = main(["bench", "--out", str(out), *CHEAP, "--scheduler", address])

    assert code == 2
    assert capsys.readouterr().err.splitlines() == [line]
    assert not out.exists()


def test_the_address_is_checked_with_the_options_before_the_extras(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = main(["bench", "--out", str(out), "--policies", "nope", "--scheduler", "notaurl"])

    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: --policies: unknown ['nope']"), err


def test_without_distributed_the_extra_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # importlib.util.find_spec: not installed
    out = tmp_path / "out"

    code = main(["bench", "--out", str(out), *CHEAP, "--scheduler", "notaurl"])

    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --scheduler needs distributed: pip install 'acuplan[bench]'"
    ]
    assert not out.exists()


def test_an_unreachable_scheduler_is_one_line_exit_2_and_no_out_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "sub"

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # Dask's default is 30 s
        code = main(["bench", "--out", str(out), *CHEAP, "--scheduler", "tcp://127.0.0.1:1"])

    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --scheduler tcp://127.0.0.1:1: cannot connect (Timed out trying to connect to "
        "tcp://127.0.0.1:1 after 1 s)"
    ]
    assert sorted(tmp_path.iterdir()) == []


def test_a_running_scheduler_passes_both_checks() -> None:
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert check_scheduler_address(address) == address
        check_scheduler_reachable(address)  # no error
    with pytest.raises(CliInputError, match=r"^--scheduler tcp://127\.0\.0\.1:\d+: cannot connect \("):
        with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
            check_scheduler_reachable(address)  # closed since


@pytest.mark.parametrize(
    ("before", "kept"),
    [
        pytest.param(None, [], id="created_here_removed"),
        pytest.param("empty", ["out"], id="existing_folder_kept"),
        pytest.param("file", ["out", "out/notes.txt"], id="existing_content_kept"),
    ],
)
def test_a_stopped_run_removes_only_the_empty_folders_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str | None, kept: list[str]
) -> None:
    class Stopped(Exception):
        pass

    def stopped(**kwargs: Any) -> None:
        assert (tmp_path / "out" / "sub").is_dir()  # created after the checks, before the run
        raise Stopped  # an error, Ctrl-C, a scheduler gone since: anything that ends the run

    monkeypatch.setattr("service.bench.run.run_bench", stopped)
    if before is not None:
        (tmp_path / "out").mkdir()
    if before == "file":
        (tmp_path / "out" / "notes.txt").write_text("mine")

    with pytest.raises(Stopped):
        main(["bench", "--out", str(tmp_path / "out" / "sub"), *CHEAP, "--fleet-clusters", "0"])

    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == kept
