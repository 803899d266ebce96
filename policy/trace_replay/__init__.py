"""Replaying capacity policies over a demand series, on one simulator of Aurora Serverless v2.

``simulator`` (the cluster under a policy's settings), ``decision`` (what a policy returns
and the protocol it implements), ``policies`` (reactive, static-peak, acuplan, bound and the
registry), ``peers`` (VPA, EC2 predictive scaling, Aurora Auto Scaling of readers), ``run``
(replay with an explicit clock and scoring), ``report`` (scores), ``sweep`` (acuplan's
risk-quantile frontier), ``fleet`` (many clusters on any executor) and ``scoreboard``
(dominance and targets). The decision path itself (``policy.recommend``) lives beside it.
"""
