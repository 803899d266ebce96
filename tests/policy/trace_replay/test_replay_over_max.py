"""A replay whose demand MaxCapacity cannot serve says so, and what the bound then is (QA 55 A)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy import ClusterSpec, ReplayConfig, replay
from policy.trace_replay.over_max import max_capacity_warning
from service.cli.main import main

START = datetime(2024, 1, 1, tzinfo=UTC)


def _demand() -> np.ndarray:
    """2 days of warm-up at 1 ACU, then a scored day at 1 ACU with 6 h at 8 ACU from 06:00."""
    d = np.full(3 * 288, 1.0)
    d[2 * 288 + 72 : 2 * 288 + 144] = 8.0
    return d


def test_the_report_warns_when_demand_needs_more_than_max_capacity() -> None:
    cluster = ClusterSpec.model_validate({"limits": {"max_acu": 2.0}, "read_frac": 0.5})
    report = replay(_demand(), start=START, step_s=300, cluster=cluster, policies=["reactive", "bound"])
    bound = report.scores["bound"]
    assert bound.slo_violation_min == pytest.approx(360.0)  # the 6 h nobody can serve
    assert bound.shortfall_acu_h > 0 and bound.cost_vs_bound == 1.0
    # 8 ACU x 0.5 / 0.95 (the default SLO utilisation) = 4.2 ACU on each instance, above 2.
    assert report.warnings == (
        "72 of the scored window's 288 steps (25.0%) need more than MaxCapacity 2 ACU can serve within "
        "the SLO (load x instance share / 0.95; the busiest instance needs up to 4.2 ACU; the first at "
        "2024-01-03 06:00 UTC): no MinCapacity schedule avoids the SLO-violation minutes and the shortfall "
        "there, so every policy, the bound included, keeps them; the bound is then the cheapest schedule "
        "with the least shortfall this MaxCapacity allows, not a violation-free one, and cost vs bound "
        "compares costs only; a MaxCapacity of 4.5 ACU would serve every step",
    )


def test_no_warning_when_max_capacity_serves_every_step() -> None:
    cluster = ClusterSpec.model_validate({"limits": {"max_acu": 4.5}, "read_frac": 0.5})
    report = replay(_demand(), start=START, step_s=300, cluster=cluster, policies=["reactive", "bound"])
    assert report.warnings == ()
    assert report.scores["bound"].slo_violation_min == 0.0


def test_past_auroras_largest_max_capacity_the_warning_says_no_setting_serves_it() -> None:
    cluster = ClusterSpec.model_validate({"limits": {"max_acu": 256.0}, "read_frac": 0.5})
    warning = max_capacity_warning(
        [600.0], scored_from=START, step_s=300, cluster=cluster, model=ReplayConfig().scaler
    )
    assert warning is not None
    assert warning.endswith("even Aurora's largest MaxCapacity, 256 ACU, would not serve every step")


def test_the_cli_prints_the_warning_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    # The QA reproducer: the bundled EC2 CPU trace needs up to 8.6 ACU, replayed at MaxCapacity 2.
    code = main(
        ["replay", "--trace", "ec2-cpu-step-825cc2", "--policies", "reactive,bound", "--max-acu", "2"]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert (
        "\nwarning: 3,456 of the scored window's 3,457 steps (100.0%) need more than MaxCapacity 2 ACU can "
        "serve within the SLO (load x instance share / 0.95; the busiest instance needs up to 8.6 ACU; "
    ) in err
    assert "a MaxCapacity of 9 ACU would serve every step\n" in err
