"""The site's URLs and three API endpoints for the tests of tokens, limits and the second
factor, whatever endpoints the API serves: one anybody may read, one that writes nothing
but says who wrote, and one that starts a proposal's vote through its action; and a
plain Django view under /api/ that is not the API's."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pmc.urls import urlpatterns as site_urlpatterns
from proposals import actions


class Open(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


class Echo(APIView):
    def post(self, request):
        return Response({"user": request.user.get_username()})

    patch = post


class StartVote(APIView):
    def post(self, request, pk: int):
        proposal = actions.do_start_vote(proposal=pk, actor=request.user)
        return Response({"state": proposal.state})


def plain(request):
    return HttpResponse("done")


urlpatterns = [
    path("api/test/plain/", plain),
    path("api/test/open/", Open.as_view()),
    path("api/test/echo/", Echo.as_view()),
    path("api/test/start-vote/<int:pk>/", StartVote.as_view()),
    *site_urlpatterns,
]
