from __future__ import annotations

import datetime

from django.test import SimpleTestCase

from pmc.models import PassRule
from proposals.voting import Ballot, Tally, count, deadline_range

MAJORITY = PassRule.MAJORITY
TWO_THIRDS_CAST = PassRule.TWO_THIRDS_CAST
TWO_THIRDS_ELIGIBLE = PassRule.TWO_THIRDS_ELIGIBLE


def ballots(
    yes: int = 0,
    no: int = 0,
    abstain: int = 0,
    recused: int = 0,
    *,
    binding: bool = True,
) -> list[Ballot]:
    return (
        [Ballot(value=1, recused=False, binding=binding)] * yes
        + [Ballot(value=-1, recused=False, binding=binding)] * no
        + [Ballot(value=0, recused=False, binding=binding)] * abstain
        + [Ballot(value=None, recused=True, binding=binding)] * recused
    )


def tally(rule: str, eligible: int, **counts: int) -> Tally:
    return count(rule, eligible, ballots(**counts))


class CountTests(SimpleTestCase):
    def test_it_counts_each_kind_of_ballot(self):
        t = tally(MAJORITY, 7, yes=2, no=1, abstain=1, recused=1)

        self.assertEqual((t.yes, t.no, t.abstain, t.recused), (2, 1, 1, 1))
        self.assertEqual(t.eligible, 7)
        self.assertEqual(t.not_voted, 2)
        self.assertEqual(t.cast, 4)
        self.assertEqual(t.denominator, 6)
        self.assertEqual(t.pass_rule, MAJORITY)

    def test_it_counts_nobody_when_nobody_voted(self):
        t = tally(MAJORITY, 4)

        self.assertEqual((t.yes, t.no, t.abstain, t.recused, t.cast), (0, 0, 0, 0, 0))
        self.assertEqual(t.not_voted, 4)
        self.assertFalse(t.quorum_met)
        self.assertFalse(t.passed)
        self.assertEqual(t.outcome, "no quorum")

    def test_it_refuses_an_unknown_pass_rule(self):
        t = tally("unanimity", 3, yes=3)

        with self.assertRaises(ValueError):
            t.passed  # noqa: B018


class MajorityTests(SimpleTestCase):
    def test_it_fails_a_tie(self):
        t = tally(MAJORITY, 3, yes=1, no=1)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)
        self.assertEqual(t.outcome, "fails")

    def test_it_passes_one_more_yes_than_no(self):
        t = tally(MAJORITY, 3, yes=2, no=1)

        self.assertTrue(t.passed)
        self.assertEqual(t.outcome, "passes")

    def test_it_fails_when_everyone_abstains(self):
        t = tally(MAJORITY, 3, abstain=3)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_passes_one_yes_against_abstentions(self):
        t = tally(MAJORITY, 4, yes=1, abstain=2)

        self.assertTrue(t.quorum_met)
        self.assertTrue(t.passed)


class QuorumTests(SimpleTestCase):
    def test_it_misses_quorum_at_exactly_half(self):
        t = tally(MAJORITY, 4, yes=2)

        self.assertFalse(t.quorum_met)
        self.assertFalse(t.passed)
        self.assertEqual(t.outcome, "no quorum")
        self.assertEqual(t.quorum_needed, 3)

    def test_it_meets_quorum_with_more_than_half(self):
        t = tally(MAJORITY, 4, yes=3)

        self.assertTrue(t.quorum_met)
        self.assertTrue(t.passed)

    def test_it_meets_quorum_with_a_bare_majority_of_an_odd_committee(self):
        self.assertFalse(tally(MAJORITY, 5, yes=2).quorum_met)
        self.assertTrue(tally(MAJORITY, 5, yes=3).quorum_met)

    def test_it_counts_abstentions_for_quorum(self):
        t = tally(MAJORITY, 4, yes=1, abstain=2)

        self.assertTrue(t.quorum_met)
        self.assertEqual(t.cast, 3)

    def test_it_does_not_count_abstentions_for_the_majority(self):
        t = tally(MAJORITY, 4, yes=1, no=1, abstain=2)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_meets_quorum_with_abstentions_only(self):
        t = tally(MAJORITY, 4, abstain=3)

        self.assertTrue(t.quorum_met)
        self.assertEqual(t.outcome, "fails")

    def test_it_shrinks_the_denominator_by_recusals(self):
        without = tally(MAJORITY, 4, yes=2)
        with_recusal = tally(MAJORITY, 4, yes=2, recused=1)

        self.assertFalse(without.quorum_met)
        self.assertEqual(with_recusal.denominator, 3)
        self.assertEqual(with_recusal.quorum_needed, 2)
        self.assertTrue(with_recusal.quorum_met)
        self.assertTrue(with_recusal.passed)

    def test_it_does_not_count_a_recusal_as_a_vote_cast(self):
        t = tally(MAJORITY, 4, yes=1, recused=2)

        self.assertEqual(t.cast, 1)
        self.assertEqual(t.denominator, 2)
        self.assertFalse(t.quorum_met)

    def test_it_has_no_quorum_when_everyone_recused(self):
        t = tally(MAJORITY, 3, recused=3)

        self.assertEqual(t.denominator, 0)
        self.assertFalse(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_has_no_quorum_without_eligible_voters(self):
        t = tally(MAJORITY, 0)

        self.assertFalse(t.quorum_met)
        self.assertEqual(t.not_voted, 0)

    def test_it_agrees_with_quorum_needed_for_every_size(self):
        for denominator in range(1, 12):
            for cast in range(denominator + 1):
                t = tally(MAJORITY, denominator, abstain=cast)
                with self.subTest(denominator=denominator, cast=cast):
                    self.assertEqual(t.quorum_met, cast >= t.quorum_needed)


class NonBindingTests(SimpleTestCase):
    def test_it_never_counts_non_binding_ballots_for_quorum(self):
        t = count(MAJORITY, 4, ballots(yes=2) + ballots(yes=3, abstain=2, recused=1, binding=False))

        self.assertEqual((t.yes, t.no, t.abstain, t.recused), (2, 0, 0, 0))
        self.assertEqual(t.cast, 2)
        self.assertEqual(t.denominator, 4)
        self.assertEqual(t.not_voted, 2)
        self.assertFalse(t.quorum_met)

    def test_it_never_counts_non_binding_ballots_for_the_result(self):
        t = count(MAJORITY, 3, ballots(yes=1, no=2) + ballots(yes=5, binding=False))

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_reports_non_binding_ballots_separately(self):
        t = count(MAJORITY, 3, ballots(yes=2, no=1, abstain=4, recused=1, binding=False))

        self.assertEqual(t.non_binding_yes, 2)
        self.assertEqual(t.non_binding_no, 1)
        self.assertEqual(t.non_binding_abstain, 4)
        self.assertEqual((t.yes, t.no, t.abstain, t.recused), (0, 0, 0, 0))
        self.assertEqual(t.not_voted, 3)


class TwoThirdsCastTests(SimpleTestCase):
    def test_it_passes_at_exactly_two_thirds(self):
        t = tally(TWO_THIRDS_CAST, 3, yes=2, no=1)

        self.assertTrue(t.passed)

    def test_it_fails_just_below_two_thirds(self):
        t = tally(TWO_THIRDS_CAST, 5, yes=3, no=2)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_ignores_abstentions(self):
        t = tally(TWO_THIRDS_CAST, 5, yes=2, no=1, abstain=2)

        self.assertTrue(t.passed)

    def test_it_fails_when_nobody_voted_plus_or_minus_one(self):
        t = tally(TWO_THIRDS_CAST, 3, abstain=3)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_passes_unanimous_yes(self):
        self.assertTrue(tally(TWO_THIRDS_CAST, 4, yes=3).passed)


class TwoThirdsEligibleTests(SimpleTestCase):
    def test_it_passes_at_exactly_two_thirds_of_the_eligible(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 9, yes=6)

        self.assertTrue(t.passed)

    def test_it_fails_one_short_of_two_thirds_of_the_eligible(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 9, yes=5, abstain=3)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)

    def test_it_fails_a_unanimous_vote_of_too_few(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 6, yes=3, abstain=1)

        self.assertTrue(t.quorum_met)
        self.assertFalse(t.passed)
        self.assertTrue(tally(TWO_THIRDS_CAST, 6, yes=3, abstain=1).passed)

    def test_it_takes_recusals_out_of_the_eligible(self):
        self.assertFalse(tally(TWO_THIRDS_ELIGIBLE, 6, yes=3, recused=1, abstain=1).passed)
        self.assertTrue(tally(TWO_THIRDS_ELIGIBLE, 6, yes=3, recused=2).passed)
        self.assertTrue(tally(TWO_THIRDS_ELIGIBLE, 6, yes=2, recused=3).passed)
        self.assertFalse(tally(TWO_THIRDS_ELIGIBLE, 6, yes=2, recused=2, abstain=1).passed)


class SettledTests(SimpleTestCase):
    def test_it_is_settled_when_everyone_voted(self):
        t = tally(MAJORITY, 4, yes=2, no=2)

        self.assertEqual(t.not_voted, 0)
        self.assertTrue(t.settled)
        self.assertFalse(t.passed)

    def test_it_is_settled_when_everyone_voted_or_recused(self):
        t = tally(MAJORITY, 4, yes=2, no=1, recused=1)

        self.assertTrue(t.settled)
        self.assertTrue(t.passed)

    def test_it_is_settled_when_a_pass_is_locked_in(self):
        t = tally(MAJORITY, 4, yes=3)

        self.assertEqual(t.not_voted, 1)
        self.assertTrue(t.settled)
        self.assertTrue(t.passed)

    def test_it_is_settled_when_a_rejection_is_locked_in(self):
        t = tally(MAJORITY, 5, no=3)

        self.assertTrue(t.settled)
        self.assertFalse(t.passed)

    def test_it_is_not_settled_while_the_remaining_votes_can_tip_it(self):
        t = tally(MAJORITY, 4, yes=2, no=1)

        self.assertTrue(t.quorum_met)
        self.assertTrue(t.passed)
        self.assertFalse(t.settled)

    def test_it_is_not_settled_without_quorum(self):
        t = tally(MAJORITY, 7, yes=3)

        self.assertFalse(t.quorum_met)
        self.assertFalse(t.settled)

    def test_it_is_not_settled_while_two_thirds_of_the_eligible_is_reachable(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 6, yes=3, abstain=1)

        self.assertFalse(t.passed)
        self.assertFalse(t.settled)

    def test_it_is_settled_under_two_thirds_of_the_eligible_once_reached(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 6, yes=4)

        self.assertTrue(t.settled)
        self.assertTrue(t.passed)

    def test_it_is_settled_under_two_thirds_of_the_eligible_once_out_of_reach(self):
        t = tally(TWO_THIRDS_ELIGIBLE, 6, no=3, abstain=1)

        self.assertTrue(t.settled)
        self.assertFalse(t.passed)

    def test_it_is_settled_under_two_thirds_cast_once_out_of_reach(self):
        t = tally(TWO_THIRDS_CAST, 4, yes=1, no=2)

        self.assertTrue(t.settled)
        self.assertFalse(t.passed)

    def test_it_is_not_settled_under_two_thirds_cast_while_reachable(self):
        t = tally(TWO_THIRDS_CAST, 5, yes=2, no=1)

        self.assertTrue(t.passed)
        self.assertFalse(t.settled)

    def test_it_ignores_non_binding_ballots(self):
        t = count(MAJORITY, 4, ballots(yes=2, no=1) + ballots(no=4, binding=False))

        self.assertFalse(t.settled)
        self.assertEqual(t.not_voted, 1)


class ResultTextTests(SimpleTestCase):
    """A closed vote's result read as a sentence, by the same rules that decide it."""

    def test_it_says_an_accepted_vote_with_every_count_and_the_quorum(self):
        t = tally(MAJORITY, 16, yes=9, no=2, abstain=2, recused=1)

        self.assertEqual(
            t.result_text,
            "Accepted: +1 9, −1 2, 0 2, 1 recused, 2 did not vote; quorum 8 of 15 reached.",
        )

    def test_it_leaves_out_counts_of_nobody(self):
        t = tally(MAJORITY, 4, yes=3, no=1)

        self.assertEqual(t.result_text, "Accepted: +1 3, −1 1, 0 0; quorum 3 of 4 reached.")

    def test_it_says_rejected_by_the_committees_pass_rule(self):
        # A majority, but not the two thirds of the votes cast that this rule needs.
        t = tally(TWO_THIRDS_CAST, 6, yes=3, no=2)

        self.assertEqual(
            t.result_text, "Rejected: +1 3, −1 2, 0 0, 1 did not vote; quorum 4 of 6 reached."
        )

    def test_it_says_when_the_quorum_was_missed(self):
        t = tally(MAJORITY, 9, yes=3, abstain=1)

        self.assertEqual(
            t.result_text, "No quorum: +1 3, −1 0, 0 1, 5 did not vote; quorum 5 of 9 not reached."
        )

    def test_it_says_when_everyone_recused(self):
        t = tally(MAJORITY, 2, recused=2)

        self.assertEqual(
            t.result_text,
            "No quorum: +1 0, −1 0, 0 0, 2 recused; no quorum possible: every voter recused.",
        )


class DeadlineRangeTests(SimpleTestCase):
    START = datetime.datetime(2017, 5, 16, 15, 0, tzinfo=datetime.UTC)

    def test_it_runs_from_the_committees_duration_to_fourteen_days(self):
        allowed = deadline_range({"duration_hours": 72}, self.START)

        self.assertEqual(allowed.earliest, self.START + datetime.timedelta(hours=72))
        self.assertEqual(allowed.latest, self.START + datetime.timedelta(days=14))
        self.assertIn(allowed.earliest, allowed)
        self.assertIn(allowed.latest, allowed)
        self.assertNotIn(allowed.earliest - datetime.timedelta(seconds=1), allowed)
        self.assertNotIn(allowed.latest + datetime.timedelta(seconds=1), allowed)

    def test_it_keeps_a_committees_longer_duration(self):
        allowed = deadline_range({"duration_hours": 20 * 24}, self.START)

        self.assertEqual(allowed.earliest, allowed.latest)
        self.assertEqual(allowed.latest, self.START + datetime.timedelta(days=20))

    def test_its_refusal_gives_the_range_allowed(self):
        allowed = deadline_range({"duration_hours": 96}, self.START)

        refusal = allowed.refusal(self.START + datetime.timedelta(hours=24))

        self.assertEqual(
            refusal,
            "The vote can close from 2017-05-20 15:00 UTC (96 hours after it starts, the "
            "committee's rule) to 2017-05-30 15:00 UTC (14 days after it starts); "
            "2017-05-17 15:00 UTC is outside that range. Choose a time in it, or leave the "
            "deadline empty to close after the committee's usual duration.",
        )
