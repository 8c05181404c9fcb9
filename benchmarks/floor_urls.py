"""The site's URLs plus the floor the benchmark compares every page with: a Django view
that runs one query and returns a few bytes (the least a page that reads the database
can cost here). It lives in the benchmark, not in the application's URLs."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from pmc.models import Committee

FLOOR_PATH = "__floor__/"


def floor(request):
    first = Committee.objects.order_by("pk").values_list("pk", flat=True).first()
    return HttpResponse(f"{first}\n", content_type="text/plain")


class QueryCountMiddleware:
    """Counts the statements a request runs when it asks for it (outermost, so the
    session, the user and the context processors are counted too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get("X-Count-Queries") != "1":
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response


urlpatterns = [path(FLOOR_PATH, floor), path("", include("pmc.urls"))]
