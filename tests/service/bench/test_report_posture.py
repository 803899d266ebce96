"""The bench report says which risk quantiles acuplan planned at, and how it chose them."""

from policy import ReplayConfig
from policy.config import PostureConfig
from service.bench.report import _posture_about, posture_text


def _section(by_q: dict[str, int] | None) -> dict:
    return {"policies": {"acuplan": {"replans_by_risk_quantile": by_q}}}


def test_the_quantiles_planned_at_are_counted() -> None:
    assert posture_text(_section({"0.8": 36, "0.85": 227, "0.9": 26})) == (
        "acuplan's risk quantile, learnt from this cluster's own past: p80 in 36, p85 in 227, p90 in 26 "
        "of 289 re-plans."
    )
    assert posture_text(_section({"0.9": 288})) == "acuplan planned at p90 in all 288 re-plans."
    assert posture_text(_section(None)) == "" and posture_text({"policies": {}}) == ""


def test_the_rule_is_written_from_the_config_the_bench_ran() -> None:
    (text, _) = _posture_about(ReplayConfig().model_dump(mode="json"))
    assert "once Aurora alone has had 5 SLO-violation minutes in the last 7 days" in text
    assert "(p80, p85, p90, p95, p99)" in text and "within 20% of Aurora alone's minutes" in text
    assert (
        "no more than 1.25x the bound over the shadows' span (at least 1 day, at most 7 days), else p90"
        in text
    )
    off = ReplayConfig(posture=PostureConfig(risk_quantiles=()), policy={"risk_quantile": 0.95})
    assert _posture_about(off.model_dump(mode="json"))[0].startswith("**acuplan plans at p95** throughout")
