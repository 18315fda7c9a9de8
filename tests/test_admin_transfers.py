"""The support console's app transfers: visible to support staff, never changed by them (only the recipient
answers an offer and only the sender withdraws it)."""

from http import HTTPStatus

import pytest

from accessctl.audit.log import COMMAND
from apps.models import App
from apps.transfers import app_transfer_create
from tests.factories import AppFactory

pytestmark = pytest.mark.django_db


def test_support_sees_app_transfers_but_cannot_answer_or_change_them(client_as, support, member, viewer):
    app = AppFactory(team=None, owner=member, name="mine")
    transfer = app_transfer_create(actor=member, app=app, recipient=viewer, origin=COMMAND)
    client = client_as(support)
    listing = client.get("/admin/apps/apptransfer/?state=pending").content.decode()
    assert "mine" in listing and viewer.email in listing and "Pending" in listing
    page = f"/admin/apps/apptransfer/{transfer.pk}/change/"
    assert client.get(page).status_code == HTTPStatus.OK
    assert client.post(page, {"state": "accepted"}).status_code == HTTPStatus.FORBIDDEN
    assert client.get("/admin/apps/apptransfer/add/").status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"/admin/apps/apptransfer/{transfer.pk}/delete/", {"post": "yes"}).status_code == 403
    transfer.refresh_from_db()
    assert transfer.state == "pending" and App.objects.get(pk=app.pk).owner == member
