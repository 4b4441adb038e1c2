"""A tile's sparkline as a small inline SVG: light (no chart library, no Altair to import on the
dashboard), with the target, the alert band, gaps as gaps and the status colour."""

from __future__ import annotations

from collections.abc import Sequence

from pilotage_qualite.model.status import A_SURVEILLER, ATTEINT, STATUS_COLOUR, SUIVI

SPARKLINE_WIDTH, SPARKLINE_HEIGHT, SPARKLINE_PAD = 180, 44, 5  # pixels; the pad keeps the last dot whole


def sparkline_svg(values: Sequence[float | None], status: str, target: float | None = None,
                  threshold: float | None = None) -> str:
    """A tile's last values as a small inline SVG (29 tiles on a page: no chart library per tile),
    in the tile's status colour: a gap (None) breaks the line, a value between two gaps is a dot,
    the latest value a larger dot; the target a dashed green line, the alert band up to the
    threshold shaded orange, as on the trend chart."""
    width, height, pad = SPARKLINE_WIDTH, SPARKLINE_HEIGHT, SPARKLINE_PAD
    colour = STATUS_COLOUR.get(status, STATUS_COLOUR[SUIVI])
    drawn = [v for v in (*values, target, threshold) if v is not None]
    low, high = (min(drawn), max(drawn)) if drawn else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1

    def at(k: int, value: float) -> tuple[float, float]:
        return (pad + k * (width - 2 * pad) / max(1, len(values) - 1),
                height - pad - (value - low) * (height - 2 * pad) / (high - low))

    parts = []
    if target is not None and threshold is not None:
        top, bottom = sorted((at(0, target)[1], at(0, threshold)[1]))
        parts.append(f'<rect x="0" y="{top:.1f}" width="{width}" height="{bottom - top:.1f}" '
                     f'fill="{STATUS_COLOUR[A_SURVEILLER]}" fill-opacity="0.18"/>')
    if target is not None:
        y = at(0, target)[1]
        parts.append(f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{STATUS_COLOUR[ATTEINT]}" '
                     'stroke-width="1.5" stroke-dasharray="4 3"/>')
    runs: list[list[tuple[float, float]]] = [[]]
    for k, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(at(k, value))
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
                         'stroke-linejoin="round"/>')
        elif run:
            parts.append(f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="2" fill="{colour}"/>')
    if values and values[-1] is not None:
        x, y = at(len(values) - 1, values[-1])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
    label = f"Évolution sur les {len(values)} dernières périodes"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}"><title>{label}</title>'
            f'{"".join(parts)}</svg>')
