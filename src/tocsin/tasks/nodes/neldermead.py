"""The Nelder-Mead simplex minimiser InfluxQL's holt_winters fits its parameters with (the classic method with
reflection 1, contraction 0.5 and expansion 2, started from a regular simplex of side `scale`, stopped when the
values at the vertices spread less than `epsilon` or after MAX_ITERATIONS).

The objective may change the vector it is given (Holt-Winters clamps its smoothing parameters and writes its
seasonal ring into it): the vertices are passed as they are, as InfluxQL does, since its results depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

MAX_ITERATIONS = 1000
REFLECTION = 1.0
CONTRACTION = 0.5
EXPANSION = 2.0

Objective = Callable[[list[float]], float]


def minimise(objective: Objective, start: list[float], epsilon: float, scale: float) -> tuple[float, list[float]]:
    """The lowest value found and the vector that gives it."""
    n = len(start)
    pn = scale * (math.sqrt(n + 1) - 1 + n) / (n * math.sqrt(2))
    qn = scale * (math.sqrt(n + 1) - 1) / (n * math.sqrt(2))
    simplex = [list(start)] + [[start[j] + (pn if i == j else qn) for j in range(n)] for i in range(n)]
    values = [objective(vertex) for vertex in simplex]
    for _ in range(MAX_ITERATIONS):
        worst = max(range(n + 1), key=lambda i: (values[i], -i))  # the first of equal worst, as a `>` scan finds
        best = min(range(n + 1), key=lambda i: (values[i], i))
        second = best
        for i in range(n + 1):
            if values[second] < values[i] < values[worst]:
                second = i
        centre = [sum(simplex[m][i] for m in range(n + 1) if m != worst) / n for i in range(n)]
        reflected = [centre[i] + REFLECTION * (centre[i] - simplex[worst][i]) for i in range(n)]
        f_reflected = objective(reflected)
        if values[best] <= f_reflected < values[second]:
            simplex[worst], values[worst] = list(reflected), f_reflected
        if f_reflected < values[best]:
            expanded = [centre[i] + EXPANSION * (reflected[i] - centre[i]) for i in range(n)]
            f_expanded = objective(expanded)
            if f_expanded < f_reflected:
                simplex[worst], values[worst] = list(expanded), f_expanded
            else:
                simplex[worst], values[worst] = list(reflected), f_reflected
        if f_reflected >= values[second]:
            if values[second] <= f_reflected < values[worst]:
                contracted = [centre[i] + CONTRACTION * (reflected[i] - centre[i]) for i in range(n)]
            else:
                contracted = [centre[i] - CONTRACTION * (centre[i] - simplex[worst][i]) for i in range(n)]
            f_contracted = objective(contracted)
            if f_contracted < values[worst]:
                simplex[worst], values[worst] = list(contracted), f_contracted
            else:
                # shrink towards the best vertex; only the two vertices the next step compares are evaluated again
                for row in range(n + 1):
                    if row != best:
                        simplex[row] = [simplex[best][i] + (simplex[row][i] - simplex[best][i]) / 2 for i in range(n)]
                values[worst] = objective(simplex[worst])
                values[second] = objective(simplex[second])
        mean = sum(values) / (n + 1)
        if math.sqrt(sum((v - mean) ** 2 / n for v in values)) < epsilon:
            break
    best = min(range(n + 1), key=lambda i: (values[i], i))
    found = list(simplex[best])
    return objective(simplex[best]), found
