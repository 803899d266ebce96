"""The bench report says which risk quantiles acuplan planned at, how it chose them, and which one
setting meets the targets on most of the suite."""

from policy import ReplayConfig
from policy.config import PostureConfig
from service.bench.report import _posture_about, one_setting_rows, one_setting_text, posture_text
from service.bench.run import suite_settings


def _section(by_q: dict[str, int] | None, alone: int | None = None) -> dict:
    return {"policies": {"acuplan": {"replans_by_risk_quantile": by_q, "replans_aurora_alone": alone}}}


def test_the_quantiles_planned_at_are_counted() -> None:
    assert posture_text(_section({"0.8": 36, "0.85": 227, "0.9": 26})) == (
        "acuplan's risk quantile, learnt from this cluster's own past: p80 in 36, p85 in 227, p90 in 26 "
        "of 289 re-plans."
    )
    assert posture_text(_section({"0.9": 288})) == "acuplan planned at p90 in all 288 re-plans."
    assert posture_text(_section(None)) == "" and posture_text({"policies": {}}) == ""
    assert posture_text(_section({"0.9": 100}, 200)) == (
        "acuplan's risk quantile, learnt from this cluster's own past: p90 in 100, Aurora alone in 200 of "
        "300 re-plans (Aurora alone: MinCapacity held at your floor where no quantile kept within the "
        "budgets and Aurora alone had beaten the configured one)."
    )
    assert posture_text(_section(None, 5)).startswith("acuplan's risk quantile, learnt from this cluster's")


def test_the_rule_is_written_from_the_config_the_bench_ran() -> None:
    (text, _) = _posture_about(ReplayConfig().model_dump(mode="json"))
    assert "once Aurora alone has had 5 SLO-violation minutes in the last 7 days" in text
    assert "(p80, p85, p90, p95, p99)" in text and "within 20% of Aurora alone's minutes" in text
    assert (
        "no more than 1.25x the bound over the shadows' span (at least 1 day, at most 7 days), else p90; "
        "and whenever, from the first 1 day scored on, Aurora alone had no more minutes than p90 for at "
        "least 1% less over that span (and no candidate kept within those budgets), MinCapacity is held at "
        "your floor (Aurora alone)" in text
    )
    off = ReplayConfig(posture=PostureConfig(risk_quantiles=()), policy={"risk_quantile": 0.95})
    assert _posture_about(off.model_dump(mode="json"))[0].startswith("**acuplan plans at p95** throughout")


def _doc() -> dict:
    def sec(met: bool, reaching: list[str]) -> dict:
        return {"targets": {"met": met, "reaching": reaching}}

    return {
        "ramp_profiles": ["default", "slow"],
        "traces": {
            "a": sec(True, ["vpa", "predictive-scaling@0.9"]) | {"profiles": {"slow": sec(False, ["vpa"])}},
            "b": sec(True, ["acuplan@q0.9"]) | {"profiles": {"slow": sec(True, [])}},
        },
    }


def test_the_one_setting_table_ranks_settings_over_every_trace_and_profile() -> None:
    doc = _doc()
    doc["one_setting"] = suite_settings(doc)

    assert doc["one_setting"][0] == {"label": "acuplan", "met": 3, "missed": ["a/slow"]}
    assert one_setting_text(doc).endswith(
        "acuplan (its risk quantile learnt per cluster) meets them on 3; the best setting at a fixed risk "
        "quantile, `acuplan@q0.9`, on 1; the best setting of a peer (what you could run instead), "
        "`vpa`, on 2."
    )
    doc["traces"]["b"]["targets"]["reaching"].append("reactive")
    doc["one_setting"] = suite_settings(doc)
    assert one_setting_text(doc).endswith(
        "meets them on 3; Aurora alone at your floor (`reactive`, what you have without acuplan) on 1; the "
        "best setting at a fixed risk quantile, `acuplan@q0.9`, on 1; the best setting of a peer (what you "
        "could run instead), `vpa`, on 2."
    )
    assert one_setting_rows(doc)[:2] == [
        ["acuplan", "acuplan", "3 of 4", "a/slow"],
        ["vpa", "Kubernetes VPA-style floor (p90 +15%)", "2 of 4", "b/default, b/slow"],
    ]
    assert one_setting_text({"traces": {}}) == "" and one_setting_rows({"traces": {}}) == []


def test_the_one_setting_table_always_shows_aurora_alone_and_each_peers_default() -> None:
    records = [{"label": "acuplan", "met": 9, "missed": ["x/slow"]}]
    records += [{"label": f"acuplan@q0.{k}", "met": 8, "missed": ["x/slow"]} for k in range(50, 62)]
    records += [{"label": "reactive", "met": 1, "missed": []}, {"label": "vpa", "met": 0, "missed": []}]
    rows = one_setting_rows({"one_setting": records})
    assert [r[0] for r in rows][-3:] == ["acuplan@q0.59", "reactive", "vpa"] and len(rows) == 13
