"""Search everywhere: one box, the results grouped by kind, each group ranked."""

from __future__ import annotations

from django.shortcuts import render

from proposals import search
from proposals.page_cache import kept_page
from proposals.search_forms import SearchForm
from proposals.views.access import readable


@readable
@kept_page
def search_page(request):
    form = SearchForm(request.GET or None)
    q = only = ""
    groups = []
    if form.is_valid():
        q, only = form.cleaned_data["q"], form.cleaned_data["type"]
        if q:
            groups = search.run(q, only=only, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/search.html",
        {
            "form": form,
            "q": q,
            "only": only,
            "groups": groups,
            "total": sum(group.count for group in groups),
            "total_more": any(group.count_more for group in groups),
            "query": query.urlencode(),
        },
    )
