"""Advice about one cluster: its settings against acuplan's and the bound, and how to buy it.

Modules: :mod:`policy.advice.prices` (the price book, with sources), :mod:`policy.advice.purchase`
(serverless, provisioned, Reserved Instances, Database Savings Plans, mixed clusters),
:mod:`policy.advice.schedule` (a daily or weekly MinCapacity timetable),
:mod:`policy.advice.types` (today's settings, the configuration and the answer) and
:mod:`policy.advice.advise` (the replays that make the answer), with its parts:
:mod:`policy.advice.checks` (the input checks), :mod:`policy.advice.timetable` (choosing what
to apply), :mod:`policy.advice.observed` (today's bill as observed), :mod:`policy.advice.alerts`
(the history's alerts), :mod:`policy.advice.pause` (auto-pause offered apart),
:mod:`policy.advice.reasons` and :mod:`policy.advice.words` (the sentences). Pure; imports
``policy`` modules only.
"""
