"""Team SSO: allauth's OpenID Connect provider, made stricter.

Each team's identity provider is one allauth ``SocialApp`` (provider ``team_sso``, ``provider_id``
``team-<team id>``). On top of allauth's checks of issuer, audience and expiry, this provider:

- always verifies the ID token's signature against the IdP's published keys, even when the token came from
  the token endpoint (allauth skips that, relying on TLS; a self-hosted IdP may not use TLS);
- sends a fresh ``nonce`` with every authorization request and keeps it in the login state; the social
  account adapter refuses an ID token that does not carry it back (``accessctl.identity``);
- accepts only the signing algorithms configured for the IdP (``SocialApp.settings["id_token_signed_response_algs"]``,
  RS256 by default), never the one a token's header names: an HS256 token MAC'd with the IdP's public RSA
  key is refused;
- turns every malformed answer (token, keys, token endpoint JSON) into allauth's "sign-in failed" page (401),
  never a 500.
"""

import secrets

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.urls import reverse

PROVIDER = "team_sso"
DEFAULT_ALGORITHMS = ("RS256",)
ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def expected_algorithms(app) -> list[str]:
    """The signing algorithms configured for the IdP (asymmetric ones only), RS256 when none is set."""
    configured = (app.settings or {}).get("id_token_signed_response_algs") or DEFAULT_ALGORITHMS
    if isinstance(configured, str):
        configured = [configured]
    return [alg for alg in configured if alg in ALLOWED_ALGORITHMS] or list(DEFAULT_ALGORITHMS)


class TeamSsoAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        """Verify the ID token's signature with the IdP's key, with the configured algorithms only."""
        algorithms = expected_algorithms(app)
        try:
            header = jwt.get_unverified_header(id_token)
            if header.get("alg") not in algorithms:
                raise jwt.InvalidAlgorithmError(f"alg {header.get('alg')!r} is not one of {algorithms}")
            _, key = jwtkit.fetch_key(id_token, self.openid_config["jwks_uri"], jwtkit.lookup_kid_jwk)
            data = jwt.decode(
                id_token,
                key=key,
                algorithms=algorithms,
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                options={
                    "verify_signature": True,
                    "verify_iss": True,
                    "verify_aud": True,
                    "verify_exp": True,
                },
            )
            jwtkit.verify_jti(data)
            return data
        except (jwt.PyJWTError, *MALFORMED) as error:
            raise OAuth2Error("Invalid id_token") from error

    def complete_login(self, request, app, token, **kwargs):
        """allauth's, with any malformed answer of the IdP refused as a failed sign-in rather than a crash."""
        try:
            return super().complete_login(request, app, token, **kwargs)
        except MALFORMED as error:
            raise OAuth2Error("Malformed answer from the identity provider") from error

    def parse_token(self, data):
        try:
            return super().parse_token(data)
        except MALFORMED as error:
            raise OAuth2Error("Malformed token response from the identity provider") from error

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
