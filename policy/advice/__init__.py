"""Advice about one cluster: its settings against acuplan's and the bound, and how to buy it.

Modules: :mod:`policy.advice.prices` (the price book, with sources), :mod:`policy.advice.purchase`
(serverless, provisioned, Reserved Instances, Database Savings Plans, mixed clusters). Pure;
imports ``policy`` modules only.
"""
