"""The discussion in a real browser: a member previews and posts a comment, another member
replies under it, the author edits it and the versions are there to read; axe-core finds
nothing serious on the pages, and the Content Security Policy refuses nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from proposals.models import Comment
from proposals.states import Kind, State
from tests.e2e.helpers import broken_references, describe_violations, open_all_details
from tests.factories import make_proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def watch_console(page: Page) -> list[str]:
    """The page's console errors (a refused inline script or style shows there)."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def assert_accessible(page: Page, axe, what: str) -> None:
    open_all_details(page)
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {what}:\n{describe_violations(blocking)}"
    assert not broken_references(page), f"{what}: {broken_references(page)}"


def test_members_discuss_a_proposal(live_server, browser_as, axe, runtime):
    rt = runtime
    proposal = make_proposal(
        rt.committee,
        rt.member,
        state=State.DISCUSSION,
        chair=rt.chair,
        kind=Kind.ATTIC,
        project=rt.project,
        title="Move legacy-cli to the attic",
    )
    url = proposal.get_absolute_url()

    # Bruno previews his comment, then posts it.
    bruno = browser_as("member")
    bruno_errors = watch_console(bruno)
    bruno.goto(url)
    form = bruno.locator("#comment-form-new")
    form.get_by_label("Your comment (markdown)").fill(
        "Nobody has released it since **2019**. <script>alert(1)</script>"
    )
    form.get_by_role("button", name="Preview").click()
    preview = bruno.locator("#comment-form-new .comment-preview")
    expect(preview.locator("strong")).to_have_text("2019")
    expect(preview.locator("script")).to_have_count(0)
    assert Comment.objects.count() == 0
    bruno.locator("#comment-form-new").get_by_role("button", name="Post the comment").click()
    expect(bruno.locator(".messages")).to_contain_text("Your comment is posted.")
    comment = Comment.objects.get()
    thread = bruno.locator(f"#comment-{comment.pk}")
    expect(thread).to_contain_text("Bruno Silva commented")
    expect(thread.locator("strong", has_text="2019")).to_be_visible()

    # Chidi replies under it.
    chidi = browser_as("other_member")
    chidi_errors = watch_console(chidi)
    chidi.goto(url)
    reply_box = chidi.locator("li.thread").filter(has=chidi.locator(f"#comment-{comment.pk}"))
    reply_box.locator("details.reply-form summary").click()
    reply_box.get_by_label("Your reply (markdown)").fill("Agreed: the v3 CLI replaces it.")
    reply_box.get_by_role("button", name="Post the reply").click()
    expect(chidi.locator(".messages")).to_contain_text("Your reply is posted.")
    reply = Comment.objects.get(parent=comment)
    expect(chidi.locator(f"ul.replies #comment-{reply.pk}")).to_contain_text(
        "Agreed: the v3 CLI replaces it."
    )
    # Chidi may not edit Bruno's comment: he is not offered to.
    expect(chidi.locator(f"#comment-{comment.pk} .comment-actions")).to_have_count(0)

    # Bruno edits his comment; the thread says "edited" and links to both versions.
    bruno.goto(url)
    bruno.locator(f"#comment-{comment.pk}").get_by_role("link", name="Edit").click()
    text = bruno.get_by_label("The comment's text (markdown)")
    expect(text).to_have_value("Nobody has released it since **2019**. <script>alert(1)</script>")
    text.fill("Nobody has released it since **2018**, in fact.")
    bruno.get_by_role("button", name="Save the new version").click()
    expect(bruno.locator(".messages")).to_contain_text("Your comment is updated")
    edited = bruno.locator(f"#comment-{comment.pk}")
    expect(edited).to_contain_text("2018, in fact.")
    expect(edited).not_to_contain_text("2019")
    expect(bruno.locator(f"ul.replies #comment-{reply.pk}")).to_be_visible()
    assert_accessible(bruno, axe, "the proposal page with a discussion")

    edited.get_by_role("link", name="edited").click()
    expect(bruno.get_by_role("heading", level=1)).to_contain_text(
        f"Versions of comment #{comment.pk}"
    )
    expect(bruno.locator("#version-1")).to_contain_text("2019")
    expect(bruno.locator("#version-2")).to_contain_text("2018, in fact.")
    assert_accessible(bruno, axe, "the versions page")

    # An anonymous visitor reads the discussion and is asked to sign in to join it.
    visitor = browser_as()
    visitor.goto(url)
    expect(visitor.locator(f"#comment-{reply.pk}")).to_be_visible()
    visitor.get_by_role("link", name="Sign in to comment").click()
    expect(visitor).to_have_url(
        f"{live_server.url}/accounts/login/?next=/proposals/{proposal.pk}/%23comment-form-new"
    )
    assert_accessible(chidi, axe, "the proposal page for the replier")
    assert not bruno_errors + chidi_errors, bruno_errors + chidi_errors
