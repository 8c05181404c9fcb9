from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sso/", include("pmc.sso_urls")),
    path("accounts/second-factor/", include("pmc.second_factor_urls")),
    path("api/", include("proposals.api.urls")),
    path("", include("proposals.urls")),
]

# Under /api/ these answer with problem details; elsewhere with the site's pages.
handler400 = "proposals.api.problems.bad_request"
handler403 = "proposals.api.problems.permission_denied"
handler404 = "proposals.api.problems.page_not_found"
handler500 = "proposals.api.problems.server_error"
