"""Team SSO: allauth's OpenID Connect provider, made stricter.

Each team's identity provider is one allauth ``SocialApp`` (provider ``team_sso``, ``provider_id``
``team-<team id>``). On top of allauth's checks of issuer, audience and expiry, this provider:

- always verifies the ID token's signature against the IdP's published keys, even when the token came from
  the token endpoint (allauth skips that, relying on TLS; a self-hosted IdP may not use TLS);
- sends a fresh ``nonce`` with every authorization request and keeps it in the login state; the social
  account adapter refuses an ID token that does not carry it back (``accessctl.identity``).
"""

import secrets

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.urls import reverse

PROVIDER = "team_sso"


class TeamSsoAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )

    def get_callback_url(self, request, app):
        callback = reverse(f"{PROVIDER}_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, callback, self.redirect_uri_protocol)


class TeamSsoProvider(OpenIDConnectProvider):
    id = PROVIDER
    name = "Team SSO"
    oauth2_adapter_class = TeamSsoAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


provider_classes = [TeamSsoProvider]
