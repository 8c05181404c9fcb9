"""The lifecycle diagram of a proposal: every state, and an arrow for every move the
state machine declares (`lifecycle.TRANSITIONS`, read from the model's decorators, so
the drawing cannot drift from what the code allows), with the path this proposal took
(its events' from and to states) highlighted and its current state marked.

It is drawn twice as inline SVG, wide for screens and tall for phones, from one layout
on a grid: a state's place is (column, row), and the tall drawing swaps the two. The
drawing is only a picture (`aria-hidden`); the page says the same in words: the path as
an ordered list, the current step marked, and where the proposal can go from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from proposals.lifecycle import TRANSITIONS
from proposals.models import Event, Proposal
from proposals.states import State

# Where each state sits: (column, row). The main line runs along row 1; the side
# states sit next to the states they leave from. A state missing here still shows, in
# a row of its own below.
PLACES = {
    State.WITHDRAWN: (1, 0),
    State.DRAFT: (0, 1),
    State.DISCUSSION: (1, 1),
    State.VOTING: (2, 1),
    State.ACCEPTED: (3, 1),
    State.COMPLETED: (4, 1),
    State.DEFERRED: (1, 2),
    State.REJECTED: (3, 2),
}


@dataclass(frozen=True)
class Shape:
    """The size of one drawing, in pixels: cells of the grid and the boxes in them."""

    cell_x: int  # between the centres of two columns of the drawing
    cell_y: int  # between the centres of two rows of the drawing
    box_width: int
    box_height: int
    margin: int = 16


WIDE = Shape(cell_x=168, cell_y=84, box_width=104, box_height=36)
TALL = Shape(cell_x=118, cell_y=80, box_width=100, box_height=34)


@dataclass
class Box:
    state: State
    label: str
    x: float  # top left corner
    y: float
    width: int
    height: int
    cx: float
    cy: float
    classes: str


@dataclass
class Arrow:
    source: State
    target: State
    labels: list[str]  # the transitions it stands for
    path: str  # SVG path data
    taken: bool


@dataclass
class Drawing:
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)


@dataclass
class Lifecycle:
    """What the proposal page shows of the lifecycle."""

    current: State
    path: list[dict]  # [{"state", "label", "current", "repeats"}], in order
    next_moves: list[dict]  # [{"how", "targets"}]: the moves from the current state
    wide: Drawing
    tall: Drawing


def moves() -> dict[tuple[State, State], list[str]]:
    """{(from, to): [labels of the transitions that make that move]}, as declared."""
    found: dict[tuple[State, State], list[str]] = {}
    for transition in TRANSITIONS.values():
        for source in transition.sources:
            for target in transition.targets:
                found.setdefault((State(source), State(target)), []).append(transition.label)
    return found


def places() -> dict[State, tuple[float, float]]:
    """Every state's place, the ones PLACES forgets in an extra row."""
    known = dict(PLACES)
    extra_row = max(row for _, row in PLACES.values()) + 1
    for column, state in enumerate(s for s in State if s not in PLACES):
        known[state] = (column, extra_row)
    return known


def figure(proposal: Proposal, events: Sequence[Event]) -> SafeString:
    """The proposal page's lifecycle figure (`_lifecycle.html`), drawn from `events`, all
    of the proposal's events in order (the page reads them for its history anyway).

    Drawing and rendering it is a good part of the page's time and it changes only with
    a new event, so the HTML is cached under the proposal's state and the hash of its
    last event. That hash seals the whole log up to it (`proposals.chain`), so one key
    can never stand for two different histories: a stale figure cannot be served, and a
    cache local to each process is as safe as a shared one."""
    last = events[-1].hash if events else ""
    key = f"proposals:lifecycle-figure:{proposal.pk}:{proposal.state}:{last}"
    html = cache.get(key)
    if html is None:
        steps = [(event.from_state, event.to_state) for event in events if event.to_state]
        lifecycle = build(State(proposal.state), steps)
        html = render_to_string(
            "proposals/_lifecycle.html",
            {
                "lifecycle": lifecycle,
                "lifecycle_drawings": [(lifecycle.wide, "wide"), (lifecycle.tall, "tall")],
            },
        )
        cache.set(key, html, FIGURE_SECONDS)
    return mark_safe(html)  # noqa: S308 -- rendered by the template above, escaped there


# How long a figure stays cached: a proposal read at all is often read again soon.
FIGURE_SECONDS = 60 * 60


def build(current: State, steps: list[tuple[str, str]]) -> Lifecycle:
    """The lifecycle for a proposal now in `current` whose recorded changes of state,
    in order, were `steps` [(from, to)]; the creation records ("", draft)."""
    taken = {(State(a), State(b)) for a, b in steps if a and b}
    visited = {State(s) for step in steps for s in step if s} | {current}
    sequence = [State(steps[0][0] or steps[0][1])] if steps else [current]
    for source, target in steps:
        if source:
            sequence.append(State(target))
    if sequence[-1] != current:  # history from before states were recorded
        sequence.append(current)
    declared = moves()
    return Lifecycle(
        current=current,
        path=_path(sequence),
        next_moves=[
            {
                "how": transition.label,
                "targets": [
                    f"still {target.label.lower()}" if target == current else target.label.lower()
                    for target in transition.targets
                ],
            }
            for transition in TRANSITIONS.values()
            if current in transition.sources
        ],
        wide=_draw(WIDE, False, current, visited, taken, declared),
        tall=_draw(TALL, True, current, visited, taken, declared),
    )


def _path(sequence: list[State]) -> list[dict]:
    """The states in order, a state repeated at once (a vote extended) said once."""
    path: list[dict] = []
    for state in sequence:
        if path and path[-1]["state"] == state:
            path[-1]["repeats"] += 1
        else:
            path.append({"state": state, "label": state.label, "repeats": 0, "current": False})
    path[-1]["current"] = True
    return path


def _draw(shape: Shape, tall: bool, current, visited, taken, declared) -> Drawing:
    grid = places()

    def centre(place: tuple[float, float]) -> tuple[float, float]:
        column, row = place[::-1] if tall else place
        return (
            shape.margin + shape.box_width / 2 + column * shape.cell_x,
            shape.margin + shape.box_height / 2 + row * shape.cell_y,
        )

    boxes = {}
    for state, place in grid.items():
        cx, cy = centre(place)
        classes = ["state"]
        if state in visited:
            classes.append("visited")
        if state == current:
            classes.append("current")
        boxes[state] = Box(
            state=state,
            label=state.label,
            x=cx - shape.box_width / 2,
            y=cy - shape.box_height / 2,
            width=shape.box_width,
            height=shape.box_height,
            cx=cx,
            cy=cy,
            classes=" ".join(classes),
        )
    arrows = []
    for (source, target), labels in declared.items():
        if source == target:
            path = _loop(boxes[source], tall)
        else:
            path = _arrow(
                grid,
                centre,
                boxes[source],
                boxes[target],
                two_way=(target, source) in declared,
                mirrored=tall,
            )
        arrows.append(Arrow(source, target, labels, path, taken=(source, target) in taken))
    # Taken arrows last, so that they are drawn over the others.
    arrows.sort(key=lambda arrow: arrow.taken)
    far = [centre(place) for place in grid.values()]
    return Drawing(
        width=round(max(x for x, _ in far) + shape.box_width / 2 + shape.margin),
        height=round(max(y for _, y in far) + shape.box_height / 2 + shape.margin),
        boxes=list(boxes.values()),
        arrows=arrows,
    )


def _arrow(grid, centre, start: Box, end: Box, *, two_way: bool, mirrored: bool) -> str:
    """A straight arrow from box to box; two side by side when the move goes both ways;
    bent round when another box lies on the straight line."""
    (x1, y1), (x2, y2) = (start.cx, start.cy), (end.cx, end.cy)
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    # To the left of the direction of travel; the tall drawing, which swaps rows and
    # columns, mirrors the wide one, so there it is to the right.
    side = -1 if mirrored else 1
    nx, ny = side * dy / length, -side * dx / length
    if two_way:
        x1, y1, x2, y2 = x1 + 7 * nx, y1 + 7 * ny, x2 + 7 * nx, y2 + 7 * ny
    blocked = any(_between(centre(place), (x1, y1), (x2, y2)) for place in grid.values())
    if not blocked:
        sx, sy = _edge_of(start, x2, y2, origin=(x1, y1))
        ex, ey = _edge_of(end, x1, y1, origin=(x2, y2), gap=3)
        return f"M{sx:.1f},{sy:.1f} L{ex:.1f},{ey:.1f}"
    # Round the box in the way: through a point beside the middle of the line.
    # Past the half of the box across the line, and the loop a state may have there.
    bend = abs(nx) * start.width / 2 + abs(ny) * start.height / 2 + 56
    mx, my = (x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend
    sx, sy = _edge_of(start, mx, my)
    ex, ey = _edge_of(end, mx, my, gap=3)
    # The control point that makes the curve pass through (mx, my).
    qx, qy = 2 * mx - (sx + ex) / 2, 2 * my - (sy + ey) / 2
    return f"M{sx:.1f},{sy:.1f} Q{qx:.1f},{qy:.1f} {ex:.1f},{ey:.1f}"


def _between(point, a, b) -> bool:
    """Whether `point` lies on the segment from `a` to `b`, strictly inside it."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    if abs(cross) > 1e-6 * math.hypot(bx - ax, by - ay) ** 2:
        return False
    dot = (px - ax) * (bx - ax) + (py - ay) * (by - ay)
    return 0 < dot < (bx - ax) ** 2 + (by - ay) ** 2


def _edge_of(
    box: Box, towards_x: float, towards_y: float, *, origin=None, gap: float = 0
) -> tuple[float, float]:
    """Where the line from `origin` (the box's centre, or a point near it) towards a
    point leaves the box, `gap` pixels further (room for an arrowhead's tip)."""
    ox, oy = origin or (box.cx, box.cy)
    dx, dy = towards_x - ox, towards_y - oy
    half_width = box.width / 2 - abs(ox - box.cx)
    half_height = box.height / 2 - abs(oy - box.cy)
    scale = min(
        half_width / abs(dx) if dx else math.inf,
        half_height / abs(dy) if dy else math.inf,
    )
    length = math.hypot(dx, dy)
    return ox + dx * scale + dx / length * gap, oy + dy * scale + dy / length * gap


def _loop(box: Box, tall: bool) -> str:
    """A move from a state to itself: a loop above the box (left of it, when tall)."""
    if tall:
        x = box.x
        return (
            f"M{x:.1f},{box.cy - 7:.1f} C{x - 26:.1f},{box.cy - 18:.1f} "
            f"{x - 26:.1f},{box.cy + 18:.1f} {x - 3:.1f},{box.cy + 7:.1f}"
        )
    y = box.y
    return (
        f"M{box.cx - 9:.1f},{y:.1f} C{box.cx - 22:.1f},{y - 24:.1f} "
        f"{box.cx + 22:.1f},{y - 24:.1f} {box.cx + 9:.1f},{y - 3:.1f}"
    )
