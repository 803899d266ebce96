"""Latency model: the highest utilisation at which a p99 latency budget still holds.

Owns :func:`erlang_c` and :func:`max_utilisation`. Pure maths, imports nothing of ours.

The model is M/M/c (Poisson arrivals, exponential service, ``c`` parallel servers),
the standard first model of a database instance serving many short queries:
``c`` is the number of queries an instance runs in parallel and ``s = 1/mu`` the mean
service time. With offered load ``a = c * rho``, the Erlang C probability that a query
waits is

    C(c, a) = (a**c / c!) / ((1 - rho) * sum_{k<c} a**k / k! + a**c / c!).

The response time is T = S + W with S ~ Exp(mu) and W = 0 with probability 1 - C, else
W ~ Exp(theta), theta = c * mu * (1 - rho). Hence, for theta != mu,

    P(T > t) = (1 - C) e^(-mu t) + C (theta e^(-mu t) - mu e^(-theta t)) / (theta - mu),

and (1 - C) e^(-mu t) + C (1 + mu t) e^(-mu t) when theta = mu. The p99 is the t with
P(T > t) = 0.01 (found by bisection). For c = 1 this is the M/M/1 result
p99 = s ln(100) / (1 - rho).

Source: L. Kleinrock, *Queueing Systems, Vol. 1: Theory* (Wiley, 1975), §3.5 (M/M/m);
M. Harchol-Balter, *Performance Modeling and Design of Computer Systems* (CUP, 2013),
ch. 14 (Erlang C; the M/M/k response-time distribution).

:func:`max_utilisation` inverts the budget by bisection. Typical values (s = 5 ms):

==========  =========  =========
budget      c = 4      c = 1
==========  =========  =========
100 ms      0.940      0.769
50 ms       0.875      0.539
30 ms       0.749      0.232
<= 23.0 ms  0          0          (s ln 100 = 23.03 ms: even an idle instance misses)
==========  =========  =========
"""

from __future__ import annotations

import math

P99_TAIL = 0.01


def erlang_c(servers: int, rho: float) -> float:
    """Return the Erlang C probability that an arrival waits in an M/M/c queue.

    Args:
        servers: number of parallel servers c, >= 1.
        rho: per-server utilisation, in [0, 1).

    Returns:
        C(c, c * rho) in [0, 1].
    """
    if rho <= 0.0:
        return 0.0
    a = servers * rho
    term = 1.0  # a**k / k!, built iteratively to avoid overflow
    total = 0.0
    for k in range(servers):
        total += term
        term *= a / (k + 1)
    top = term  # a**c / c!
    return top / ((1.0 - rho) * total + top)


def tail_probability(servers: int, rho: float, service_ms: float, t_ms: float) -> float:
    """Return P(T > t) for the M/M/c response time T (see the module docstring).

    Args:
        servers: parallel servers c, >= 1.
        rho: per-server utilisation in [0, 1).
        service_ms: mean service time s, ms.
        t_ms: a time, ms, >= 0.

    Returns:
        The probability in [0, 1].
    """
    mu = 1.0 / service_ms
    theta = servers * mu * (1.0 - rho)
    c_wait = erlang_c(servers, rho)
    no_wait = (1.0 - c_wait) * math.exp(-mu * t_ms)
    if abs(theta - mu) < 1e-12 * mu:
        return no_wait + c_wait * (1.0 + mu * t_ms) * math.exp(-mu * t_ms)
    both = (theta * math.exp(-mu * t_ms) - mu * math.exp(-theta * t_ms)) / (theta - mu)
    return no_wait + c_wait * both


def p99_response_ms(servers: int, rho: float, service_ms: float) -> float:
    """Return the p99 of the M/M/c response time, ms.

    Args:
        servers: parallel servers c, >= 1.
        rho: per-server utilisation in [0, 1).
        service_ms: mean service time s, ms.

    Returns:
        The t with P(T > t) = 0.01; infinite when rho >= 1.
    """
    if rho >= 1.0:
        return math.inf
    lo, hi = 0.0, service_ms
    while tail_probability(servers, rho, service_ms, hi) > P99_TAIL:
        hi *= 2.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if tail_probability(servers, rho, service_ms, mid) > P99_TAIL:
            lo = mid
        else:
            hi = mid
    return hi


def max_utilisation(budget_ms: float, *, servers: int, service_ms: float, cap: float = 1.0) -> float:
    """Return the largest utilisation whose p99 response time fits ``budget_ms``.

    Args:
        budget_ms: time left for the database after network round trips, ms.
        servers: parallel servers per instance (c of M/M/c).
        service_ms: mean query service time, ms.
        cap: an upper bound to return at most (e.g. the policy's target utilisation).

    Returns:
        A utilisation in [0, cap], rounded down to 0.001; 0 when even an idle
        instance misses the budget.
    """
    if p99_response_ms(servers, 0.0, service_ms) > budget_ms:
        return 0.0
    lo, hi = 0.0, cap if cap < 1.0 else 0.999  # rho = 1 has an unbounded queue
    if p99_response_ms(servers, hi, service_ms) <= budget_ms:
        return math.floor(hi * 1000) / 1000
    for _ in range(40):
        mid = (lo + hi) / 2
        if p99_response_ms(servers, mid, service_ms) <= budget_ms:
            lo = mid
        else:
            hi = mid
    return math.floor(lo * 1000) / 1000
