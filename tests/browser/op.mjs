// A real OpenID provider for the preview browser suite: npm `oidc-provider` with its
// development login and consent pages. Accounts: `jean` is the subject the test requests
// evidence about (Jean Dupont, 1992-10-22); `other` is somebody else; `dupond` is Jean
// Dupond, born the same day, whom matching takes for the register's Jean Dupont when the
// place of birth agrees (the sign-in must then refuse the record); `lukas` and
// `lukas-unknown` are a Lukas Wimmer (1995-05-21) of the Austrian birth register, which
// holds two of them, with the identifier of the second one and with an identifier the
// register does not hold (`national_id`, the claim the adapter maps to PersonIdentifier);
// `kovar` and `hajkova` are directors in the Czech company register
// (`mappings/company-registration-extract`), of Pražské strojírny Kovář and of Zelená
// Čajovna Hájek.
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
  dupond: { family_name: 'Dupond', given_name: 'Jean', birthdate: '1992-10-22' },
  lukas: { family_name: 'Wimmer', given_name: 'Lukas', birthdate: '1995-05-21',
           national_id: 'AT/AT/bPK-ZP:Zr6Ma1Cv8Gt5Qy2P' },
  'lukas-unknown': { family_name: 'Wimmer', given_name: 'Lukas', birthdate: '1995-05-21',
                     national_id: 'AT/AT/bPK-ZP:NotInTheRegister' },
  kovar: { family_name: 'Kovář', given_name: 'Jiří', birthdate: '1968-11-23' },
  hajkova: { family_name: 'Hájková', given_name: 'Šárka', birthdate: '1979-02-14' },
};

const oidc = new Provider(issuer, {
  clients: [{
    client_id: 'oots-preview',
    client_secret: process.env.OOTS_TEST_CLIENT_SECRET || 'test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { acr: null, openid: ['sub', 'acr'], profile: ['family_name', 'given_name', 'birthdate', 'national_id'] },
  acrValues: ['http://eidas.europa.eu/LoA/high'],
  async findAccount(ctx, id) {
    const person = people[id] || people.other;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
// Every sign-in is an eID at eIDAS level High (the `acr` of the ID token): the shipped
// mappings state a minimum level of assurance, which a sign-in without a level never
// reaches.
const finished = oidc.interactionFinished.bind(oidc);
oidc.interactionFinished = (req, res, result, options) => {
  if (result.login) result.login.acr = 'http://eidas.europa.eu/LoA/high';
  return finished(req, res, result, options);
};
oidc.proxy = false;
oidc.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
