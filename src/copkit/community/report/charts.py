"""Small, dependency-free SVG charts for the community report.

Every chart is a function that takes plain numbers and returns one ``<svg>`` element as a
string: no JavaScript, so the same markup works in a browser, in an e-mail and in WeasyPrint's
PDF. Each chart carries a ``<title>`` and a ``<desc>`` (referenced by ``aria-labelledby``) and
every drawn data mark has the class ``mark`` plus a ``<title>`` tooltip with its exact value, so
that the report can put a text table beside it and tests can count the marks.

Charts
------
- :func:`onion_chart`: concentric rings, one per participation level.
- :func:`stacked_bar_chart`: one stacked bar per period (levels over time).
- :func:`alluvial_chart`: flows of members between levels from one period to the next.
- :func:`network_chart`: the help network of the top members (deterministic layout).
- :func:`response_time_chart`: median time to first response per period, with the share of
  threads left unanswered.
- :func:`heatmap_chart`: a square matrix of flows between subgroups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "LEVEL_COLOURS",
    "alluvial_chart",
    "heatmap_chart",
    "level_colour",
    "network_chart",
    "onion_chart",
    "response_time_chart",
    "stacked_bar_chart",
]

LEVEL_COLOURS: dict[str, str] = {
    "core": "#0f3d4c",
    "active": "#1f6f8b",
    "regular": "#1f6f8b",
    "occasional": "#4fa3bf",
    "casual": "#8cc7d9",
    "peripheral": "#8cc7d9",
    "transactional": "#e0a458",
    "lurker": "#c9ced6",
    "absent": "#eceff3",
}
_OTHER_COLOURS = ("#7a5195", "#bc5090", "#ef5675", "#ff764a", "#ffa600", "#58508d")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def level_colour(level: str, index: int = 0) -> str:
    """Return the fill colour of a participation level (another palette entry if unknown)."""
    return LEVEL_COLOURS.get(level, _OTHER_COLOURS[index % len(_OTHER_COLOURS)])


def _text(value: str) -> str:
    return escape(value)


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    """Wrap ``body`` in an accessible ``<svg>`` element."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{_text(title)}</title>'
        f'<desc id="{chart_id}-desc">{_text(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _mark_title(label: str) -> str:
    return f"<title>{_text(label)}</title>"


def _fmt(value: float) -> str:
    """Format a coordinate compactly (two decimals at most)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for i, (label, colour) in enumerate(items):
        yy = y + i * 16
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(yy)}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{_fmt(x + 14)}" y="{_fmt(yy + 9)}" {_FONT}>{_text(label)}</text>'
        )
    return out


def onion_chart(rings: Sequence[tuple[str, int]], *, chart_id: str, title: str, desc: str) -> str:
    """Draw concentric rings, innermost first, with area proportional to the members inside.

    Parameters
    ----------
    rings : sequence of (label, members)
        From the innermost ring (core) outwards. Rings with no members are drawn as labels only.
    chart_id, title, desc : str
        Element id and the accessible title and description.

    Returns
    -------
    str
        One ``<svg>`` element with one ``circle.mark`` per non-empty ring.
    """
    size, legend_w = 240, 190
    centre = size / 2
    total = sum(max(n, 0) for _, n in rings)
    body: list[str] = []
    cumulative = 0
    circles: list[str] = []
    for i, (label, count) in enumerate(rings):
        cumulative += max(count, 0)
        if count <= 0 or total == 0:
            continue
        radius = (centre - 6) * math.sqrt(cumulative / total)
        circles.append(
            f'<circle class="mark" cx="{_fmt(centre)}" cy="{_fmt(centre)}" r="{_fmt(radius)}" '
            f'fill="{level_colour(label, i)}" stroke="#fff" stroke-width="2">'
            f"{_mark_title(f'{label}: {count}')}</circle>"
        )
    body.extend(reversed(circles))  # outermost first so that inner rings stay visible
    if total == 0:
        body.append(
            f'<text x="{_fmt(centre)}" y="{_fmt(centre)}" text-anchor="middle" {_FONT}>'
            "no members</text>"
        )
    body.extend(
        _legend(
            [
                (f"{label}: {count}", level_colour(label, i))
                for i, (label, count) in enumerate(rings)
            ],
            size + 10,
            20,
        )
    )
    return _svg(chart_id, size + legend_w, size, title, desc, body)


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    chart_id: str,
    title: str,
    desc: str,
) -> str:
    """Draw one stacked bar per category (period); each series is one stack segment.

    Parameters
    ----------
    categories : sequence of str
        The x-axis labels, for example periods ``2024-01``.
    series : sequence of (label, values)
        One value per category; the first series sits at the bottom.

    Returns
    -------
    str
        One ``<svg>`` element with one ``rect.mark`` per positive value.
    """
    n = len(categories)
    left, top, plot_h, bottom = 48, 10, 200, 52
    bar_w = max(8.0, min(40.0, 560 / max(n, 1) - 6))
    step = bar_w + 6
    width = int(left + n * step + 160)
    height = top + plot_h + bottom
    totals = [sum(max(s[1][i], 0) for s in series) for i in range(n)]
    peak = max(totals, default=0) or 1
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{_fmt(left + n * step)}" '
        f'y2="{top + plot_h}" stroke="#5b6475"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {_FONT}>{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {_FONT}>0</text>',
    ]
    for i, category in enumerate(categories):
        x = left + i * step + 3
        y = float(top + plot_h)
        for j, (label, values) in enumerate(series):
            value = values[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            y -= h
            body.append(
                f'<rect class="mark" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" '
                f'height="{_fmt(h)}" fill="{level_colour(label, j)}">'
                f"{_mark_title(f'{category}, {label}: {value}')}</rect>"
            )
        if n <= 24 or i % max(1, n // 12) == 0:
            body.append(
                f'<text x="{_fmt(x + bar_w / 2)}" y="{top + plot_h + 14}" text-anchor="end" '
                f'transform="rotate(-45 {_fmt(x + bar_w / 2)} {top + plot_h + 14})" '
                f"{_FONT}>{_text(category)}</text>"
            )
    legend = [(label, level_colour(label, j)) for j, (label, _) in enumerate(series)]
    body.extend(_legend(list(reversed(legend)), left + n * step + 16, top))
    return _svg(chart_id, width, height, title, desc, body)


def _order_levels(levels: set[str], order: Sequence[str]) -> list[str]:
    known = [level for level in order if level in levels]
    return known + sorted(levels - set(known))


def alluvial_chart(
    periods: Sequence[str],
    transitions: Sequence[Sequence[tuple[str, str, int]]],
    *,
    order: Sequence[str],
    chart_id: str,
    title: str,
    desc: str,
) -> str:
    """Draw an alluvial diagram: members flowing between levels from period to period.

    Parameters
    ----------
    periods : sequence of str
        The columns, in time order.
    transitions : sequence of flows
        ``transitions[i]`` lists ``(from_level, to_level, members)`` from ``periods[i]`` to
        ``periods[i + 1]``; so there is one fewer transition than periods.
    order : sequence of str
        Level order from top to bottom (core first); other levels follow alphabetically.

    Returns
    -------
    str
        One ``<svg>`` element with one ``rect.mark`` per non-empty level in a column and one
        ``path.mark`` per flow with members.
    """
    if len(transitions) != max(len(periods) - 1, 0):
        raise ValueError("alluvial_chart needs one list of flows between each pair of periods")
    columns = len(periods)
    levels = {lvl for flows in transitions for f, t, n in flows if n > 0 for lvl in (f, t)}
    ordered = _order_levels(levels, order)
    # Size of a level in a column: the larger of what flows into it and what flows out of it.
    sizes: list[dict[str, int]] = [dict.fromkeys(ordered, 0) for _ in range(columns)]
    outflow: list[dict[str, int]] = [dict.fromkeys(ordered, 0) for _ in range(columns)]
    inflow: list[dict[str, int]] = [dict.fromkeys(ordered, 0) for _ in range(columns)]
    for i, flows in enumerate(transitions):
        for f, t, n in flows:
            if n > 0:
                outflow[i][f] += n
                inflow[i + 1][t] += n
    for c in range(columns):
        for lvl in ordered:
            sizes[c][lvl] = max(outflow[c][lvl], inflow[c][lvl])
    left, top, plot_h, node_w, gap = 20, 24, 260, 12, 6
    col_step = max(60.0, min(140.0, 720 / max(columns - 1, 1)))
    width = int(left * 2 + (columns - 1) * col_step + node_w + 120)
    height = top + plot_h + 20
    peak = max((sum(s.values()) for s in sizes), default=0) or 1
    scale = (plot_h - gap * len(ordered)) / peak
    y0: list[dict[str, float]] = []
    body: list[str] = []
    for c in range(columns):
        x = left + c * col_step
        y = float(top)
        starts: dict[str, float] = {}
        for k, lvl in enumerate(ordered):
            starts[lvl] = y
            size = sizes[c][lvl]
            if size > 0:
                h = size * scale
                body.append(
                    f'<rect class="mark node" x="{_fmt(x)}" y="{_fmt(y)}" width="{node_w}" '
                    f'height="{_fmt(h)}" fill="{level_colour(lvl, k)}">'
                    f"{_mark_title(f'{periods[c]}, {lvl}: {size}')}</rect>"
                )
                y += h + gap
        y0.append(starts)
        body.append(
            f'<text x="{_fmt(x + node_w / 2)}" y="{top - 8}" text-anchor="middle" {_FONT}>'
            f"{_text(periods[c])}</text>"
        )
    for i, flows in enumerate(transitions):
        out_off = dict(y0[i])
        in_off = dict(y0[i + 1])
        x1 = left + i * col_step + node_w
        x2 = left + (i + 1) * col_step
        mid = (x1 + x2) / 2
        ranked = sorted(
            (flow for flow in flows if flow[2] > 0),
            key=lambda fl: (ordered.index(fl[0]), ordered.index(fl[1])),
        )
        for f, t, n in ranked:
            h = n * scale
            a, b = out_off[f], in_off[t]
            out_off[f] += h
            in_off[t] += h
            d = (
                f"M{_fmt(x1)},{_fmt(a)} C{_fmt(mid)},{_fmt(a)} {_fmt(mid)},{_fmt(b)} "
                f"{_fmt(x2)},{_fmt(b)} L{_fmt(x2)},{_fmt(b + h)} C{_fmt(mid)},{_fmt(b + h)} "
                f"{_fmt(mid)},{_fmt(a + h)} {_fmt(x1)},{_fmt(a + h)} Z"
            )
            body.append(
                f'<path class="mark flow" d="{d}" fill="{level_colour(f, ordered.index(f))}" '
                f'fill-opacity="0.45">'
                f"{_mark_title(f'{periods[i]} {f} → {periods[i + 1]} {t}: {n}')}</path>"
            )
    legend = [(lvl, level_colour(lvl, k)) for k, lvl in enumerate(ordered)]
    body.extend(_legend(legend, left + (columns - 1) * col_step + node_w + 16, top))
    return _svg(chart_id, width, height, title, desc, body)


def _layout(count: int, edges: Sequence[tuple[int, int, int]]) -> list[tuple[float, float]]:
    """Return deterministic unit-square positions: Kamada-Kawai seeded with a circle."""
    if count == 0:
        return []
    if count == 1:
        return [(0.5, 0.5)]
    import igraph

    graph = igraph.Graph(n=count, edges=[(a, b) for a, b, _ in edges], directed=False)
    seed = [
        [math.cos(2 * math.pi * k / count), math.sin(2 * math.pi * k / count)] for k in range(count)
    ]
    coords = graph.layout_kamada_kawai(seed=seed, maxiter=50 * count).coords
    xs = [p[0] for p in coords]
    ys = [p[1] for p in coords]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return [((x - min(xs)) / span_x, (y - min(ys)) / span_y) for x, y in zip(xs, ys, strict=True)]


def network_chart(
    nodes: Sequence[tuple[str, str, int, str]],
    edges: Sequence[tuple[str, str, int]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: int = 12,
) -> str:
    """Draw a directed help network with a deterministic layout.

    Parameters
    ----------
    nodes : sequence of (node_id, label, size, level)
        ``size`` scales the dot (answers given); ``level`` picks its colour.
    edges : sequence of (from_id, to_id, weight)
        Directed ties (answerer to asker); line width grows with the weight. Edges naming an
        unknown node are ignored.
    labels : int
        Only the ``labels`` largest nodes get a visible name (every node has a tooltip).

    Returns
    -------
    str
        One ``<svg>`` element with one ``circle.mark`` per node and one ``line.mark`` per edge.
    """
    size, pad = 420, 40
    index = {node_id: k for k, (node_id, _, _, _) in enumerate(nodes)}
    kept = [(index[a], index[b], w) for a, b, w in edges if a in index and b in index and a != b]
    positions = _layout(len(nodes), kept)
    points = [(pad + x * (size - 2 * pad), pad + y * (size - 2 * pad)) for x, y in positions]
    peak_w = max((w for _, _, w in kept), default=1) or 1
    peak_s = max((s for _, _, s, _ in nodes), default=1) or 1
    body = [
        '<defs><marker id="' + chart_id + '-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#5b6475"/></marker></defs>'
    ]
    radii = [4 + 10 * math.sqrt(max(s, 0) / peak_s) for _, _, s, _ in nodes]
    for a, b, w in kept:
        (x1, y1), (x2, y2) = points[a], points[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        sx, sy = x1 + ux * radii[a], y1 + uy * radii[a]
        ex, ey = x2 - ux * (radii[b] + 2), y2 - uy * (radii[b] + 2)
        body.append(
            f'<line class="mark edge" x1="{_fmt(sx)}" y1="{_fmt(sy)}" x2="{_fmt(ex)}" '
            f'y2="{_fmt(ey)}" stroke="#5b6475" stroke-opacity="0.6" '
            f'stroke-width="{_fmt(0.8 + 3.2 * w / peak_w)}" marker-end="url(#{chart_id}-arrow)">'
            f"{_mark_title(f'{nodes[a][1]} helped {nodes[b][1]}: {w}')}</line>"
        )
    labelled = set(sorted(range(len(nodes)), key=lambda k: (-nodes[k][2], k))[:labels])
    for k, (_, label, node_size, level) in enumerate(nodes):
        x, y = points[k]
        body.append(
            f'<circle class="mark node" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radii[k])}" '
            f'fill="{level_colour(level, k)}" stroke="#fff">'
            f"{_mark_title(f'{label} ({level}): {node_size} answers')}</circle>"
        )
        if k in labelled:
            body.append(
                f'<text x="{_fmt(x)}" y="{_fmt(y - radii[k] - 3)}" text-anchor="middle" '
                f'font-family="system-ui, sans-serif" font-size="9">{_text(label)}</text>'
            )
    levels = _order_levels({level for _, _, _, level in nodes}, tuple(LEVEL_COLOURS))
    body.extend(_legend([(lvl, level_colour(lvl)) for lvl in levels], size + 10, 20))
    return _svg(chart_id, size + 120, size, title, desc, body)


def response_time_chart(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    chart_id: str,
    title: str,
    desc: str,
) -> str:
    """Draw median hours to first response per period (bars) and the unanswered share (dots).

    Parameters
    ----------
    rows : sequence of (period, median_hours, unanswered_share)
        ``median_hours`` is None where it is undefined (no thread was answered): the period
        gets no bar and an "n/a" label instead of a misleading zero. ``unanswered_share`` is
        a fraction between 0 and 1, or None where undefined (no threads): no dot then.

    Returns
    -------
    str
        One ``<svg>`` element with one ``rect.mark`` per defined median and one
        ``circle.mark`` per period with a defined unanswered share.
    """
    n = len(rows)
    left, top, plot_h, bottom, right = 48, 16, 180, 52, 44
    step = max(14.0, min(48.0, 560 / max(n, 1)))
    bar_w = step * 0.6
    width = int(left + n * step + right + 130)
    height = top + plot_h + bottom
    peak = max((m for _, m, _ in rows if m is not None), default=0.0) or 1.0
    base = top + plot_h
    x_end = left + n * step
    body = [
        f'<line x1="{left}" y1="{base}" x2="{_fmt(x_end)}" y2="{base}" stroke="#5b6475"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {_FONT}>{_fmt(peak)} h</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end" {_FONT}>0 h</text>',
        f'<text x="{_fmt(x_end + 4)}" y="{top + 8}" {_FONT}>100 %</text>',
        f'<text x="{_fmt(x_end + 4)}" y="{base}" {_FONT}>0 %</text>',
    ]
    dots: list[tuple[float, float, str, float]] = []
    for i, (period, median, share) in enumerate(rows):
        x = left + i * step + (step - bar_w) / 2
        cx = x + bar_w / 2
        if median is None:
            body.append(
                f'<text x="{_fmt(cx)}" y="{base - 4}" text-anchor="middle" {_FONT}>n/a</text>'
            )
        else:
            h = plot_h * median / peak
            body.append(
                f'<rect class="mark median" x="{_fmt(x)}" y="{_fmt(base - h)}" '
                f'width="{_fmt(bar_w)}" height="{_fmt(h)}" fill="#4fa3bf">'
                f"{_mark_title(f'{period}: median {_fmt(median)} h')}</rect>"
            )
        if share is not None:
            dots.append((cx, base - plot_h * min(max(share, 0.0), 1.0), period, share))
        if n <= 24 or i % max(1, n // 12) == 0:
            body.append(
                f'<text x="{_fmt(cx)}" y="{base + 14}" text-anchor="end" '
                f'transform="rotate(-45 {_fmt(cx)} {base + 14})" {_FONT}>{_text(period)}</text>'
            )
    if len(dots) > 1:
        line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y, _, _ in dots)
        body.append(f'<polyline points="{line}" fill="none" stroke="#b3261e" stroke-width="1.5"/>')
    for x, y, period, share in dots:
        body.append(
            f'<circle class="mark unanswered" cx="{_fmt(x)}" cy="{_fmt(y)}" r="3.5" '
            f'fill="#b3261e">{_mark_title(f"{period}: {share:.0%} unanswered")}</circle>'
        )
    body.extend(
        _legend(
            [("median hours to first response", "#4fa3bf"), ("share unanswered", "#b3261e")],
            x_end + 44,
            top,
        )
    )
    return _svg(chart_id, width, height, title, desc, body)


def heatmap_chart(
    labels: Sequence[str],
    cells: Mapping[tuple[str, str], int],
    *,
    chart_id: str,
    title: str,
    desc: str,
) -> str:
    """Draw a square flow matrix: rows are senders, columns receivers, darker is more.

    Parameters
    ----------
    labels : sequence of str
        Row and column labels, in order.
    cells : mapping of (row_label, column_label) to weight
        Missing pairs count as zero.

    Returns
    -------
    str
        One ``<svg>`` element with one ``rect.mark`` per cell (``len(labels) ** 2``).
    """
    n = len(labels)
    cell = max(18.0, min(44.0, 440 / max(n, 1)))
    left, top = 90, 70
    width = int(left + n * cell + 20)
    height = int(top + n * cell + 20)
    peak = max(cells.values(), default=0) or 1
    body = [
        f'<text x="{left}" y="12" {_FONT}>to (column) →</text>',
        f'<text x="4" y="{top - 6}" {_FONT}>from (row) ↓</text>',
    ]
    for c, label in enumerate(labels):
        x = left + c * cell + cell / 2
        body.append(
            f'<text x="{_fmt(x)}" y="{top - 6}" text-anchor="start" '
            f'transform="rotate(-45 {_fmt(x)} {top - 6})" {_FONT}>{_text(label)}</text>'
        )
    for r, row in enumerate(labels):
        y = top + r * cell
        body.append(
            f'<text x="{left - 6}" y="{_fmt(y + cell / 2 + 4)}" text-anchor="end" {_FONT}>'
            f"{_text(row)}</text>"
        )
        for c, col in enumerate(labels):
            value = cells.get((row, col), 0)
            strength = value / peak
            fill = _blend("#f4f7fa", "#0f3d4c", strength)
            body.append(
                f'<rect class="mark" x="{_fmt(left + c * cell)}" y="{_fmt(y)}" '
                f'width="{_fmt(cell - 1)}" height="{_fmt(cell - 1)}" fill="{fill}">'
                f"{_mark_title(f'{row} → {col}: {value}')}</rect>"
            )
            if cell >= 26 and value:
                colour = "#fff" if strength > 0.5 else "#1d2330"
                body.append(
                    f'<text x="{_fmt(left + c * cell + cell / 2)}" y="{_fmt(y + cell / 2 + 4)}" '
                    f'text-anchor="middle" fill="{colour}" {_FONT}>{value}</text>'
                )
    return _svg(chart_id, width, height, title, desc, body)


def _blend(low: str, high: str, t: float) -> str:
    """Interpolate two ``#rrggbb`` colours."""
    t = min(max(t, 0.0), 1.0)
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))
