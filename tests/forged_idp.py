"""An identity provider of the tests' own, served in-process: allauth's HTTP session is replaced by one that
answers discovery, JWKS, the token endpoint and userinfo with whatever the test asks, ID tokens included
(signed with the provider's RSA key, or forged)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "http://forged-idp.test"
KID = "forged-key"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ForgedIdp:
    """Discovery and keys of an IdP at :data:`ISSUER`; ``token_response`` is what its token endpoint answers."""

    def __init__(self, client_id: str = "accessctl"):
        self.client_id = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.token_response: object = {}
        self.token_status = 200

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def claims(self, nonce: str, **extra) -> dict:
        now = int(time.time())
        base = {"iss": ISSUER, "aud": self.client_id, "sub": "forged-1", "iat": now, "exp": now + 300}
        return {**base, "nonce": nonce, "email": "forged@corp.test", **extra}

    def sign(self, claims: dict, alg: str = "RS256") -> str:
        return jwt.encode(claims, self.key, algorithm=alg, headers={"kid": KID})

    def hs256_with_public_key(self, claims: dict) -> str:
        """The algorithm-confusion forgery: HS256, MAC'd with the IdP's public RSA key as the secret."""
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
        body = b64(json.dumps(claims).encode())
        mac = hmac.new(self.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{b64(mac)}"

    def answer(self, method: str, url: str) -> requests.Response:
        routes = {
            ISSUER + "/.well-known/openid-configuration": (200, self.discovery()),
            ISSUER + "/jwks": (200, self.jwks()),
            ISSUER + "/token": (self.token_status, self.token_response),
            ISSUER + "/me": (200, {"sub": "forged-1", "email": "forged@corp.test"}),
        }
        status, body = routes.get(url.split("?")[0], (404, {"error": "not found"}))
        response = requests.Response()
        response.status_code, response.url = status, url
        response.headers["content-type"] = "application/json"
        response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return response

    def discovery(self) -> dict:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "/auth",
            "token_endpoint": ISSUER + "/token",
            "userinfo_endpoint": ISSUER + "/me",
            "jwks_uri": ISSUER + "/jwks",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def session(self):
        idp = self

        class Session:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def get(self, url, **kwargs):
                return idp.answer("GET", url)

            def request(self, method, url, **kwargs):
                return idp.answer(method, url)

        return Session()
