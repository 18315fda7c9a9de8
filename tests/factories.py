import factory

from accessctl.access.policy import TeamRole
from accessctl.models import User
from apps.models import App, Formation, Grant, Release
from teams.models import Membership, Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.MEMBER

    class Params:
        admin = factory.Trait(role=TeamRole.ADMIN)
        viewer = factory.Trait(role=TeamRole.VIEWER)


class AppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = App

    name = factory.Sequence(lambda n: f"app-{n}")
    team = factory.SubFactory(TeamFactory)

    class Params:
        personal = factory.Trait(team=None, owner=factory.SubFactory(UserFactory))


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    app = factory.SubFactory(AppFactory)
    user = factory.SubFactory(UserFactory)
    permissions = "view"


class FormationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Formation

    app = factory.SubFactory(AppFactory)
    type = "web"
    quantity = 1
    command = "gunicorn app.wsgi"


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    app = factory.SubFactory(AppFactory)
    version = factory.Sequence(lambda n: n + 1)
    description = "Deploy"
