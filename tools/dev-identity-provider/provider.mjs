// A local OpenID Connect provider for Integrator's Development walk-through and tests (README "Sign-in with your
// identity provider"): panva/oidc-provider, a certified implementation, with two clients (the console's staff and the
// redirect page's customers) and the fixed people below. Any password signs a known person in. Never for production.
//
//   npm ci --prefix tools/dev-identity-provider
//   node tools/dev-identity-provider/provider.mjs            # http://localhost:5090, for an Integrator on :5080
//
// PORT, ISSUER (default http://localhost:PORT) and INTEGRATOR_URL (default http://localhost:5080) change where it
// listens and whose callbacks its clients accept. TEST_HOOKS=1 adds POST /test/next-id-token-audience, which makes the
// next token response carry an ID token issued to another client (signed with the provider's own key), so that a test
// can see the relying party refuse it.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';

const port = Number(process.env.PORT ?? 5090);
const issuer = process.env.ISSUER ?? `http://localhost:${port}`;
const integrator = (process.env.INTEGRATOR_URL ?? 'http://localhost:5080').replace(/\/$/, '');
const testHooks = process.env.TEST_HOOKS === '1';

// Staff carry directory groups (Console:Oidc:RoleClaim=groups); customers are named by their customer id (sub).
const people = {
  'ada.ops': { name: 'Ada Operator', email: 'ada.ops@bank.example', groups: ['integrator-operators'] },
  'grace.ops': { name: 'Grace Operator', email: 'grace.ops@bank.example', groups: ['integrator-operators'] },
  'vera.viewer': { name: 'Vera Viewer', email: 'vera.viewer@bank.example', groups: ['integrator-viewers'] },
  'mallory': { name: 'Mallory Outsider', email: 'mallory@bank.example', groups: ['marketing'] },
  'cust-1': { name: 'Ada Lovelace', groups: [] },
  'cust-2': { name: 'Charles Babbage', groups: [] },
  'cust-ada': { name: 'Ada Lovelace', groups: [] },
  'cust-bob': { name: 'Bob Babbage', groups: [] },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'integrator-console',
      client_secret: 'dev-console-secret-not-for-production',
      redirect_uris: [`${integrator}/console/signin-oidc`],
      post_logout_redirect_uris: [`${integrator}/console/signout-callback-oidc`],
      // token_endpoint_auth_method: OpenID Connect's default, client_secret_basic
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
    {
      client_id: 'integrator-customers',
      client_secret: 'dev-customers-secret-not-for-production',
      redirect_uris: [`${integrator}/redirect-payment-token-v1/signin-oidc`],
      token_endpoint_auth_method: 'client_secret_post', // Redirect:Oidc:TokenEndpointAuthMethod=client_secret_post
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
    // Registered only so that a token can be issued to it: the relying parties must refuse it.
    { client_id: 'another-client', client_secret: 'another-secret', redirect_uris: ['http://127.0.0.1/elsewhere'] },
  ],
  jwks: { keys: [signingKey] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  async findAccount(ctx, id) {
    const person = people[id];
    return person && { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
  // First-party clients: what they ask is granted without a consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
});
provider.proxy = false;

let nextAudience = null;
if (testHooks) {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/test/next-id-token-audience') {
      nextAudience = new URL(ctx.href).searchParams.get('aud') ?? 'another-client';
      ctx.status = 204;
      return;
    }
    await next();
    if (nextAudience && ctx.method === 'POST' && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
      const claims = decodeJwt(ctx.body.id_token);
      const header = decodeProtectedHeader(ctx.body.id_token);
      ctx.body.id_token = await new SignJWT({ ...claims, aud: nextAudience })
        .setProtectedHeader(header)
        .sign(await importJWK(signingKey, 'RS256'));
      nextAudience = null;
    }
  });
}

// Loopback only: both address families, so that "localhost" reaches it whichever the client tries first.
const callback = provider.callback();
for (const host of ['127.0.0.1', '::1']) {
  http.createServer(callback).listen(port, host).on('error', (e) => {
    if (host === '::1' && e.code === 'EADDRNOTAVAIL') return; // no IPv6 loopback here
    console.error(`cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  });
}
console.log(`dev identity provider ${issuer} for ${integrator} (TEST_HOOKS ${testHooks ? 'on' : 'off'})`);
