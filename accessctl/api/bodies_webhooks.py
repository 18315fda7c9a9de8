"""Request bodies of the webhook API (``/apps/<app>/webhooks``, ``/teams/<team>/webhooks``)."""

from __future__ import annotations

from accessctl.api.bodies import Body, OptionalStr, OptionalStrList


class WebhookCreate(Body):
    """POST /apps/{app}/webhooks, as ``heroku webhooks:add`` sends it."""

    url: str
    level: str
    include: list[str]
    secret: OptionalStr = None
    authorization: OptionalStr = None


class TeamWebhookCreate(Body):
    """POST /teams/{team}/webhooks: every team event goes to the hook, so there is no ``include``."""

    url: str
    level: str
    secret: OptionalStr = None
    authorization: OptionalStr = None


class WebhookUpdate(Body):
    """PATCH /apps/{app}/webhooks/{id} (``heroku webhooks:update``) and the team's: what is sent changes."""

    url: OptionalStr = None
    level: OptionalStr = None
    include: OptionalStrList = None
    secret: OptionalStr = None
    authorization: OptionalStr = None
