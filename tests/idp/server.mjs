// A real OpenID Connect provider for the SSO tests (npm `oidc-provider`), bound to 127.0.0.1 only.
//
// Usage: node server.mjs '{"clientId": "...", "clientSecret": "...", "redirectUris": ["..."]}'
// Prints "listening <issuer>" once ready. Its login page (/interaction/<uid>) takes the subject, the e-mail
// and whether the user passed MFA at the IdP; the choice becomes the ID token's `sub`, `email` and `amr`.
import http from "node:http";
import crypto from "node:crypto";
import { URLSearchParams } from "node:url";
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const accounts = new Map();

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: config.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    jwks: { keys: [signingKey] },
    claims: { openid: ["sub", "amr"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    cookies: { keys: [crypto.randomBytes(16).toString("hex")] },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: true, name: account.name };
        },
      };
    },
  });
  provider.proxy = false;
  const oidc = provider.callback();

  server.on("request", async (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)$/);
    if (!match) return oidc(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end(`<!doctype html><title>Test IdP sign-in</title><form method="post" action="/interaction/${details.uid}">
          <input name="sub" placeholder="subject"> <input name="email" placeholder="e-mail">
          <label><input type="checkbox" name="mfa" value="1"> passed MFA</label> <button>Sign in</button></form>`);
        return;
      }
      const body = await new Promise((resolve) => {
        let data = "";
        req.on("data", (chunk) => (data += chunk));
        req.on("end", () => resolve(new URLSearchParams(data)));
      });
      const sub = body.get("sub");
      accounts.set(sub, { email: body.get("email"), name: body.get("name") || body.get("email") });
      const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      const amr = body.get("mfa") ? ["pwd", "otp", "mfa"] : ["pwd"];
      await provider.interactionFinished(req, res, { login: { accountId: sub, amr }, consent: { grantId } }, {
        mergeWithLastSubmission: false,
      });
    } catch (error) {
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(String(error));
    }
  });
  console.log(`listening ${issuer}`);
});
