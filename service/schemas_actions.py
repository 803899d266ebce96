"""HTTP wire format v1 of rendered actions: what would realise a recommendation (never executed).

Owns :class:`ActionsRequest`, :class:`PlannedCall` and :class:`ActionsResponse`.
Imports ``policy`` and ``placement`` public names and ``service.schemas``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from placement import PreviousLayout
from policy import Recommendation
from service.schemas import WireModel, request_error

Engine = Literal["aurora-postgresql", "aurora-mysql"]
"""The Aurora engine of the cluster (``create-db-instance --engine``)."""


class ActionsRequest(WireModel):
    """A recommendation to render as AWS CLI, boto3 and Terraform.

    Attributes:
        recommendation: a ``Recommendation`` as returned by the API.
        db_cluster_identifier: the Aurora ``DBClusterIdentifier``; default: the
            recommendation's ``cluster_id``.
        engine: the cluster's engine.
        previous: the layout deployed now; readers it has and the plan does not need are
            deleted, readers the plan needs and it lacks are created. Default: none.
        az_names: AZ ID -> AZ name in your account (``use1-az2`` -> ``us-east-1c``);
            missing IDs are looked up at run time (CLI, Terraform) or left as a
            ``<AZ name of ...>`` placeholder (boto3).
    """

    recommendation: Recommendation
    db_cluster_identifier: str | None = Field(default=None, min_length=1, max_length=63)
    engine: Engine = "aurora-postgresql"
    previous: PreviousLayout | None = None
    az_names: dict[str, str] = Field(default_factory=dict, max_length=64)

    def check(self) -> ActionsRequest:
        """Reject a recommendation no action list can be rendered from.

        The library's ``Recommendation`` model is lax about shape (it is an output type),
        so a posted one is checked here: at least one plan step and capacity change, a
        positive step, reader windows that end after they start, and a cluster name.

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
        if not rec.settings.capacity_changes:
            problems.append(((loc, "settings", "capacity_changes"), "needs at least one capacity change"))
        for i, r in enumerate(rec.settings.readers):
            if r.needed_until <= r.needed_from:
                problems.append(((loc, "settings", "readers", i), "needed_until must be after needed_from"))
        if not (self.db_cluster_identifier or rec.cluster_id):
            problems.append(((loc, "cluster_id"), "is empty; give db_cluster_identifier"))
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
