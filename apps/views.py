"""App pages: overview, Access (pencil-edit of grants, add/remove, lock, join/leave) and creation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accessctl import policy as p
from accessctl.models import User
from accessctl.web import add_error, call, done, get_app, pencil_edit, submit
from apps import services
from apps.forms import AddUserForm, CreateAppForm, GrantForm
from apps.models import DYNO_SIZES
from apps.selectors import app_access_rows
from teams.selectors import teams_for

ACCESS_TEMPLATE = "apps/app_access.html"
JOIN_REFUSED = (
    "You cannot join this app. Only team members can join, and only unlocked apps; ask a team admin or "
    "someone with the manage permission to add you."
)


@login_required
def app_detail(request, app):
    """Overview: owner, lock and maintenance state, formation, latest releases, allowed actions."""
    app = get_app(request, app)
    return render(
        request,
        "apps/app_detail.html",
        {
            "app": app,
            "formation": list(app.formation.all()),
            "releases": list(app.releases.select_related("user")[:10]),
            "sizes": DYNO_SIZES,
        },
    )


def _access_context(request, app, **extra):
    return {"app": app, "access": app_access_rows(app), "add_form": AddUserForm(), **extra}


@login_required
def app_access(request, app):
    """Everyone with access and why; admins and manage holders edit."""
    app = get_app(request, app)
    context = _access_context(request, app)
    if request.htmx and request.htmx.target == "grant-table":
        return render(request, f"{ACCESS_TEMPLATE}#grant-table", context)
    return render(request, ACCESS_TEMPLATE, context)


def _row(app, user_id):
    for row in app_access_rows(app).rows:
        if row.user.pk == user_id:
            return row
    raise Http404("This user has no access to the app.")


@login_required
def grant_row(request, app, user_id):
    """One row of the access table (the Cancel of a pencil edit)."""
    app = get_app(request, app)
    return render(request, f"{ACCESS_TEMPLATE}#grant-row", {"app": app, "row": _row(app, user_id)})


@login_required
@require_http_methods(["GET", "POST"])
def grant_edit(request, app, user_id):
    """The pencil: four checkboxes in place of the row; on save the updated row comes back."""
    app = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    row = _row(app, user_id)
    if not row.editable:
        raise Http404("Only explicit grants can be edited; team admins hold everything through their role.")
    form = GrantForm(request.POST if request.method == "POST" else None, initial={"permissions": row.perms})
    email = row.user.email
    return pencil_edit(
        request,
        form=form,
        save=lambda data: call(
            request, services.app_grant_update, app=app, email=email, permissions=data["permissions"]
        ),
        saved=f"Updated the permissions of {email}.",
        back_url=reverse("apps:access", kwargs={"app": app.name}),
        template=ACCESS_TEMPLATE,
        partials=("grant-row", "grant-form"),
        page="apps/grant_edit.html",
        context={"app": app, "row": row},
        fresh_row=lambda: {"app": app, "row": _row(app, user_id)},
    )


@login_required
@require_POST
def grant_add(request, app):
    """Give a user access with chosen permissions (view always included)."""
    app = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    form = AddUserForm(request.POST)
    return submit(
        request,
        form,
        lambda data: call(request, services.app_grant_add, app=app, **data),
        success=lambda _: f"Gave {form.cleaned_data['email']} access to {app.name}.",
        url=reverse("apps:access", kwargs={"app": app.name}),
        failure=lambda: render(
            request, ACCESS_TEMPLATE, _access_context(request, app, add_form=form), status=422
        ),
    )


@login_required
@require_POST
def grant_remove(request, app, user_id):
    """Take a user's grant away."""
    app = get_app(request, app, perm=p.MANAGE_ACCESS_APP)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("No such user.")
    _, error = call(request, services.app_grant_remove, app=app, email=user.email)
    return done(
        request,
        f"Removed {user.email} from {app.name}.",
        reverse("apps:access", args=[app.name]),
        error=error,
    )


@login_required
@require_POST
def app_lock(request, app, locked=True):
    """Lock App / Unlock App: answers the lock panel (htmx) and tells the grant table to refresh."""
    app = get_app(request, app, perm=p.LOCK_APP)
    service = services.app_lock if locked else services.app_unlock
    updated, error = call(request, service, app=app)
    if request.htmx and error is None:
        response = render(request, f"{ACCESS_TEMPLATE}#lock-panel", {"app": updated})
        return trigger_client_event(response, "access-changed")
    verb = "Locked" if locked else "Unlocked"
    return done(request, f"{verb} {app.name}.", reverse("apps:access", args=[app.name]), error=error)


@login_required
@require_POST
def app_join(request, app):
    """A member joins an unlocked team app."""
    app = get_app(request, app, perm=p.JOIN_APP, refusal=JOIN_REFUSED)
    grant, error = call(request, services.app_join, app=app)
    message = f"You joined {app.name} with {', '.join(grant.perm_list)}." if grant else ""
    return done(request, message, reverse("apps:access", args=[app.name]), error=error)


@login_required
@require_POST
def app_leave(request, app):
    """Drop my own grant on the app."""
    app = get_app(request, app, perm=p.LEAVE_APP, refusal="You hold no permissions of your own on this app.")
    _, error = call(request, services.app_leave, app=app)
    return done(request, f"You left {app.name}.", reverse("home"), error=error)


@login_required
@require_http_methods(["GET", "POST"])
def app_create(request):
    """Create a personal app, or a team app in a team where I may create apps."""
    teams = [
        row.team for row in teams_for(request.user) if request.user.has_perm(p.CREATE_APP_TEAM, row.team)
    ]
    form = CreateAppForm(
        request.POST if request.method == "POST" else None,
        teams=teams,
        initial={"team": request.GET.get("team", "")},
    )
    if request.method == "POST" and form.is_valid():
        team = next((t for t in teams if t.name == form.cleaned_data["team"]), None)
        app, error = call(request, services.app_create, name=form.cleaned_data["name"] or None, team=team)
        if error is None:
            messages.success(request, f"Created {app.name}.")
            return redirect("apps:detail", app=app.name)
        add_error(form, error)
    status = 422 if request.method == "POST" else 200
    return render(request, "apps/app_create.html", {"form": form}, status=status)
