"""Bessel functions J_n and Y_n of integer order (Go's math.J0/J1/Jn/Y0/Y1/Yn), which `math` lacks.

For x ≤ 25 every J_k comes from Miller's backward recurrence normalised by J0 + 2(J2 + J4 + ...) = 1,
and Y0/Y1 from their Neumann series over those J_k; for x > 25, J0/J1/Y0/Y1 come from Hankel's
asymptotic expansion. Higher orders use forward recurrence where it is stable (Y always, J while
n < x) and Miller's recurrence otherwise. Results agree with Go to about 1e-13 (relative or absolute,
whichever is larger); they are not bit-identical. Orders above 100000 are refused.
"""

from __future__ import annotations

import math

MAX_ORDER = 100_000
_EULER_GAMMA = 0.5772156649015329
_ASYMPTOTIC_FROM = 25.0
_RESCALE_ABOVE = 1e250


def _miller(x: float, top: int) -> list[float]:
    """J_0(x) .. J_top(x) for 0 < x, normalised."""
    reach = max(top, int(x))
    start = reach + 40 + int(math.sqrt(160.0 * max(reach, 1)))
    start += start % 2
    values = [0.0] * (start + 2)
    values[start] = 1e-300
    for k in range(start, 0, -1):
        values[k - 1] = (2.0 * k / x) * values[k] - values[k + 1]
        if abs(values[k - 1]) > _RESCALE_ABOVE:
            for i in range(k - 1, start + 1):
                values[i] /= _RESCALE_ABOVE
    norm = values[0] + 2.0 * math.fsum(values[2 : start + 1 : 2])
    return [v / norm for v in values[: top + 1]]


def _hankel(order: int, x: float) -> tuple[float, float]:
    """(J_order(x), Y_order(x)) for order 0 or 1 and large x, by Hankel's asymptotic expansion."""
    mu = 4.0 * order * order
    p, q = 1.0, 0.0
    term = 1.0
    previous = math.inf
    for k in range(1, 200):
        term *= (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        if abs(term) >= previous or abs(term) < 1e-17:
            break
        previous = abs(term)
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2:
            q += sign * term
        else:
            p += sign * term
    cos_x, sin_x = math.cos(x), math.sin(x)
    if order == 0:
        cos_chi, sin_chi = (cos_x + sin_x) / math.sqrt(2.0), (sin_x - cos_x) / math.sqrt(2.0)
    else:
        cos_chi, sin_chi = (sin_x - cos_x) / math.sqrt(2.0), -(sin_x + cos_x) / math.sqrt(2.0)
    scale = math.sqrt(2.0 / (math.pi * x))
    return scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)


def _low_orders(x: float) -> tuple[float, float, float, float]:
    """(J0, J1, Y0, Y1) at x > 0."""
    if x > _ASYMPTOTIC_FROM:
        j0, y0 = _hankel(0, x)
        j1, y1 = _hankel(1, x)
        return j0, j1, y0, y1
    j = _miller(x, int(x) + 40)
    log_term = math.log(x / 2.0) + _EULER_GAMMA
    y0_sum = math.fsum((-1.0) ** k * j[2 * k] / k for k in range(1, (len(j) - 1) // 2 + 1))
    y0 = (2.0 / math.pi) * log_term * j[0] - (4.0 / math.pi) * y0_sum
    y1_sum = math.fsum(
        (-1.0) ** k * (j[2 * k - 1] - (j[2 * k + 1] if 2 * k + 1 < len(j) else 0.0)) / k
        for k in range(1, (len(j) - 1) // 2 + 1)
    )
    y1 = -(2.0 / math.pi) * j[0] / x + (2.0 / math.pi) * log_term * j[1] + (2.0 / math.pi) * y1_sum
    return j[0], j[1], y0, y1


def _check_order(n: int) -> None:
    if abs(n) > MAX_ORDER:
        raise ValueError(f"order {n} is too large")


def jn(n: int, x: float) -> float:
    """Bessel function of the first kind of order n."""
    _check_order(n)
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return 0.0
    sign = 1.0
    if n < 0:
        n = -n
        sign = -1.0 if n % 2 else 1.0
    if x < 0:
        x = -x
        sign *= -1.0 if n % 2 else 1.0
    if x == 0:
        return sign * (1.0 if n == 0 else 0.0)
    if n <= 1 or n < x:
        j0, j1, _, _ = _low_orders(x)
        previous, current = j0, j1
        for k in range(1, n):
            previous, current = current, (2.0 * k / x) * current - previous
        return sign * (previous if n == 0 else current)
    return sign * _miller(x, n)[n]


def yn(n: int, x: float) -> float:
    """Bessel function of the second kind of order n."""
    _check_order(n)
    sign = 1.0
    if n < 0:
        n = -n
        sign = -1.0 if n % 2 else 1.0
    if math.isnan(x) or x < 0:
        return math.nan
    if math.isinf(x):
        return 0.0
    if x == 0:
        return -sign * math.inf
    _, _, y0, y1 = _low_orders(x)
    previous, current = y0, y1
    for k in range(1, n):
        if math.isinf(current):
            break
        previous, current = current, (2.0 * k / x) * current - previous
    return sign * (previous if n == 0 else current)


def j0(x: float) -> float:
    """J_0(x)."""
    return jn(0, x)


def j1(x: float) -> float:
    """J_1(x)."""
    return jn(1, x)


def y0(x: float) -> float:
    """Y_0(x)."""
    return yn(0, x)


def y1(x: float) -> float:
    """Y_1(x)."""
    return yn(1, x)
