"""The lifecycle diagram on the proposal page: every state and every move the state
machine declares, drawn as inline SVG; the path the proposal took highlighted, its
current state marked, and the same said in words."""

from __future__ import annotations

import datetime
import re
from unittest import mock

from proposals import actions, diagram
from proposals.actors import SYSTEM
from proposals.lifecycle import TRANSITIONS
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


def drawings(response) -> list[str]:
    """The page's two drawings (wide, tall), as SVG text."""
    svgs = re.findall(r"<svg class=\"lc-\w+\".*?</svg>", response.content.decode(), re.S)
    assert len(svgs) == 2, svgs
    return svgs


def arrows(svg: str) -> dict[str, bool]:
    """{"Discussion → Voting: Start the vote": taken?} for every arrow of a drawing."""
    found = re.findall(r'<path class="move( taken)?" d="[^"]+"[^>]*><title>([^<]+)</title>', svg)
    return {title.replace("&amp;", "&"): bool(taken) for taken, title in found}


class DiagramTests(LifecycleTestCase):
    def test_it_draws_every_move_the_state_machine_declares_and_no_other(self):
        declared = {
            f"{State(source).label} → {State(target).label}"
            for transition in TRANSITIONS.values()
            for source in transition.sources
            for target in transition.targets
        }
        proposal = make_proposal(self.committee, self.member)

        response = self.client.get(proposal.get_absolute_url())

        for svg in drawings(response):
            drawn = {title.split(":")[0] for title in arrows(svg)}
            self.assertEqual(drawn, declared)
            self.assertIn("Voting → Voting", drawn)  # a vote extended for want of quorum
            self.assertIn("Discussion → Accepted", drawn)  # decided in a meeting
            for state in State:
                self.assertIn(f">{state.label}</text>", svg)
        self.assertEqual(len(declared), 15)

    def test_a_move_made_after_the_page_was_read_shows_at_the_next_reading(self):
        # The figure and the history's times are kept between readings until the
        # proposal's next event: that event must show at once.
        proposal = make_proposal(self.committee, self.member, state="discussion", chair=self.chair)
        first = self.client.get(proposal.get_absolute_url())
        self.assertContains(first, '<li aria-current="step">Discussion<span')

        actions.do_start_vote(proposal=proposal, actor=self.chair)
        response = self.client.get(proposal.get_absolute_url())

        self.assertContains(response, '<li aria-current="step">Voting<span')
        for svg in drawings(response):
            taken = {title for title, was in arrows(svg).items() if was}
            self.assertIn("Discussion → Voting: Start the vote", taken)
        started = proposal.events.get(action="proposal.start_vote").recorded_at
        self.assertContains(response, f'<time datetime="{started.isoformat()}">')
        # Another proposal, read next, shows its own path, not the one kept for this one.
        other = make_proposal(self.committee, self.member, state="discussion", chair=self.chair)
        self.assertContains(
            self.client.get(other.get_absolute_url()), '<li aria-current="step">Discussion<span'
        )

    def test_it_highlights_the_path_taken_and_marks_the_current_state(self):
        proposal = make_proposal(self.committee, self.member, state="voting", chair=self.chair)
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)
        actions.do_start_vote(proposal=proposal, actor=self.chair)

        response = self.client.get(proposal.get_absolute_url())

        for svg in drawings(response):
            taken = {title for title, was in arrows(svg).items() if was}
            self.assertEqual(
                taken,
                {
                    "Draft → Discussion: Submit for discussion",
                    "Discussion → Voting: Start the vote",
                    "Voting → Discussion: Return to discussion",
                },
            )
            self.assertIn('<g class="state visited current">', svg)
            self.assertEqual(svg.count("current"), 1)
            self.assertIn('<g class="state visited">', svg)  # the states passed through
            self.assertIn('<g class="state">', svg)  # and those it never reached
        self.assertContains(
            response, '<li aria-current="step">Voting<span class="visually-hidden">'
        )
        html = response.content.decode()
        path = re.search(r'<ol class="lc-path">(.*?)</ol>', html, re.S).group(1)
        self.assertEqual(
            re.findall(r"<li[^>]*>(\w+)", path),
            ["Draft", "Discussion", "Voting", "Discussion", "Voting"],
        )
        text = re.sub(r"<[^>]+>", "", html)
        self.assertIn(
            "From here: Close the vote → accepted, rejected, still voting, deferred; "
            "Return to discussion → discussion; Withdraw → withdrawn.",
            text,
        )

    def test_it_says_when_a_vote_was_extended(self):
        proposal = make_proposal(self.committee, self.member, state="voting", chair=self.chair)
        after = proposal.closes_at + datetime.timedelta(minutes=1)
        actions.do_close_vote(proposal=proposal, actor=SYSTEM, at=after)
        proposal.refresh_from_db()
        self.assertEqual((proposal.state, proposal.vote_extensions), (State.VOTING, 1))

        response = self.client.get(proposal.get_absolute_url())

        for svg in drawings(response):
            self.assertTrue(arrows(svg)["Voting → Voting: Close the vote"])
        self.assertContains(
            response, '<li aria-current="step">Voting <span class="muted">(extended)</span>'
        )

    def test_a_final_state_says_it_ends_there(self):
        proposal = make_proposal(self.committee, self.member, state="withdrawn")

        response = self.client.get(proposal.get_absolute_url())

        self.assertContains(response, "It ends here.")
        for svg in drawings(response):
            taken = {title for title, was in arrows(svg).items() if was}
            self.assertEqual(taken, {"Draft → Withdrawn: Withdraw"})

    def test_it_is_drawn_here_without_style_attributes_or_images_from_elsewhere(self):
        proposal = make_proposal(self.committee, self.member, state="accepted", chair=self.chair)

        response = self.client.get(proposal.get_absolute_url())

        html = response.content.decode()
        figure = html[html.index('<figure class="lifecycle-diagram">') : html.index("</figure>")]
        self.assertNotIn("style", figure)
        self.assertNotIn("<img", figure)
        self.assertNotIn("http", figure)
        for svg in drawings(response):
            self.assertIn('aria-hidden="true"', svg)

    def test_a_state_without_a_place_is_still_drawn(self):
        places = {s: p for s, p in diagram.PLACES.items() if s != State.DEFERRED}
        with mock.patch.dict(diagram.PLACES, places, clear=True):
            lifecycle = diagram.build(State.DEFERRED, [("", "draft"), ("draft", "discussion")])

        for drawing in (lifecycle.wide, lifecycle.tall):
            boxes = {box.state: box for box in drawing.boxes}
            self.assertEqual(set(boxes), set(State))
            deferred = boxes[State.DEFERRED]
            self.assertTrue(
                all(
                    deferred.cy > b.cy or deferred.cx > b.cx
                    for b in boxes.values()
                    if b is not deferred
                )
            )
            self.assertIn("current", deferred.classes)
        self.assertEqual(
            [step["label"] for step in lifecycle.path], ["Draft", "Discussion", "Deferred"]
        )
