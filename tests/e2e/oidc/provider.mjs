// An OpenID Connect provider for the single sign-on tests (oidc-provider), on 127.0.0.1
// over HTTP. Configured by environment variables:
//   PORT            the port to listen on (0: any free port; the chosen one is printed)
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI   the one client it knows: the site under test
//   ACCOUNTS        JSON {login: {email, email_verified, name, preferred_username}}: who
//                   can sign in (the login form accepts any password for them)
//   TOKEN_MODE      honest (default); bad-signature: the ID token's claims are altered after
//                   signing (e-mail changed, signature left as it was); wrong-audience: the
//                   ID token is signed properly but for another client.
// It prints "listening http://127.0.0.1:PORT" once it accepts connections.
import http from "node:http";

import * as jose from "jose";
import Provider from "oidc-provider";

const env = process.env;
const mode = env.TOKEN_MODE || "honest";
const accounts = JSON.parse(env.ACCOUNTS || "{}");

const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: "test-signing-key", alg: "RS256", use: "sig" };

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(env.PORT || 0), "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.CLIENT_ID,
      client_secret: env.CLIENT_SECRET,
      redirect_uris: [env.REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ["oidc-test-provider-cookie-key"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
  },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    const claims = accounts[sub];
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
});

// Alter the ID token on its way out of the token endpoint, as an attacker between the
// provider and the site (or a broken provider) would.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || ctx.status !== 200 || !ctx.body?.id_token || mode === "honest") {
    return;
  }
  const [header, payload, signature] = ctx.body.id_token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  if (mode === "bad-signature") {
    claims.email = "amelia@example.org";
    claims.email_verified = true;
    const forged = Buffer.from(JSON.stringify(claims)).toString("base64url");
    ctx.body = { ...ctx.body, id_token: `${header}.${forged}.${signature}` };
  } else if (mode === "wrong-audience") {
    const { aud, ...rest } = claims;
    const token = await new jose.SignJWT({ ...rest })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "JWT" })
      .setAudience("another-client")
      .sign(privateKey);
    ctx.body = { ...ctx.body, id_token: token };
  }
});

server.on("request", provider.callback());
process.stdout.write(`listening ${issuer}\n`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
