"""Request bodies of the account API (``/oauth/authorizations``)."""

from __future__ import annotations

from accessctl.api.bodies import Body, OptionalNumberOrString, OptionalStr, OptionalStrList


class AuthorizationCreate(Body):
    """POST /oauth/authorizations, as ``heroku authorizations:create`` sends it (every field optional).

    ``expires_in`` and ``scope`` are read so that the view can refuse them with a reason: tokens here do not
    expire and always act with all of the account's access.
    """

    description: OptionalStr = None
    expires_in: OptionalNumberOrString = None
    scope: OptionalStrList = None
