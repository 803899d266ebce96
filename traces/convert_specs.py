"""What the converter makes: one spec per suite trace, plus licence texts.

This module owns the static facts behind ``traces/data/`` and the local-only suite
(origins, licences, descriptions, default demand rules, shapes, caveats): :data:`SPECS`
are the bundled (redistributable) traces, :data:`LOCAL_SPECS` the ones whose licence is
unstated, which are converted only into a folder of the user's
(``python -m traces.convert --suite-dir DIR``), never into the package.
:mod:`traces.convert` turns them into the CSV, JSON and PROVENANCE.md files. It imports
nothing of ours outside ``traces``. Facts about the raw files come from the raw folder's
own documentation (``traces-raw/SOURCES.md``) unless noted; the shape descriptions were
measured on the raw files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from traces.schema import TraceKind, TraceShape, Unit

RAW_DIR_ENV: Final[str] = "ACUPLAN_TRACES_RAW"
"""Environment variable naming the raw-trace folder (``traces-raw``) when it is elsewhere."""

DEFAULT_RAW_DIR: Final[Path] = Path("../shared/traces-raw")
"""Where the raw traces are by default, relative to the working directory (the
repository root): the shared folder next to the checkout, as issue 9 names it."""

AWS_CPU_METRIC_DOC: Final[str] = (
    'AWS, Aurora User Guide, "Important Amazon CloudWatch metrics for Aurora Serverless v2", '
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html"
)
"""Primary source for: Aurora Serverless v2 CPUUtilization is measured against MaxCapacity."""

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

GOOGLE_EPOCH: Final[datetime] = datetime(2019, 5, 1, tzinfo=UTC)
"""Arbitrary UTC anchor of the Google cell aggregate's offsets (offset 0).

ClusterData 2019 covers "the month of May 2019" (google/cluster-data,
``ClusterData2019.md``), but the aggregate names neither its cell nor its start time:
only the month is meaningful, not the weekday or time of day of ``google-cell-cpu-2019``.
"""

GOOGLE_CITATION: Final[str] = (
    "M. Tirmazi, A. Barker, N. Deng, M. E. Haque, Z. G. Qin, S. Hand, M. Harchol-Balter, J. Wilkes, "
    '"Borg: the Next Generation", EuroSys 2020, doi:10.1145/3342195.3387517 (the paper on the 2019 '
    "traces); aggregate: DataCenter-Traces-Datasets, doi:10.5281/zenodo.14564847"
)
GOOGLE_ATTRIBUTION: Final[str] = (
    "Contains data from Google ClusterData 2019 (Google, https://github.com/google/cluster-data), "
    "licensed CC BY 4.0, as aggregated by DataCenter-Traces-Datasets "
    "(https://github.com/alejandrofdez-us/DataCenter-Traces-Datasets, doi:10.5281/zenodo.14564847), "
    "licensed CC BY 4.0. Modified by acuplan (see Changes). "
    "Licence: https://creativecommons.org/licenses/by/4.0/"
)

BITBRAINS_REPO: Final[str] = "JessieRayeBauer/Time-Series-Forecasting-"
BITBRAINS_COMMIT: Final[str] = "0901a0da3024507c7732c782621e590077abca64"
BITBRAINS_CITATION: Final[str] = (
    'S. Shen, V. van Beek, A. Iosup, "Statistical Characterization of Business-Critical Workloads '
    'Hosted in Cloud Datacenters", CCGrid 2015, doi:10.1109/CCGrid.2015.60'
)
BITBRAINS_ATTRIBUTION: Final[str] = (
    "Data from the GWA-T-12 Bitbrains trace (Grid Workloads Archive, TU Delft, "
    "http://gwa.ewi.tudelft.nl/datasets/gwa-t-12-bitbrains), Rnd trace, July 2013. No licence "
    "or terms of use were found: local use only, do not redistribute."
)

NASA_REPO: Final[str] = "reconfigurable-ml-pipeline/web-service-datasets"
NASA_COMMIT: Final[str] = "7404ad6643602943511e75ab3095fb1ccc990fd1"
NASA_CITATION: Final[str] = (
    'M. Arlitt, C. Williamson, "Web Server Workload Characterization: The Search for Invariants", '
    "ACM SIGMETRICS 1996"
)
NASA_ATTRIBUTION: Final[str] = (
    "Derived from the NASA-HTTP trace of the Internet Traffic Archive "
    "(https://ita.ee.lbl.gov/html/contrib/NASA-HTTP.html), collected by Jim Dumoulin (NASA KSC) "
    "and contributed by Martin Arlitt and Carey Williamson (University of Saskatchewan). Its "
    "redistribution terms could not be read: local use only, do not redistribute."
)

UNSTATED_LICENCE: Final[str] = "NOASSERTION"
"""SPDX value for "no licence could be determined" (Bitbrains, the NASA-derived counts)."""

NAB_PERCENT_DEMAND: Final[dict[str, Any]] = {"rule": "percent_of_max_acu", "max_acu": 16.0}
"""Default for NAB CPU traces: treat CPU% as Aurora CPUUtilization against MaxCapacity 16.

16 ACU is a modelling choice (NAB gives no instance size)."""

NAB_SATURATED_DEMAND: Final[dict[str, Any]] = {"rule": "p99_to_peak_acu", "peak_acu": 16.0}
"""Default for NAB CPU traces that sit at 95-100 % for hours: their p99 maps to 16 ACU.

Numerically close to :data:`NAB_PERCENT_DEMAND` (their p99 is 97-100 %), but under a p99
rule the replay cluster keeps the default MaxCapacity instead of 16 ACU. Read against a
16-ACU MaxCapacity, every sample above 95 % would be load above 95 % of the largest
possible instance: SLO minutes that every policy pays by construction."""

_NAB_CPU_CAVEATS: Final[tuple[str, ...]] = (
    "Instance size, engine and application are not given by NAB.",
    "The CPU is that of an RDS/EC2 instance, not Aurora Serverless v2; the default demand rule "
    "reads it as if it were Aurora CPUUtilization against a MaxCapacity of 16 ACU (a modelling "
    f"choice; AWS measures that metric against MaxCapacity: {AWS_CPU_METRIC_DOC}).",
    "UTC times rest on the NAB clock assumption (fixed UTC-5); see the NAB clock section.",
)

_NAB_SATURATED_CAVEATS: Final[tuple[str, ...]] = (
    "Instance size and application are not given by NAB.",
    "CPU near 100 % is censored: load the instance could not serve is not in the data.",
    "The default demand rule maps the p99 to 16 ACU instead of reading the percent against a "
    "16-ACU MaxCapacity, so the replay cluster keeps the default MaxCapacity and the hours near "
    "100 % are load a cluster can serve, not SLO minutes every policy pays by construction "
    "(a modelling choice).",
    "UTC times rest on the NAB clock assumption (fixed UTC-5); see the NAB clock section.",
)

Reader = Literal["nab", "offsets", "epoch_s", "iso"]
"""How a raw file's time column is read (see :class:`TraceSpec`)."""


@dataclass(frozen=True)
class TraceSpec:
    """How one suite trace is made from one raw file.

    Attributes:
        name: Public trace name (the bundle name of a shipped trace).
        raw_file: Path of the raw CSV relative to the ``traces-raw`` folder.
        reader: ``nab`` (naive local stamps, see :mod:`traces.nab_clock`),
            ``offsets`` (seconds from an unpublished start, anchored at ``epoch``),
            ``epoch_s`` (Unix epoch seconds, UTC) or ``iso`` (ISO 8601 with a UTC
            offset).
        value_column: Raw column holding the value.
        scale: Factor applied to every raw value (e.g. 1/300 for count per 5 min
            to per second).
        kind: Trace kind.
        cluster_id: ``cluster_id`` written to the CSV.
        signal: ``signal`` written to the CSV.
        unit: ``unit`` written to the CSV.
        description: One paragraph for the metadata and PROVENANCE.md.
        demand_rule: Default demand rule (JSON form).
        licence: SPDX licence identifier (``NOASSERTION`` when none could be found).
        repo: Origin repository.
        commit: Origin commit.
        origin_path: Path in the origin repository.
        upstream: Upstream dataset, or None.
        citation: Requested citation.
        attribution: Attribution text required by the licence.
        changes: Fixed changes (the converter adds measured ones).
        caveats: Known limitations.
        shape: The load shape the trace stands for in the suite (:mod:`traces.suite`).
        shipped: True for a bundled (redistributable) trace, False for a local-only one.
        time_column: Raw column holding the time.
        epoch: UTC anchor of offset 0 for reader ``offsets``.
        step_s: Nominal sampling step of the source, seconds (300 or 60).
        jitter_s: Steps within ``step_s`` +- ``jitter_s`` seconds count as regular
            (Bitbrains samples come 299-301 s apart); shorter steps are refused, longer
            ones are kept as gaps and listed in the changes.
        window: Raw time strings of the first and last row to keep (inclusive), or
            None to keep every row.
        rate_seconds_column: Raw column with the seconds each row covers; when set,
            the (scaled) value is divided by it: a count per row becomes a rate per
            second.
    """

    name: str
    raw_file: str
    reader: Reader
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
    shape: TraceShape
    shipped: bool = True
    time_column: str = "timestamp"
    epoch: datetime = AZURE_EPOCH
    step_s: int = 300
    jitter_s: int = 0
    window: tuple[str, str] | None = None
    rate_seconds_column: str | None = None


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
        shape="rds_cpu",
    )


def _nab_ec2(suffix: str, description: str, *, saturated: bool, shape: TraceShape) -> TraceSpec:
    """Spec of one NAB EC2 CPU trace (``data/realAWSCloudwatch/ec2_cpu_utilization_<suffix>.csv``).

    ``saturated`` traces (hours at 95-100 %) get :data:`NAB_SATURATED_DEMAND`, the others
    :data:`NAB_PERCENT_DEMAND`.
    """
    return TraceSpec(
        name=f"ec2-cpu-{'step' if shape == 'step_change' else 'bursty'}-{suffix}",
        raw_file=f"nab-aws-cloudwatch/ec2_cpu_utilization_{suffix}.csv",
        reader="nab",
        value_column="value",
        scale=1.0,
        kind="vm_cpu",
        cluster_id=f"ec2-{suffix}",
        signal="cpu_utilization",
        unit="percent",
        description=description,
        demand_rule=NAB_SATURATED_DEMAND if saturated else NAB_PERCENT_DEMAND,
        licence="MIT",
        repo=NAB_REPO,
        commit=NAB_COMMIT,
        origin_path=f"data/realAWSCloudwatch/ec2_cpu_utilization_{suffix}.csv",
        upstream="AWS CloudWatch export collected by Numenta",
        citation=NAB_CITATION,
        attribution=NAB_ATTRIBUTION,
        changes=(),
        caveats=(
            "One EC2 instance, not a database: the default demand rule reads its CPU as a database's load.",
            *(_NAB_SATURATED_CAVEATS if saturated else _NAB_CPU_CAVEATS),
        ),
        shape=shape,
    )


def _bitbrains(vm: int, description: str, shape: TraceShape) -> TraceSpec:
    """Spec of one local-only Bitbrains VM trace (CPU MHz read as relative load)."""
    return TraceSpec(
        name=f"bitbrains-vm{vm}",
        raw_file=f"bitbrains-rnd-2013-07/vm_{vm}.csv",
        reader="epoch_s",
        value_column="CPU usage [MHZ]",
        scale=1.0,
        kind="vm_cpu",
        cluster_id=f"bitbrains-rnd-vm{vm}",
        signal="cpu_usage_mhz",
        unit="relative",
        description=description,
        demand_rule={"rule": "p99_to_peak_acu", "peak_acu": 16.0},
        licence=UNSTATED_LICENCE,
        repo=BITBRAINS_REPO,
        commit=BITBRAINS_COMMIT,
        origin_path=f"rnd/2013-7/{vm}.csv",
        upstream="GWA-T-12 Bitbrains, Grid Workloads Archive, TU Delft (Rnd trace)",
        citation=BITBRAINS_CITATION,
        attribution=BITBRAINS_ATTRIBUTION,
        changes=(
            "Read column 'Timestamp [ms]' as Unix epoch seconds (its values are seconds, not "
            "milliseconds: 1372629804 is 2013-06-30T22:03:24Z) and kept every stamp as it is "
            "(samples come 299-301 s apart, not on the 5-minute boundaries).",
            "Kept only 'CPU usage [MHZ]' (unit relative: MHz has no canonical unit) and dropped "
            "the other nine metrics.",
        ),
        caveats=(
            "Licence unstated (the GWA-T-12 page states none): local use only, never shipped.",
            "CPU MHz of one VM of a managed-hosting provider, not a database. The default rule "
            "maps the p99 to 16 ACU (a modelling choice: the top of the NAB CPU traces read "
            "against 16 ACU).",
            "The source states no time zone; the epoch seconds are read as UTC.",
        ),
        shape=shape,
        shipped=False,
        time_column="Timestamp [ms]",
        jitter_s=1,
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
            "request and 28 with 2. A CloudWatch Sum has no datapoint for a period without "
            "events: fill the gaps with 0 before mapping to demand if you read them that way.",
            "The application behind the load balancer is not given.",
            "UTC times rest on the NAB clock assumption (fixed UTC-5); see the NAB clock section.",
        ),
        shape="web_requests_5min",
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
        shape="system_failure",
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
        shape="region_aggregate",
    ),
    TraceSpec(
        name="asg-cpu-misconfiguration",
        raw_file="nab-aws-cloudwatch/cpu_utilization_asg_misconfiguration.csv",
        reader="nab",
        value_column="value",
        scale=1.0,
        kind="autoscaling_group_cpu",
        cluster_id="asg-misconfiguration",
        signal="cpu_utilization",
        unit="percent",
        description=(
            "Mean CPU utilisation (percent) across the instances of one AWS autoscaling group, "
            "5-minute samples, the last 30 days (June-July 2014) of NAB's realKnownCause file "
            "(NAB: 'average CPU usage across a given cluster. When usage is high, AWS spins up a "
            "new machine, and uses fewer machines when usage is low'). A ~31 % base with a spike "
            "about every 2 hours whose height grows over the weeks to 100 %, then, in the period "
            "NAB labels as the misconfiguration (from 2014-07-10), high noisy load (median ~57 %) "
            "from 2014-07-12 for about 2.5 days and a fall to ~13 % for the last 21 hours."
        ),
        demand_rule=NAB_SATURATED_DEMAND,
        licence="MIT",
        repo=NAB_REPO,
        commit=NAB_COMMIT,
        origin_path="data/realKnownCause/cpu_utilization_asg_misconfiguration.csv",
        upstream="AWS CloudWatch export collected by Numenta",
        citation=NAB_CITATION,
        attribution=NAB_ATTRIBUTION,
        changes=(
            "Why the window: a small package and a replay as long as the other 30-day traces; the "
            "32 days dropped hold three more cycles of the same spike growth and reset.",
        ),
        caveats=(
            "An autoscaling group's mean CPU, not one database: when the group scales out the "
            "mean falls although the total load does not. The group size is not given, so the "
            "group's total load cannot be recovered.",
            *_NAB_SATURATED_CAVEATS,
        ),
        shape="asg",
        window=("2014-06-15 17:24:00", "2014-07-15 17:19:00"),
    ),
    _nab_ec2(
        "ac20cd",
        (
            "CPU utilisation (percent) of one EC2 instance, 14 days in April 2014, from the "
            "Numenta Anomaly Benchmark. Two level shifts: ~41 % for 1.5 days, a drop to ~3 % "
            "for 14 hours, ~34 % for 10.5 days, then a jump to ~99 % that holds for the last "
            "38 hours (NAB labels the jump as an anomaly)."
        ),
        saturated=True,
        shape="step_change",
    ),
    _nab_ec2(
        "825cc2",
        (
            "CPU utilisation (percent) of one EC2 instance, 14 days in April 2014, from the "
            "Numenta Anomaly Benchmark. A busy instance (median 92 %) with one step down to "
            "~25 % for 11 hours on 2014-04-16 and a step back up (NAB labels the drop as an "
            "anomaly)."
        ),
        saturated=True,
        shape="step_change",
    ),
    _nab_ec2(
        "fe7f93",
        (
            "CPU utilisation (percent) of one EC2 instance, 14 days in February 2014, from the "
            "Numenta Anomaly Benchmark. A steady ~2.6 % baseline with 63 short bursts to "
            "20-100 % (median 3 samples, i.e. 15 minutes; the longest 75 minutes), clustered "
            "on some days and absent on others."
        ),
        saturated=False,
        shape="bursty_vm",
    ),
    TraceSpec(
        name="google-cell-cpu-2019",
        raw_file="cloud-aggregate-cpu/google_2019_cell_aggregate_5min.csv",
        reader="offsets",
        value_column="avg_cpu",
        scale=1.0,
        kind="fleet_cpu_aggregate",
        cluster_id="google-borg-cell-2019",
        signal="avg_cpu",
        unit="relative",
        description=(
            "Mean normalised CPU usage over all instances of one Google Borg cell, 5-minute "
            "buckets over 28 days of May 2019 (Google ClusterData 2019, aggregated by "
            "DataCenter-Traces-Datasets). A whole-cell aggregate: smooth, daily cycles, few "
            "bursts; the cell is not named."
        ),
        demand_rule={"rule": "p99_to_peak_acu", "peak_acu": 64.0},
        licence="CC-BY-4.0",
        repo=AZURE_AGG_REPO,
        commit=AZURE_AGG_COMMIT,
        origin_path="google2019/instance_usage_grouped_300_seconds_month.csv",
        upstream="Google ClusterData 2019, instance usage table (google/cluster-data)",
        citation=GOOGLE_CITATION,
        attribution=GOOGLE_ATTRIBUTION,
        changes=(
            "The origin file has no time column; the raw copy's t_offset_s is the row index x "
            "300 s (the aggregator's 28 per-day files of 288 rows concatenate to it).",
            f"Anchored the offsets at the arbitrary UTC epoch "
            f"{GOOGLE_EPOCH.strftime('%Y-%m-%dT%H:%M:%SZ')} (ClusterData 2019 covers May 2019): "
            "ts = epoch + offset.",
            "Kept only avg_cpu; dropped avg_mem, avg_assigned_mem and avg_cycles_per_instruction.",
        ),
        caveats=(
            "The cell and the start time are not published: the anchor's weekday and time of day "
            "are meaningless; only offsets and periodicities are real.",
            "avg_cpu is a mean over instances normalised to [0, 1] (per the aggregator), so only "
            "the p99 scaling rule makes sense; peak 64 ACU as for azure-vm-cpu-2019.",
            "A whole-cell aggregate, not one database: smooth, never near zero.",
        ),
        shape="cell_aggregate",
        epoch=GOOGLE_EPOCH,
        time_column="t_offset_s",
    ),
)
"""The bundled traces, in the order PROVENANCE.md lists them."""

LOCAL_SPECS: Final[tuple[TraceSpec, ...]] = (
    _bitbrains(
        41,
        (
            "CPU usage (MHz) of one 8-core business-critical VM (Bitbrains Rnd trace, GWA-T-12), "
            "5-minute samples over 30 days of July 2013. Batch-like and non-seasonal: plateaus "
            "at the VM's full capacity for hours to days, then near zero, with no daily or "
            "weekly cycle (autocorrelation 0.07 at one day)."
        ),
        "batch_vm",
    ),
    _bitbrains(
        303,
        (
            "CPU usage (MHz) of one 2-core business-critical VM (Bitbrains Rnd trace, GWA-T-12), "
            "5-minute samples over 30 days of July 2013. A low baseline (mean 6.5 % of "
            "capacity) with one burst to full capacity every day and smaller bursts between "
            "(autocorrelation 0.88 at one day)."
        ),
        "daily_bursty_vm",
    ),
    _bitbrains(
        392,
        (
            "CPU usage (MHz) of one 4-core business-critical VM (Bitbrains Rnd trace, GWA-T-12), "
            "5-minute samples over 30 days of July 2013. Very noisy around ~2,000-3,000 MHz, "
            "then a level shift on 2013-07-23/24 to ~7,000 MHz that holds to the end; no "
            "weekly cycle."
        ),
        "step_change",
    ),
    TraceSpec(
        name="nasa-http-1995-1min",
        raw_file="nasa-http-1995/nasa_http_1995_requests_per_minute.csv",
        reader="iso",
        value_column="requests",
        scale=1.0,
        kind="request_rate",
        cluster_id="nasa-ksc-www",
        signal="request_rate",
        unit="per_s",
        description=(
            "HTTP request rate of the NASA Kennedy Space Center WWW server, July-August 1995, "
            "per minute (NASA-HTTP, Internet Traffic Archive): strong daily and weekly cycles "
            "and bursts (up to 405 requests/min on 1995-07-13). The suite's 1-minute trace: "
            "its step is 60 s."
        ),
        demand_rule={"rule": "p99_to_peak_acu", "peak_acu": 24.0},
        licence=UNSTATED_LICENCE,
        repo=NASA_REPO,
        commit=NASA_COMMIT,
        origin_path="dataset/nasa/workload.tbz2",
        upstream="NASA-HTTP, Internet Traffic Archive (ita.ee.lbl.gov/html/contrib/NASA-HTTP.html)",
        citation=NASA_CITATION,
        attribution=NASA_ATTRIBUTION,
        changes=(
            "The raw copy holds per-minute counts summed from the origin's per-second counts, "
            "with reconstructed -04:00 timestamps (see traces-raw SOURCES.md); the converter "
            "reads those stamps and converts them to UTC (+4 h).",
            "Divided each minute's requests by its seconds_covered (60 except at segment "
            "edges: 59 or 25) to give requests per second (unit per_s).",
            "Dropped columns seconds_covered and in_outage.",
        ),
        caveats=(
            "Licence unstated (no licence file in the deriving repository; the ITA permissions "
            "text could not be read): local use only, never shipped.",
            "The July log ends at 1995-07-28T17:32Z by the reconstruction: no rows until "
            "1995-08-01T04:00Z, i.e. missing (NaN) demand, never interpolated.",
            "The server was shut down for Hurricane Erin from 1995-08-01T18:52Z to "
            "1995-08-03T08:36Z (flagged in_outage in the raw copy): those minutes are kept as "
            "the recorded zeros, so demand there is ~0 although users wanted service.",
            "Minute boundaries after 1995-08-03 may be off by up to ~8 s (the upstream "
            "per-second series drifts).",
            "A web server's request rate, not a database: the default rule maps its p99 to "
            "24 ACU (a modelling choice, as for elb-requests-8c0756).",
        ),
        shape="web_requests_1min",
        shipped=False,
        step_s=60,
        rate_seconds_column="seconds_covered",
    ),
)
"""The local-only traces (licence unstated): converted by ``--suite-dir``, never shipped."""

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
per-minute counts (licence unstated; `python -m traces.convert --suite-dir DIR` converts
three Bitbrains VMs and the NASA series into a folder of your own for local scoring), the
first 32 days of the NAB autoscaling-group file and the other NAB files (not needed for
the bundle), and the 1-hour Azure LLM inference logs (per-request events, not a
fixed-step series)."""
"""Markdown listing what was deliberately left out of the bundle."""
