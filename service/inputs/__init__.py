"""Turning what users upload or name into demand: the step grid, metric formats, bundled traces.

``history`` (observed samples -> the step-grid history ``policy.recommend`` takes),
``formats`` (JSON points, the canonical CSV, CloudWatch GetMetricData) and ``bundled``
(a bundled trace or a folder of canonical CSVs -> replay inputs). Shared by the HTTP API
and the CLI.
"""
