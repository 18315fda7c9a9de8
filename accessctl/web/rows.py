"""The rows of the long tables, built in Python: one function per row kind, the one source of its markup.

A 50-row page rendered through the template engine resolved every ``{{ }}``, ``{% if %}`` and tag of every row
(about 1,000 nodes); here a row is a few ``format_html`` calls. The page templates and the single-row partials
(``member-row``, ``grant-row``: the pencil's Cancel and Save) call these through the ``{% member_row %}``,
``{% grant_row %}`` and ``{% app_row %}`` tags. What a row needs once a page (``can_manage``, the rows' URLs,
the CSRF field) is worked out by the view or the tag and passed in; no row runs a query or a ``has_perm``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accessctl.access import policy
from accessctl.identity.signin import idp_mfa_status
from accessctl.web import rowurls
from accessctl.web.cells import (
    lock_badge,
    local_date,
    pencil,
    perm_badges,
    person_cell,
    role_badge,
    time_left,
)

EMPTY = SafeString("")
MFA_ON = SafeString('<span class="status on">MFA on</span>')
MFA_OFF = SafeString('<span class="status off">MFA off</span>')
NO_SSO = SafeString('<span class="muted">no SSO</span>')
FROM_ADMIN_ROLE = SafeString('<span class="muted">admin (all permissions, from team role)</span>')


def member_row(
    person: Any, *, can_manage: bool, admins: int | None, reason: str, urls: Mapping[str, str]
) -> SafeString:
    """A row of the team Access table: person, role (and why the last admin is held back), MFA, SSO, and the
    pencil and Remove for those who manage members (disabled for the last admin)."""
    pk = person.pk
    is_last = admins is not None and policy.is_last_admin(role=person.team_role, admins=admins)
    why = (
        format_html('<span class="reason" id="last-admin-reason-{}">{}</span>', pk, reason) if is_last else EMPTY
    )
    if person.last_sign_in_federated:
        sso = format_html(
            '<span class="status on">SSO</span> <span class="muted">{}</span>', idp_mfa_status(person.idp_amr)
        )
    else:
        sso = NO_SSO
    if not can_manage:
        actions = EMPTY
    elif is_last:
        actions = format_html(
            '\n        \n        <button type="button" class="icon-button" disabled data-pencil '
            'aria-label="Edit role of {email}" aria-describedby="last-admin-reason-{pk}">{pencil}</button>\n'
            '        <button type="button" class="button danger small" disabled '
            'aria-describedby="last-admin-reason-{pk}">Remove</button>\n        \n      ',
            email=person.email,
            pk=pk,
            pencil=pencil(),
        )
    else:
        edit = rowurls.fill(urls["member_edit"], pk)
        actions = format_html(
            '\n        \n        <a class="icon-button" data-pencil href="{edit}" hx-get="{edit}" '
            'hx-target="#member-{pk}" hx-swap="outerHTML" aria-label="Edit role of {email}" title="Edit role">'
            '{pencil}</a>\n        <a class="button danger small" href="{remove}" aria-label="Remove {email}">'
            "Remove</a>\n        \n      ",
            edit=edit,
            pk=pk,
            email=person.email,
            pencil=pencil(),
            remove=rowurls.fill(urls["member_remove"], pk),
        )
    return format_html(
        '<tr id="member-{}">\n      <td>{}</td>\n      <td>{}{}</td>\n      <td>{}</td>\n      <td>{}</td>\n'
        '      <td class="actions">{}</td>\n    </tr>',
        pk,
        person_cell(person),
        role_badge(person.team_role or policy.COLLABORATOR),
        why,
        MFA_ON if person.has_mfa else MFA_OFF,
        sso,
        actions,
    )


def grant_row(
    row: Any,
    *,
    app: Any,
    can_manage: bool,
    urls: Mapping[str, str],
    csrf: SafeString,
    extend_choices: Iterable[tuple[Any, Any]],
    me: Any,
) -> SafeString:
    """A row of the app Access table: person, role, permissions (and a live temporary grant), why, and the
    pencil and Remove for an explicit grant to those who manage access; Extend and End for a temporary one."""
    user = row.user
    pk = user.pk
    if can_manage and row.editable:
        edit = rowurls.fill(urls["grant_edit"], pk)
        actions = format_html(
            '\n        <a class="icon-button" data-pencil href="{edit}" hx-get="{edit}" hx-target="#grant-{pk}" '
            'hx-swap="outerHTML" aria-label="Edit permissions of {email}" title="Edit permissions">{pencil}</a>\n'
            '        <form method="post" action="{remove}" class="inline" data-confirm="Remove {email} from '
            '{app}?">{csrf}<button type="submit" class="button danger small" aria-label="Remove {email}">'
            "Remove</button></form>\n      ",
            edit=edit,
            pk=pk,
            email=user.email,
            pencil=pencil(),
            remove=rowurls.fill(urls["grant_remove"], pk),
            app=app.name,
            csrf=csrf,
        )
    else:
        actions = EMPTY
    note = temporary_actions = EMPTY
    if row.temporary:
        note = temporary_note(row.temporary)
        temporary_actions = _temporary_actions(
            row, app=app, can_edit=can_manage, urls=urls, csrf=csrf, extend_choices=extend_choices, me=me
        )
    return format_html(
        '<tr id="grant-{}">\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}\n        {}</td>\n'
        '      <td class="muted">{}</td>\n      <td class="actions">{}{}</td>\n    </tr>',
        pk,
        person_cell(user),
        role_badge(row.role),
        FROM_ADMIN_ROLE if row.from_admin_role else perm_badges(row.perms),
        note,
        row.reason,
        actions,
        temporary_actions,
    )


def temporary_note(grant: Any) -> SafeString:
    """A live temporary grant: what it adds, until when, who gave or approved it and why."""
    given = EMPTY
    if grant.granted_by:
        verb = "approved" if grant.request_id else "given"
        given = format_html(", {} by {}", verb, grant.granted_by.email)
    return format_html(
        '<span class="temporary" id="temporary-{}">temporary: {} until <time datetime="{}">{}</time> ({}){}{}'
        "</span>\n",
        grant.user_id,
        perm_badges(grant.perm_list[1:]),
        local_date(grant.expires_at, "c"),
        local_date(grant.expires_at, "Y-m-d H:i"),
        time_left(grant.expires_at),
        given,
        format_html(": <q>{}</q>", grant.reason) if grant.reason else EMPTY,
    )


def _temporary_actions(
    row: Any,
    *,
    app: Any,
    can_edit: bool,
    urls: Mapping[str, str],
    csrf: SafeString,
    extend_choices: Iterable[tuple[Any, Any]],
    me: Any,
) -> SafeString:
    user = row.user
    extend = end = EMPTY
    if can_edit:
        extend = format_html(
            '\n<form method="post" action="{}" class="inline">{}\n'
            '  <label class="sr-only" for="extend-{}">Extend the temporary access of {} by</label>\n'
            '  <select name="by" id="extend-{}">{}</select>\n'
            '  <button type="submit" class="button">Extend</button>\n</form>\n',
            rowurls.fill(urls["temporary_extend"], user.pk),
            csrf,
            user.pk,
            user.email,
            user.pk,
            format_html_join("", '<option value="{}">{}</option>', extend_choices),
        )
    if can_edit or user.pk == me:
        end = format_html(
            '\n<form method="post" action="{}" class="inline" data-confirm="End the temporary access of {} on '
            '{} now?">{}<button type="submit" class="button danger">End now</button></form>\n',
            rowurls.fill(urls["temporary_end"], user.pk),
            user.email,
            app.name,
            csrf,
        )
    return format_html("{}\n{}\n", extend, end)


def app_row(row: Any, *, detail_url: str) -> SafeString:
    """A row of the home page's app table: the app (and its padlock), its owner, my permissions and why."""
    app = row.app
    if app.team:
        owner = format_html("team {}", app.team.name)
    else:
        owner = app.owner.email if app.owner else ""
    return format_html(
        '<tr id="app-{name}">\n        <td><a class="strong-link" href="{url}">{name}</a> {lock}\n</td>\n'
        '        <td>{owner}</td>\n        <td>{perms}</td>\n        <td class="muted">{reason}</td>\n'
        "      </tr>",
        name=app.name,
        url=rowurls.fill_app(detail_url, app.name),
        lock=lock_badge(app),
        owner=owner,
        perms=perm_badges(row.perms),
        reason=row.reason,
    )
