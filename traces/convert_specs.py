"""What the converter ships: one spec per bundled trace, plus licence texts.

This module owns the static facts behind ``traces/data/`` (origins, licences,
descriptions, default demand rules, caveats). :mod:`traces.convert` turns them into
the CSV, JSON and PROVENANCE.md files. It imports nothing of ours outside ``traces``.
Facts come from ``traces-raw/SOURCES.md`` unless noted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from traces.schema import TraceKind, Unit

NAB_REPO: Final[str] = "numenta/NAB"
NAB_COMMIT: Final[str] = "ea702d75cc2258d9d7dd35ca8e5e2539d71f3140"
NAB_CITATION: Final[str] = (
    'S. Ahmad, A. Lavin, S. Purdy, Z. Agha, "Unsupervised real-time anomaly detection for '
    'streaming data", Neurocomputing, 2017, doi:10.1016/j.neucom.2017.04.070'
)
NAB_ATTRIBUTION: Final[str] = (
    "Data from the Numenta Anomaly Benchmark (NAB), https://github.com/numenta/NAB, "
    "Copyright 2014-2024 Numenta Inc., MIT licence (full text below)."
)
NAB_MIT_LICENCE: Final[str] = """Copyright 2014-2024 Numenta Inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""
"""NAB ``LICENSE.txt`` at :data:`NAB_COMMIT`, verbatim (MIT requires shipping it)."""

AZURE_AGG_REPO: Final[str] = "alejandrofdez-us/DataCenter-Traces-Datasets"
AZURE_AGG_COMMIT: Final[str] = "003bb8e7ce9aaf4ed16ddf1652bc1a279c8ac2e6"
AZURE_CITATION: Final[str] = (
    'E. Cortez, A. Bonde, A. Muzio, M. Russinovich, M. Fontoura, R. Bianchini, "Resource '
    "Central: Understanding and Predicting Workloads for Improved Resource Management in Large "
    'Cloud Platforms", SOSP 2017, doi:10.1145/3132747.3132772 (the citation requested by '
    "Azure/AzurePublicDataset for its VM traces); aggregate: DataCenter-Traces-Datasets, "
    "doi:10.5281/zenodo.14564847"
)
AZURE_ATTRIBUTION: Final[str] = (
    "Contains data from the Azure Public Dataset V2 (Microsoft Azure, "
    "https://github.com/Azure/AzurePublicDataset), licensed CC BY 4.0, as aggregated by "
    "DataCenter-Traces-Datasets (https://github.com/alejandrofdez-us/DataCenter-Traces-Datasets,"
    " doi:10.5281/zenodo.14564847), licensed CC BY 4.0. Modified by acuplan (see Changes). "
    "Licence: https://creativecommons.org/licenses/by/4.0/"
)

AZURE_EPOCH: Final[datetime] = datetime(2019, 1, 1, tzinfo=UTC)
"""Arbitrary UTC anchor of the Azure aggregate's relative offsets (offset 0).

Azure publishes only seconds from the start of a 30-day window in 2019, not the
dates. The anchor's weekday and time of day carry no meaning: do not read calendar
effects (weekends, holidays) off the timestamps of ``azure-vm-cpu-2019``.
"""

NAB_PERCENT_DEMAND: Final[dict[str, Any]] = {"rule": "percent_of_max_acu", "max_acu": 16.0}
"""Default for NAB CPU traces: treat CPU% as Aurora CPUUtilization against MaxCapacity 16."""

_NAB_CPU_CAVEATS: Final[tuple[str, ...]] = (
    "Instance size, engine and application are not given by NAB.",
    "The CPU is that of an RDS/EC2 instance, not Aurora Serverless v2; the default demand rule "
    "reads it as if it were Aurora CPUUtilization against a MaxCapacity of 16 ACU "
    "(a modelling choice, FACTS.md A7).",
    "UTC times rest on the NAB clock assumption (fixed UTC-5); see the NAB clock section.",
)


@dataclass(frozen=True)
class TraceSpec:
    """How one bundled trace is made from one raw file.

    Attributes:
        name: Public bundle name.
        raw_file: Path of the raw CSV relative to the ``traces-raw`` folder.
        reader: ``nab`` (naive local stamps, column ``value``) or ``offsets``
            (seconds from an unpublished start, anchored at :data:`AZURE_EPOCH`).
        value_column: Raw column holding the value.
        scale: Factor applied to every raw value (e.g. 1/300 for count per 5 min
            to per second).
        kind: Trace kind.
        cluster_id: ``cluster_id`` written to the CSV.
        signal: ``signal`` written to the CSV.
        unit: ``unit`` written to the CSV.
        description: One paragraph for the metadata and PROVENANCE.md.
        demand_rule: Default demand rule (JSON form).
        licence: SPDX licence identifier.
        repo: Origin repository.
        commit: Origin commit.
        origin_path: Path in the origin repository.
        upstream: Upstream dataset, or None.
        citation: Requested citation.
        attribution: Attribution text required by the licence.
        changes: Fixed changes (the converter adds measured ones).
        caveats: Known limitations.
    """

    name: str
    raw_file: str
    reader: Literal["nab", "offsets"]
    value_column: str
    scale: float
    kind: TraceKind
    cluster_id: str
    signal: str
    unit: Unit
    description: str
    demand_rule: dict[str, Any]
    licence: str
    repo: str
    commit: str
    origin_path: str
    upstream: str | None
    citation: str
    attribution: str
    changes: tuple[str, ...]
    caveats: tuple[str, ...]


def _nab_rds(suffix: str, month: str) -> TraceSpec:
    """Spec of one NAB RDS CPU trace."""
    return TraceSpec(
        name=f"rds-cpu-{suffix}",
        raw_file=f"nab-aws-cloudwatch/rds_cpu_utilization_{suffix}.csv",
        reader="nab",
        value_column="value",
        scale=1.0,
        kind="database_cpu",
        cluster_id=f"rds-{suffix}",
        signal="cpu_utilization",
        unit="percent",
        description=(
            f"CPU utilisation (CloudWatch CPUUtilization, percent) of one Amazon RDS database "
            f"instance, 5-minute samples over 14 days in {month} 2014, from the Numenta Anomaly "
            "Benchmark. One of the only two public RDS CloudWatch exports found."
        ),
        demand_rule=NAB_PERCENT_DEMAND,
        licence="MIT",
        repo=NAB_REPO,
        commit=NAB_COMMIT,
        origin_path=f"data/realAWSCloudwatch/rds_cpu_utilization_{suffix}.csv",
        upstream="AWS CloudWatch export collected by Numenta",
        citation=NAB_CITATION,
        attribution=NAB_ATTRIBUTION,
        changes=(),
        caveats=_NAB_CPU_CAVEATS,
    )


SPECS: Final[tuple[TraceSpec, ...]] = (
    _nab_rds("cc0c53", "February"),
    _nab_rds("e47b3b", "April"),
    TraceSpec(
        name="elb-requests-8c0756",
        raw_file="nab-aws-cloudwatch/elb_request_count_8c0756.csv",
        reader="nab",
        value_column="value",
        scale=1.0 / 300.0,
        kind="request_rate",
        cluster_id="elb-8c0756",
        signal="request_rate",
        unit="per_s",
        description=(
            "Request rate through one AWS Elastic Load Balancer: CloudWatch RequestCount per "
            "5 minutes divided by 300 to give requests per second, 14 days in April 2014, from "
            "the Numenta Anomaly Benchmark."
        ),
        demand_rule={"rule": "p99_to_peak_acu", "peak_acu": 24.0},
        licence="MIT",
        repo=NAB_REPO,
        commit=NAB_COMMIT,
        origin_path="data/realAWSCloudwatch/elb_request_count_8c0756.csv",
        upstream="AWS CloudWatch export collected by Numenta",
        citation=NAB_CITATION,
        attribution=NAB_ATTRIBUTION,
        changes=(
            "Divided every RequestCount (requests per 5-minute period) by 300 to give "
            "requests per second (unit per_s).",
        ),
        caveats=(
            "Units are inferred from the CloudWatch metric name (RequestCount, a Sum per "
            "period); NAB does not state them.",
            "The 8 missing 5-minute samples are kept missing (no rows; NaN demand). They are "
            "most likely periods with zero requests, not lost samples: ELB reports metrics to "
            "CloudWatch only while requests flow (AWS docs, 'CloudWatch metrics for your "
            "Classic Load Balancer'), and the file has no zero counts but 15 periods with 1 "
            "request and 28 with 2. DESIGN.md §3 treats gaps of count statistics as zero: "
            "fill them with 0 before mapping to demand if you follow that rule.",
            "The application behind the load balancer is not given.",
            "UTC times rest on the NAB clock assumption (fixed UTC-5); see the NAB clock section.",
        ),
    ),
    TraceSpec(
        name="ec2-cpu-dst-failure",
        raw_file="nab-aws-cloudwatch/ec2_request_latency_system_failure.csv",
        reader="nab",
        value_column="value",
        scale=1.0,
        kind="database_cpu",
        cluster_id="ec2-system-failure",
        signal="cpu_utilization",
        unit="percent",
        description=(
            "CPU utilisation of one EC2 server in Amazon's East Coast datacenter, 14 days in "
            "March 2014, ending with a complete system failure that NAB attributes to a "
            "documented failure of AWS API servers (NAB realKnownCause). Shipped because its "
            "raw timestamps carry the 2014-03-09 daylight-saving artefact that the converter "
            "reconstructs."
        ),
        demand_rule=NAB_PERCENT_DEMAND,
        licence="MIT",
        repo=NAB_REPO,
        commit=NAB_COMMIT,
        origin_path="data/realKnownCause/ec2_request_latency_system_failure.csv",
        upstream="AWS CloudWatch export collected by Numenta",
        citation=NAB_CITATION,
        attribution=NAB_ATTRIBUTION,
        changes=(),
        caveats=(
            "The file name says 'request latency' but NAB's data README describes it as CPU "
            "usage; values (22.9-99.2) fit percent.",
            "Not a database: kind database_cpu only says the default demand rule reads it as "
            "Aurora CPUUtilization.",
            *_NAB_CPU_CAVEATS[1:],
        ),
    ),
    TraceSpec(
        name="azure-vm-cpu-2019",
        raw_file="cloud-aggregate-cpu/azure_vm_2019_aggregate_5min.csv",
        reader="offsets",
        value_column="cpu_usage",
        scale=1.0,
        kind="fleet_cpu_aggregate",
        cluster_id="azure-vm-region-2019",
        signal="cpu_usage",
        unit="relative",
        description=(
            "Whole-region CPU usage of Azure's first-party VM fleet in 2019: the sum over about "
            "2.7 million VMs of their 5-minute CPU readings (Azure Public Dataset V2, aggregated "
            "by DataCenter-Traces-Datasets), 30 days. Smooth, with daily and weekly seasonality "
            "and few bursts; scale undocumented, hence unit relative."
        ),
        demand_rule={"rule": "p99_to_peak_acu", "peak_acu": 64.0},
        licence="CC-BY-4.0",
        repo=AZURE_AGG_REPO,
        commit=AZURE_AGG_COMMIT,
        origin_path="azure_v2/vm_cpu_readings_month_aggregated_cpu_mem.csv",
        upstream="Azure Public Dataset V2 VM trace (Azure/AzurePublicDataset)",
        citation=AZURE_CITATION,
        attribution=AZURE_ATTRIBUTION,
        changes=(
            f"Relative offsets (seconds from the unpublished trace start) were anchored at the "
            f"arbitrary UTC epoch {AZURE_EPOCH.strftime('%Y-%m-%dT%H:%M:%SZ')}: ts = epoch + "
            "offset.",
            "Dropped column assigned_mem (memory is not mapped to ACU demand here).",
        ),
        caveats=(
            "Absolute dates are not published: the anchor's weekday and time of day are "
            "meaningless; only offsets and periodicities are real.",
            "The unit of cpu_usage is undocumented (its magnitude, 5.2-7.8 x 10^6, fits CPU % x "
            "virtual cores), so only the p99 scaling rule makes sense.",
            "A fleet aggregate, not one database: smooth, never near zero.",
        ),
    ),
)
"""The bundled traces, in the order PROVENANCE.md lists them."""

NAB_CLOCK_NOTE: Final[str] = """\
NAB stamps are naive (`YYYY-MM-DD HH:MM:SS`) and NAB does not name a time zone.

**Evidence.** The three NAB files that span the US spring-forward of 2014-03-09 jump
from 01:5x to 03:00 and then carry 12 consecutive rows all stamped `03:00:00`
(`ec2_request_latency_system_failure.csv`: 01:56, 12 x 03:00:00, 03:01, 03:06, ...).

1. 03:00:00 is the first valid wall time after the 02:00-02:59 hour that does not
   exist in US zones that day: some export step read the stamps in a US DST zone and
   clamped the non-existent wall times forward. We assume **America/New_York** (all
   mainland US zones switch at 02:00 local on the same day; the data cannot tell them
   apart).
2. The clock that *produced* the stamps did not observe DST: 01:56 + 13 x 5 min =
   03:01, the first unclamped stamp, so the 12 clamped rows are the samples of
   02:01 ... 02:56 on a continuous clock. A DST-observing clock goes from 01:56 to
   03:01 in 5 real minutes and has no room for 12 more samples. Row counts agree: on
   a continuous clock the file's 4032 rows fill the 4033 five-minute slots from its
   first to its last stamp except exactly one (its single 10-minute step); a
   DST-observing reading would leave 12 rows without a place.
3. So all stamps are on one fixed-offset clock; under the America/New_York assumption
   that is New York *standard* time, EST = UTC-5, all year.

**Rule (in `traces/nab_clock.py`, tested on an inline fixture).**
(a) A clamped run is a maximal run of rows sharing a stamp S that is the first valid
wall time after a spring-forward gap of the zone. (b) Row i of a run of k rows gets
`prev + i x 5 min`, where `prev` is the row before the run; the run must end exactly
5 min before the next row, otherwise the converter refuses; it also refuses unclamped
consecutive rows that straddle a DST transition. (c) Every stamp is converted with
the zone's standard offset: UTC = stamp + 5 h. (d) Irregular steps (10-minute steps =
one missing sample) stay gaps: nothing is added, dropped or interpolated.

**Caveat.** In several NAB series the daily trough sits at 06-08 h on this clock
(which would be 02-03 h US Eastern if the clock were UTC itself), a hint that the
underlying clock may be UTC rather than EST. The data cannot settle it; the 5-minute
grid does not depend on it. Switching means setting `NAB_CLOCK_OFFSET_S = 0` in
`traces/nab_clock.py` and re-running the converter (all NAB times move by 5 h)."""
"""Markdown for the NAB clock section of PROVENANCE.md (mirrors traces.nab_clock)."""

NOT_SHIPPED_NOTE: Final[str] = """\
Not shipped although present in `traces-raw`: Bitbrains GWA-T-12 and the NASA-HTTP
per-minute counts (licence unstated, SOURCES.md), the other NAB files and the Google
2019 cell aggregate (not needed for the bundle), and the 1-hour Azure LLM inference
logs (per-request events, not a 5-minute series)."""
"""Markdown listing what was deliberately left out of the bundle."""
