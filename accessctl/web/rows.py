"""The rows of the long tables, built in Python: one function per row kind, the one source of its markup.

A 50-row page rendered through the template engine resolved every ``{{ }}``, ``{% if %}`` and tag of every row
(about 1,000 nodes); here a row is one f-string whose values go through ``cells.esc``. The page templates and the single-row partials
(``member-row``, ``grant-row``: the pencil's Cancel and Save) call these through the ``{% member_row %}``,
``{% grant_row %}`` and ``{% app_row %}`` tags. What a row needs once a page (``can_manage``, the rows' URLs,
the CSRF field) is worked out by the view or the tag and passed in; no row runs a query or a ``has_perm``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.safestring import SafeString

from accessctl.access import policy
from accessctl.identity.signin import idp_mfa_status
from accessctl.web import rowurls
from accessctl.web.cells import (
    esc,
    local_date,
    lock_badge,
    pencil,
    perm_badges,
    person_cell,
    role_badge,
    time_left,
)

MFA_ON = SafeString('<span class="status on">MFA on</span>')
MFA_OFF = SafeString('<span class="status off">MFA off</span>')
NO_SSO = SafeString('<span class="muted">no SSO</span>')
FROM_ADMIN_ROLE = SafeString('<span class="muted">admin (all permissions, from team role)</span>')


def member_row(
    person: Any, *, can_manage: bool, admins: int | None, reason: str, urls: Mapping[str, str]
) -> SafeString:
    """A row of the team Access table: person, role (and why the last admin is held back), MFA, SSO, and the
    pencil and Remove for those who manage members (disabled for the last admin)."""
    pk = esc(person.pk)
    email = esc(person.email)
    is_last = admins is not None and policy.is_last_admin(role=person.team_role, admins=admins)
    why = f'<span class="reason" id="last-admin-reason-{pk}">{esc(reason)}</span>' if is_last else ""
    if person.last_sign_in_federated:
        sso = f'<span class="status on">SSO</span> <span class="muted">{esc(idp_mfa_status(person.idp_amr))}</span>'
    else:
        sso = NO_SSO
    if not can_manage:
        actions = ""
    elif is_last:
        actions = (
            f'\n        \n        <button type="button" class="icon-button" disabled data-pencil '
            f'aria-label="Edit role of {email}" aria-describedby="last-admin-reason-{pk}">{pencil()}</button>\n'
            f'        <button type="button" class="button danger small" disabled '
            f'aria-describedby="last-admin-reason-{pk}">Remove</button>\n        \n      '
        )
    else:
        edit = esc(rowurls.fill(urls["member_edit"], person.pk))
        remove = esc(rowurls.fill(urls["member_remove"], person.pk))
        actions = (
            f'\n        \n        <a class="icon-button" data-pencil href="{edit}" hx-get="{edit}" '
            f'hx-target="#member-{pk}" hx-swap="outerHTML" aria-label="Edit role of {email}" title="Edit role">'
            f'{pencil()}</a>\n        <a class="button danger small" href="{remove}" aria-label="Remove {email}">'
            "Remove</a>\n        \n      "
        )
    return SafeString(
        f'<tr id="member-{pk}">\n      <td>{person_cell(person)}</td>\n'
        f"      <td>{role_badge(person.team_role or policy.COLLABORATOR)}{why}</td>\n"
        f"      <td>{MFA_ON if person.has_mfa else MFA_OFF}</td>\n      <td>{sso}</td>\n"
        f'      <td class="actions">{actions}</td>\n    </tr>'
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
    pk = esc(user.pk)
    actions = ""
    if can_manage and row.editable:
        email = esc(user.email)
        edit = esc(rowurls.fill(urls["grant_edit"], user.pk))
        remove = esc(rowurls.fill(urls["grant_remove"], user.pk))
        actions = (
            f'\n        <a class="icon-button" data-pencil href="{edit}" hx-get="{edit}" hx-target="#grant-{pk}" '
            f'hx-swap="outerHTML" aria-label="Edit permissions of {email}" title="Edit permissions">{pencil()}</a>\n'
            f'        <form method="post" action="{remove}" class="inline" data-confirm="Remove {email} from '
            f'{esc(app.name)}?">{csrf}<button type="submit" class="button danger small" aria-label="Remove {email}">'
            "Remove</button></form>\n      "
        )
    note = temporary_actions = ""
    if row.temporary:
        note = temporary_note(row.temporary)
        temporary_actions = _temporary_actions(
            row, app=app, can_edit=can_manage, urls=urls, csrf=csrf, extend_choices=extend_choices, me=me
        )
    perms = FROM_ADMIN_ROLE if row.from_admin_role else perm_badges(row.perms)
    return SafeString(
        f'<tr id="grant-{pk}">\n      <td>{person_cell(user)}</td>\n      <td>{role_badge(row.role)}</td>\n'
        f'      <td>{perms}\n        {note}</td>\n      <td class="muted">{esc(row.reason)}</td>\n'
        f'      <td class="actions">{actions}{temporary_actions}</td>\n    </tr>'
    )


def temporary_note(grant: Any) -> SafeString:
    """A live temporary grant: what it adds, until when, who gave or approved it and why."""
    given = reason = ""
    if grant.granted_by:
        verb = "approved" if grant.request_id else "given"
        given = f", {verb} by {esc(grant.granted_by.email)}"
    if grant.reason:
        reason = f": <q>{esc(grant.reason)}</q>"
    expires = grant.expires_at
    return SafeString(
        f'<span class="temporary" id="temporary-{esc(grant.user_id)}">temporary: '
        f"{perm_badges(grant.perm_list[1:])} until "
        f'<time datetime="{esc(local_date(expires, "c"))}">{esc(local_date(expires, "Y-m-d H:i"))}</time> '
        f"({esc(time_left(expires))}){given}{reason}</span>\n"
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
) -> str:
    user = row.user
    pk, email = esc(user.pk), esc(user.email)
    extend = end = ""
    if can_edit:
        options = "".join(
            f'<option value="{esc(value)}">{esc(label)}</option>' for value, label in extend_choices
        )
        extend = (
            f'\n<form method="post" action="{esc(rowurls.fill(urls["temporary_extend"], user.pk))}" class="inline">'
            f"{csrf}\n"
            f'  <label class="sr-only" for="extend-{pk}">Extend the temporary access of {email} by</label>\n'
            f'  <select name="by" id="extend-{pk}">{options}</select>\n'
            '  <button type="submit" class="button">Extend</button>\n</form>\n'
        )
    if can_edit or user.pk == me:
        end = (
            f'\n<form method="post" action="{esc(rowurls.fill(urls["temporary_end"], user.pk))}" class="inline" '
            f'data-confirm="End the temporary access of {email} on {esc(app.name)} now?">{csrf}'
            '<button type="submit" class="button danger">End now</button></form>\n'
        )
    return f"{extend}\n{end}\n"


def app_row(row: Any, *, detail_url: str) -> SafeString:
    """A row of the home page's app table: the app (and its padlock), its owner, my permissions and why."""
    app = row.app
    name = esc(app.name)
    owner = f"team {esc(app.team.name)}" if app.team else (esc(app.owner.email) if app.owner else "")
    return SafeString(
        f'<tr id="app-{name}">\n        <td><a class="strong-link" href="{esc(rowurls.fill_app(detail_url, app.name))}">'
        f"{name}</a> {lock_badge(app)}\n</td>\n        <td>{owner}</td>\n        <td>{perm_badges(row.perms)}</td>\n"
        f'        <td class="muted">{esc(row.reason)}</td>\n      </tr>'
    )
