"""The pack's charts rendered in a child process: the same PNG bytes as rendering in process, in
the order submitted, and the pack still gets every chart when the child cannot run."""

from __future__ import annotations

from pilotage_qualite.reports.chart_worker import ChartRenderer, render_png


def bars(values: list[int]) -> dict:
    return {"mark": "bar", "width": 120, "height": 60,
            "data": {"values": [{"k": str(i), "v": v} for i, v in enumerate(values)]},
            "encoding": {"x": {"field": "k", "type": "nominal"}, "y": {"field": "v", "type": "quantitative"}}}


def test_the_child_gives_the_same_pngs_in_the_order_submitted():
    specs = [bars([1, 2, 3]), bars([3, 1]), bars([5])]
    with ChartRenderer(1.0) as renderer:
        for spec in specs:
            renderer.submit(spec)
        pngs = [renderer.next_png() for _ in specs]
    assert pngs == [render_png(spec, 1.0) for spec in specs]
    assert all(png.startswith(b"\x89PNG") for png in pngs)


def test_when_the_child_cannot_run_the_charts_are_rendered_in_process():
    specs = [bars([1, 2]), bars([2, 1])]
    with ChartRenderer(1.0, command=("false",)) as renderer:  # exits at once: nothing rendered there
        for spec in specs:
            renderer.submit(spec)
        pngs = [renderer.next_png() for _ in specs]
    assert pngs == [render_png(spec, 1.0) for spec in specs]
