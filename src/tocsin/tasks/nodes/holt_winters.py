"""`holtWinters(field, h, m, interval)` and `holtWintersWithFit(...)`: InfluxQL's Holt-Winters forecast.

The rows are bucketed by `interval` (times rounded to it; a missing bucket is a gap the fit skips), the damped
Holt-Winters model (seasonal when `m` >= 2) is fitted by Nelder-Mead (tocsin.tasks.nodes.neldermead) from a
grid of 16 starting guesses, and `h` values are forecast `interval` apart after the last row;
`holtWintersWithFit` also emits the fitted values from the first row on. These are InfluxQL's rules
(FloatHoltWintersReducer), so a batch gives what InfluxDB's `holt_winters()` gives over the same points.
"""

from __future__ import annotations

import math

from tocsin.tasks.nodes.neldermead import minimise
from tocsin.tasks.nodes.reducing import Result, Sample

WEIGHT = 0.5  # the weight of InfluxQL's non-seasonal starting guesses
EPSILON = 1.0e-4
GUESSES = (0.3, 0.7)  # InfluxQL's grid: from 0.3 below 1.0 in steps of 0.4, for alpha, beta, gamma and phi


class HoltWintersReducer:
    """Collects the rows of a batch; `emit` fits and forecasts."""

    def __init__(self, h: int, m: int, include_fit: bool, interval: int) -> None:
        self.h = h
        self.m = m
        self.seasonal = m >= 2
        self.include_fit = include_fit
        self.interval = interval
        self.points: list[tuple[int, float]] = []
        self._y: list[float] = []

    def aggregate(self, sample: Sample) -> None:
        value = sample.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        self.points.append((sample.time, float(value)))

    def _round(self, t: int) -> int:
        interval = self.interval
        return (t // interval + 1) * interval if t % interval > interval // 2 else (t // interval) * interval

    def emit(self) -> list[Result]:
        points, m = self.points, self.m
        if len(points) < 2 or (self.seasonal and len(points) < m) or self.h <= 0:
            return []
        start, stop = self._round(points[0][0]), self._round(points[-1][0])
        if (stop - start) // self.interval <= 0:
            return []
        y = self._series()
        nan = math.isnan
        if self.seasonal:
            # InfluxQL's operations in its order (1/m times each value, added up), for the same floats
            level = 0.0
            for i in range(m):
                if not nan(y[i]):
                    level += (1 / m) * y[i]
            trend = 0.0
            for i in range(min(m, len(y) - m)):
                if not nan(y[i]) and not nan(y[m + i]):
                    trend += 1 / (m * m) * (y[m + i] - y[i])
            seasons = [0.0 if nan(y[i]) else y[i] / level for i in range(m)]
        else:
            level = WEIGHT * y[0]
            trend = WEIGHT * (y[1] - y[0]) if not nan(y[1]) else 0.0
            seasons = []
        start_params = [0.0, 0.0, 0.0, 0.0, level, trend, *seasons]
        best_sse, best = math.inf, None
        for alpha in GUESSES:
            for beta in GUESSES:
                for gamma in GUESSES:
                    for phi in GUESSES:
                        start_params[:4] = [alpha, beta, gamma, phi]
                        sse, params = minimise(self._sse, start_params, EPSILON, 1.0)
                        if sse < best_sse or best is None:
                            best_sse, best = sse, params
        assert best is not None
        forecast = self._forecast(self.h, best)
        if self.include_fit:
            first = points[0][0]
            return [Result(first + self.interval * i, v) for i, v in enumerate(forecast) if not nan(v)]
        last = points[-1][0]
        return [Result(last + self.interval * (i + 1), v) for i, v in enumerate(forecast[len(y) :]) if not nan(v)]

    def _series(self) -> list[float]:
        """The values by bucket from the first row's on; NaN for an empty bucket, later rows of a bucket dropped."""
        points = self.points
        y = [points[0][1]]
        t = self._round(points[0][0])
        for time, value in points[1:]:
            rounded = self._round(time)
            if rounded <= t:
                continue
            t += self.interval
            while rounded != t:
                y.append(math.nan)
                t += self.interval
            y.append(value)
        self._y = y
        return y

    def _forecast(self, h: int, params: list[float]) -> list[float]:
        """The fitted values and `h` forecasts. `params` is clamped and its seasonal ring updated in place, as
        InfluxQL's forecast does to the optimiser's vertices."""
        for i in range(4):
            params[i] = min(1.0, max(0.0, params[i]))
        alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
        y = self._y
        y_t, level, trend, phi_h = y[0], params[4], params[5], phi
        m = len(params) - 6 if self.seasonal else 0
        offset = m - 1
        if m == 1:
            params[6] = 1.0
        out = [0.0] * (len(y) + h)
        out[0] = y_t
        s_tm = s_tmh = 1.0
        for t in range(1, len(y) + h):
            if m:
                s_tm = params[6 + (t - m + offset) % m]
                s_tmh = params[6 + (t - m + t % m + offset) % m]
            previous_level, previous_trend = level, trend
            level = alpha * (y_t / s_tm) + (1 - alpha) * (previous_level + phi * previous_trend)
            trend = beta * (level - previous_level) + (1 - beta) * phi * previous_trend
            season = gamma * (y_t / (previous_level + phi * previous_trend)) + (1 - gamma) * s_tm
            y_t = (level + phi_h * trend) * s_tmh
            phi_h += phi**t
            if m:
                params[6 + (t + offset) % m] = season
                offset += 1
            out[t] = y_t
        return out

    def _sse(self, params: list[float]) -> float:
        total = 0.0
        for fitted, actual in zip(self._forecast(0, params), self._y, strict=True):
            if math.isnan(actual):
                continue
            if math.isnan(fitted):
                return math.inf
            diff = fitted - actual
            total += diff * diff
        return total
