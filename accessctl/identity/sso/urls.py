from django.urls import include, path

from accessctl.identity.sso import views

urlpatterns = [
    path(
        "sso/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="team_sso_login"),
                path("login/callback/", views.callback, name="team_sso_callback"),
            ]
        ),
    )
]
