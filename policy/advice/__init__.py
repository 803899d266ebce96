"""Advice about one cluster: its settings against acuplan's and the bound, and how to buy it.

Modules: :mod:`policy.advice.prices` (the price book, with sources), :mod:`policy.advice.purchase`
(serverless, provisioned, Reserved Instances, Database Savings Plans, mixed clusters),
:mod:`policy.advice.schedule` (a daily or weekly MinCapacity timetable),
:mod:`policy.advice.types` (today's settings, the configuration and the answer) and
:mod:`policy.advice.advise` (the replays that make the answer). Pure; imports ``policy``
modules only.
"""
