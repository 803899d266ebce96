"""The HTTP wire format, version 1: request and response models, and JSON type checks.

``recommendations`` (the shared request base and the recommendation request), ``clusters``
(registered clusters, metrics, stored recommendations), ``jobs`` (forecasts and replay
jobs), ``actions`` (rendered actions) and ``json_types`` (numbers are JSON numbers).
"""
