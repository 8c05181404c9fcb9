"""The site's URLs plus the contract tests' views under /api/test/."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from pmc.urls import handler400, handler403, handler404, handler500  # noqa: F401
from pmc.urls import urlpatterns as site
from tests.api import contract_views as views


def django_crash(request) -> HttpResponse:
    raise RuntimeError(views.SECRET)


test_patterns = [
    path("things/", views.Things.as_view()),
    path("private/", views.Private.as_view()),
    path("refuse/", views.Refuse.as_view()),
    path("crash/", views.Crash.as_view()),
    path("throttled/", views.Throttled.as_view()),
    path("tokens/", views.MakeToken.as_view()),
    path("tokens/<int:pk>/", views.Token.as_view()),
    path("django-crash/", django_crash),
    path("careless/", views.Careless.as_view()),
    path("token-list/", views.TokenList.as_view()),
    path("token-search/", views.TokenSearch.as_view()),
]

router = SimpleRouter()
router.register("notes", views.Notes, basename="notes")
test_patterns += router.urls

urlpatterns = [path("api/test/", include(test_patterns)), *site]
