"""HTTP wire format v1 of rendered actions: what would realise a recommendation (never executed).

Owns :class:`ActionsRequest`, :class:`PlannedCall` and :class:`ActionsResponse`.
Imports ``policy`` and ``placement`` public names, ``service.advice.identifiers`` (AWS's
``DBClusterIdentifier`` rule) and ``service.http.schemas.recommendations``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pydantic import ConfigDict, Field

from placement import PreviousLayout
from placement.specs import AZ_ID_PATTERN
from policy import Recommendation
from policy.aws_names import DbClusterIdentifier
from service.advice.identifiers import db_cluster_identifier_problem
from service.http.schemas.recommendations import RequestModel, WireModel, request_error

Engine = Literal["aurora-postgresql", "aurora-mysql"]
"""The Aurora engine of the cluster (``create-db-instance --engine``)."""


_EXAMPLE_RECOMMENDATION: dict[str, Any] = {
    "cluster_id": "orders-prod",
    "generated_at": "2024-05-06T12:00:00Z",
    "mode": "ForecastOnly",
    "step_s": 900,
    "risk_quantile": 0.95,
    "target_utilisation": 0.8,
    "steps": [
        {
            "start": "2024-05-06T12:00:00Z",
            "demand_p50_acu": 4.0,
            "demand_risk_acu": 6.85,
            "min_capacity_acu": 4.5,
            "writer_acu": 4.5,
            "floor_need_acu": 4.5,
            "floor_reason": "Aurora's own scaler, from where it would be, must be at 4.5 ACU from 12:00 "
            "until 12:15 UTC to serve the p95 demand forecast, 6.85 ACU at 12:15",
            "failover_reader_acu": 4.5,
            "extra_readers_by_az": {"use1-az1": 0, "use1-az2": 0, "use1-az4": 0},
            "extra_reader_acu_by_az": {"use1-az1": 0.0, "use1-az2": 0.0, "use1-az4": 0.0},
            "capacity_acu": 9.0,
            "shortfall_acu": 0.0,
            "shortfall_probability": 0.05,
        }
    ],
    "failover_az_id": "use1-az2",
    "settings": {
        "capacity_changes": [
            {
                "at": "2024-05-06T12:00:00Z",
                "min_capacity_acu": 4.5,
                "max_capacity_acu": 128.0,
                "reason": "MinCapacity 4.5 ACU from the start of the plan",
            }
        ],
        "readers": [
            {
                "az_id": "use1-az2",
                "promotion_tier": 1,
                "role": "failover",
                "needed_from": "2024-05-06T12:00:00Z",
                "needed_until": "2024-05-06T12:15:00Z",
            }
        ],
    },
    "expected_cost_usd": 0.27,
    "forecast_model": "last_value",
    "solver": {
        "status": "optimal",
        "solve_time_s": 0.01,
        "objective_usd": 0.27,
        "best_bound_usd": 0.27,
        "gap": 0.0,
    },
    "is_fail_safe": False,
    "reasons": ["a promotion-tier-1 reader in use1-az2 follows the writer's capacity"],
    "warnings": [],
}
"""A one-step recommendation as ``POST /v1/recommendations`` returns it (the OpenAPI example)."""


_AZ_ID: Final[re.Pattern[str]] = re.compile(AZ_ID_PATTERN.removeprefix("^").removesuffix("$"))


def _representable(start: datetime, step_s: int) -> bool:
    """Return True when ``start + step_s`` is a datetime (year 9999 at the latest)."""
    try:
        start + timedelta(seconds=step_s)
    except OverflowError:
        return False
    return True


class ActionsRequest(RequestModel):
    """A recommendation to render as AWS CLI, boto3 and Terraform.

    Attributes:
        recommendation: a ``Recommendation`` as returned by the API.
        db_cluster_identifier: the Aurora ``DBClusterIdentifier`` (1-63 letters, digits
            and hyphens, a letter first, no two consecutive hyphens, no trailing hyphen);
            default: the recommendation's ``cluster_id``, which must then follow that rule.
        engine: the cluster's engine.
        previous: the layout deployed now; readers it has and the plan does not need are
            deleted, readers the plan needs and it lacks are created. Default: none.
        az_names: AZ ID -> AZ name in your account (``use1-az2`` -> ``us-east-1c``);
            missing IDs are looked up at run time (CLI, Terraform) or left as a
            ``<AZ name of ...>`` placeholder (boto3).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recommendation": _EXAMPLE_RECOMMENDATION,
                    "engine": "aurora-postgresql",
                    "previous": {"writer_acu": 2.0, "extra_readers_by_az": {"use1-az4": 1}},
                    "az_names": {"use1-az2": "us-east-1c"},
                }
            ]
        }
    )

    recommendation: Recommendation
    db_cluster_identifier: DbClusterIdentifier | None = None
    engine: Engine = "aurora-postgresql"
    previous: PreviousLayout | None = None
    az_names: dict[str, str] = Field(default_factory=dict, max_length=64)

    def check(self) -> ActionsRequest:
        """Reject a recommendation no action list can be rendered from.

        The library's ``Recommendation`` model is lax about shape (it is an output type),
        so a posted one is checked here: at least one plan step and capacity change, a
        positive step, a plan that ends by year 9999, reader windows that end after they
        start and are in an AZ ID (``use1-az2``), and a cluster name that AWS accepts as a
        ``DBClusterIdentifier`` (``db_cluster_identifier``, else the recommendation's
        ``cluster_id``: :mod:`service.advice.identifiers`).

        Returns:
            ``self``.

        Raises:
            fastapi.exceptions.RequestValidationError: located at ``recommendation.*``.
        """
        rec, loc = self.recommendation, "recommendation"
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if not rec.steps:
            problems.append(((loc, "steps"), "needs at least one plan step"))
        if rec.step_s <= 0:
            problems.append(((loc, "step_s"), "must be > 0"))
        elif rec.steps and not _representable(rec.steps[-1].start, rec.step_s):
            message = f"{rec.step_s} is too long: the last step would end after year 9999"
            problems.append(((loc, "step_s"), message))
        if not rec.settings.capacity_changes:
            problems.append(((loc, "settings", "capacity_changes"), "needs at least one capacity change"))
        for i, r in enumerate(rec.settings.readers):
            if r.needed_until <= r.needed_from:
                problems.append(((loc, "settings", "readers", i), "needed_until must be after needed_from"))
            if not _AZ_ID.fullmatch(r.az_id):
                problem = f"{r.az_id[:80]!r} is not an AZ ID such as use1-az1"
                problems.append(((loc, "settings", "readers", i, "az_id"), problem))
        if not (self.db_cluster_identifier or rec.cluster_id):
            problems.append(((loc, "cluster_id"), "is empty; give db_cluster_identifier"))
        elif self.db_cluster_identifier is None:
            unfit = db_cluster_identifier_problem(rec.cluster_id)
            if unfit is not None:
                hint = "give db_cluster_identifier, the cluster's identifier in AWS"
                problems.append(((loc, "cluster_id"), f"{unfit}; {hint}"))
        if problems:
            raise request_error(problems)
        return self


class PlannedCall(WireModel):
    """One RDS API call of the plan, as boto3 parameters.

    Attributes:
        at: when to make it (UTC).
        method: the boto3 ``rds`` client method (``modify_db_cluster``,
            ``create_db_instance``, ``delete_db_instance``).
        params: its keyword arguments.
        note: why, one line.
    """

    at: datetime
    method: Literal["modify_db_cluster", "create_db_instance", "delete_db_instance"]
    params: dict[str, Any]
    note: str


class ActionsResponse(WireModel):
    """What would realise a recommendation; nothing here has been executed.

    Attributes:
        db_cluster_identifier: the cluster the calls address.
        generated_at: the recommendation's ``now``.
        boto3: the RDS calls in time order (``rds = boto3.client("rds")``;
            ``getattr(rds, call.method)(**call.params)`` at ``call.at``).
        aws_cli: the same calls as AWS CLI commands, each preceded by a ``# at`` comment.
        terraform: HCL for the layout at ``generated_at`` (cluster MinCapacity /
            MaxCapacity via ``serverlessv2_scaling_configuration``, reader instances with
            AZ and promotion tier); later changes are listed as comments.
        notes: caveats (placeholders, instances the plan cannot name).
    """

    db_cluster_identifier: str
    generated_at: datetime
    boto3: list[PlannedCall]
    aws_cli: list[str]
    terraform: str
    notes: list[str]
