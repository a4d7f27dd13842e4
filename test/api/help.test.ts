/**
 * The help page: the manifest's SupportUrl and LearnMoreUrl and the pane's « Aide » link point at
 * /aide, which the service answers with a French page on what a treasurer needs (the three ways
 * to enter a line, pointage, statements, closure, import, export, the department's dashboard,
 * what to do when the service is down).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestService, type TestService } from './harness';

describe('la page d’aide', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ name: 'sqlite' });
  });

  afterAll(async () => {
    await service?.stop();
  });

  test('the manifest’s support and learn-more links are /aide, and /aide answers in French', async () => {
    const manifest = readFileSync(join(__dirname, '../../manifest.xml'), 'utf8');
    const urls = [
      ...manifest.matchAll(/<(?:SupportUrl|bt:Url id="GetStarted\.LearnMoreUrl") DefaultValue="([^"]+)"/g),
    ].map((m) => new URL(m[1]!).pathname);
    expect(urls).toEqual(['/aide', '/aide']);
    const pane = readFileSync(join(__dirname, '../../addin/src/ui/app.tsx'), 'utf8');
    expect(pane).toContain('href="/aide"');

    const r = await fetch(`${service.url}/aide`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await r.text();
    expect(html).toContain('<html lang="fr">');
    for (const title of [
      'Saisir une ligne : trois façons',
      'Pointer sur les relevés',
      'Importer un relevé bancaire',
      'Clôturer l’exercice',
      'Importer un ancien cahier',
      'Exporter le cahier dans Excel',
      'Le tableau de bord du département',
      'Quand le service ne répond pas',
    ]) {
      expect(html).toContain(`>${title}</h2>`);
    }
    // No script in the page: nothing to allow in the Content-Security-Policy.
    expect(html).not.toMatch(/<script/i);
    expect((await fetch(`${service.url}/aide/`)).status).toBe(200);
  });
});
