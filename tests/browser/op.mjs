// A real OpenID provider for the preview browser suite: npm `oidc-provider` with its
// development login and consent pages. Two accounts: `jean` is the subject the test
// requests evidence about (Jean Dupont, 1992-10-22); `other` is somebody else.
//
//   node op.mjs <port> <redirect_uri>
//
// Prints `ready <issuer>` once listening. Test use only: in-memory, development keys.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const people = {
  jean: { family_name: 'Dupont', given_name: 'Jean', birthdate: '1992-10-22' },
  other: { family_name: 'Martin', given_name: 'Paul', birthdate: '1980-01-01' },
};

const oidc = new Provider(issuer, {
  clients: [{
    client_id: 'oots-preview',
    client_secret: process.env.OOTS_TEST_CLIENT_SECRET || 'test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { openid: ['sub'], profile: ['family_name', 'given_name', 'birthdate'] },
  async findAccount(ctx, id) {
    const person = people[id] || people.other;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
oidc.proxy = false;
oidc.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
