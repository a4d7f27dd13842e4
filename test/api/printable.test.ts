/** La version imprimable over HTTP: the coop's own cahier in PDF, nobody else's. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Client,
  DATABASES,
  WORLD,
  expense,
  loggedIn,
  seedWorld,
  startTestService,
  uuid,
  type TestService,
} from './harness';

const run = promisify(execFile);

describe.each(DATABASES)('la version imprimable du cahier ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let mB: Client;
  const A = WORLD.coops.A;
  const path = (coop: string = A, year = 2025) => `/api/coops/${coop}/exercises/${year}/cahier.pdf`;
  const get = (client: Client, p: string) =>
    fetch(`${service.url}${p}`, { headers: { authorization: `Bearer ${client.token}` } });

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    mB = await loggedIn(service, WORLD.logins.mB);
    expect((await mA.put(A, uuid(), expense('001', 123_456, { date: '2025-09-20' }))).status).toBe(201);
    expect((await mA.put(A, uuid(), expense('002', 4_590, { date: '2025-09-10' }))).status).toBe(201);
    // A draft: the ventilation does not match the amount.
    const draft = await mA.put(A, uuid(), expense('003', 5_000, { ventilation: [{ chapter: '6180', amount: 4_000 }] }));
    expect(draft.body.status).toBe('draft');
  });
  afterAll(() => service.stop());

  test('the coop gets its cahier: a PDF, inline, with a French file name, lines in date order', async () => {
    const res = await get(mA, path());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''cahier-087-0001-2025-2026.pdf");
    const dir = await mkdtemp(join(tmpdir(), 'cahier-api-pdf-'));
    try {
      const file = join(dir, 'c.pdf');
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
      expect(text).toContain('École A – n° 087-0001');
      expect(text).toContain('Exercice 2025-2026');
      expect(text).toContain('Page 2 / 2');
      expect(text.indexOf('facture 002')).toBeLessThan(text.indexOf('facture 001'));
      expect(text).toContain('Librairie Martin – facture 003 (brouillon)');
      // The draft is not counted: the bank expenses are 1 234,56 + 45,90.
      expect(text).toMatch(/Totaux de l’exercice\s+0,00\s+1 280,46/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('another coop’s user gets 404; no session gets 401', async () => {
    expect((await get(mB, path())).status).toBe(404);
    expect((await fetch(`${service.url}${path()}`)).status).toBe(401);
    expect((await get(mA, path(A, 2030))).status).toBe(404);
  });
});
