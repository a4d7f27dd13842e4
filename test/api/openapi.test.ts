/** /health (200, or 503 when the database does not answer) and the OpenAPI document: every endpoint, generated from the validating schemas. */
import { ROUTES } from '../../server/http/routes';
import { Client, DATABASES, startTestService, type TestService } from './harness';

describe.each(DATABASES)('le service ($name)', (kind) => {
  let service: TestService;
  let anonymous: Client;
  beforeAll(async () => {
    service = await startTestService(kind);
    anonymous = new Client(service.url);
  });
  afterAll(() => service.stop());

  test('GET /health: the database answers', async () => {
    const r = await anonymous.request('GET', '/health');
    expect([r.status, r.body]).toEqual([200, { status: 'ok', database: 'ok' }]);
  });

  test('GET /health: 503 with the database unreachable, for a load balancer', async () => {
    const other = await startTestService(kind);
    try {
      await other.db.sequelize.close();
      const r = await new Client(other.url).request('GET', '/health');
      expect([r.status, r.body]).toEqual([503, { status: 'indisponible', database: 'unreachable' }]);
    } finally {
      await other.stop().catch(() => undefined);
    }
  });

  test('GET /api/openapi.json documents every route, and every $ref resolves', async () => {
    const { status, body: doc } = await anonymous.request('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method];
      expect([r.method, r.path, typeof op?.summary]).toEqual([r.method, r.path, 'string']);
      for (const name of Object.keys(r.params ?? {})) {
        expect(op.parameters.some((p: { name: string; in: string }) => p.name === name && p.in === 'path')).toBe(true);
      }
      if (r.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas[ref]).toBeDefined();
    // The line schema is the one that validates PUT bodies: cents are integers, unknown fields refused.
    const line = doc.components.schemas.LineInput;
    expect(line.properties.amount.type).toBe('integer');
    expect(line.additionalProperties).toBe(false);
    expect(line.properties.kind.enum).toEqual([
      'recette',
      'depense',
      'depot',
      'retrait',
      'regie_versee',
      'regie_remboursee',
    ]);
  });

  test('an unknown address is a French problem+json 404', async () => {
    const r = await anonymous.request('GET', '/api/inconnu');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.detail).toBe('Aucune ressource à l’adresse /api/inconnu.');
  });
});
