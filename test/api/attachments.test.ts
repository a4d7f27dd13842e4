/**
 * Pièces justificatives through the service, on each database and each store (database, disk):
 * a PDF, a JPEG and a PNG attached and read back byte for byte, a program renamed facture.pdf
 * and a text refused in French, 10 Mo accepted and one byte more refused with nothing stored,
 * the same file kept once, removal audited, isolation, the closed year, and two instances
 * sharing one database and one directory.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setExerciseStatus } from '../../server/operations/accounts';
import { startService, type RunningService } from '../../server/service';
import { MAX_ATTACHMENT_BYTES } from '../../templates/definition/side-book-contract';
import { padded, tinyJpeg, tinyPdf, tinyPng, windowsExe } from '../fixtures/pieces';
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

const A = WORLD.coops.A;
const base = (year = 2025) => `/api/coops/${A}/exercises/${year}`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** POST of one file as a browser's FormData sends it. */
async function attach(
  c: Client,
  lineId: string,
  bytes: Uint8Array,
  name: string,
  { type = 'application/octet-stream', field = 'file', year = 2025 } = {},
) {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${c.base}${base(year)}/lines/${lineId}/attachments`, {
    method: 'POST',
    headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function download(c: Client, id: number) {
  const res = await fetch(`${c.base}${base()}/attachments/${id}`, {
    headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The database URL of a running test service, for a second instance on the same data. */
function dbUrlOf(service: RunningService): string {
  const sequelize = service.db.sequelize;
  if (service.db.dialect === 'sqlite')
    return `sqlite:${(sequelize as unknown as { options: { storage: string } }).options.storage}`;
  const u = new URL(process.env.CAHIER_TEST_MYSQL_URL!);
  u.pathname = `/${sequelize.getDatabaseName()}`;
  return u.toString();
}

/** A client of `service` holding a session opened elsewhere (sessions live in the database). */
function clientOf(service: RunningService, token: string): Client {
  const c = new Client(service.url);
  c.token = token;
  return c;
}

describe.each(DATABASES)('les pièces justificatives ($name)', (kind) => {
  // One seeded database, two instances: pièces in the database, and pièces on disk.
  let service: TestService;
  let onDisk: RunningService;
  let dir: string;
  let tokens: Record<'mA' | 'mB' | 't87', string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-pieces-'));
    service = await startTestService(kind);
    await seedWorld(service);
    onDisk = await startService({ dbUrl: dbUrlOf(service), port: 0, sessionHours: 1, attachmentsDir: dir });
    const [mA, mB, t87] = await Promise.all([
      loggedIn(service, WORLD.logins.mA),
      loggedIn(service, WORLD.logins.mB),
      loggedIn(service, WORLD.logins.t87),
    ]);
    tokens = { mA: mA.token!, mB: mB.token!, t87: t87.token! };
  });
  afterAll(async () => {
    await onDisk.close();
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(['base', 'disque'] as const)('stockage %s', (store) => {
    let instance: RunningService;
    let storeDir: string | null;
    let mA: Client;
    let mB: Client;
    let t87: Client;
    const lines = { a: uuid(), b: uuid(), c: uuid(), gone: uuid() };
    /** PJ numbers of this store's lines (both stores share the exercise). */
    const pj = (n: number) => String(n + (store === 'base' ? 0 : 10)).padStart(2, '0');

    /** What the store holds: content rows or files. */
    async function stored(): Promise<string[]> {
      if (storeDir) {
        const found: string[] = [];
        for (const sub of await readdir(storeDir)) {
          if (sub.startsWith('.')) continue;
          for (const f of await readdir(join(storeDir, sub))) found.push(f);
        }
        return found.sort();
      }
      const rows = await service.db.models.AttachmentContent.findAll({ attributes: ['sha256'] });
      return rows.map((r) => r.sha256).sort();
    }
    const rows = () => service.db.models.Attachment.count();

    beforeAll(async () => {
      instance = store === 'base' ? service : onDisk;
      storeDir = store === 'base' ? null : dir;
      [mA, mB, t87] = [clientOf(instance, tokens.mA), clientOf(instance, tokens.mB), clientOf(instance, tokens.t87)];
      for (const [i, id] of Object.values(lines).entries()) {
        expect((await mA.put(A, id, expense(pj(i + 1)))).status).toBe(201);
      }
      const gone = await mA.request('DELETE', `${base()}/lines/${lines.gone}`, undefined, { 'If-Match': '"1"' });
      expect(gone.status).toBe(200);
    });

    test('un PDF, une photo JPEG et un PNG sont joints, reconnus par leur contenu, et relus à l’octet près', async () => {
      const files = [
        { bytes: tinyPdf('Facture 45899'), name: 'facture-45899.pdf', type: 'application/pdf' },
        // A phone says image/jpeg… or nothing useful: the content decides.
        { bytes: tinyJpeg(), name: 'IMG_2041', type: 'application/octet-stream' },
        { bytes: tinyPng(), name: 'Reçu n°1 (cantine).png', type: 'image/png' },
      ];
      const made = [];
      for (const f of files) {
        const r = await attach(mA, lines.a, f.bytes, f.name, { type: f.type });
        expect(r.status).toBe(201);
        made.push(r.body);
      }
      expect(made.map((m) => [m.name, m.type, m.size, m.sha256, m.lineId, m.createdBy])).toEqual([
        [
          'facture-45899.pdf',
          'application/pdf',
          files[0]!.bytes.length,
          sha(files[0]!.bytes),
          lines.a,
          WORLD.logins.mA,
        ],
        ['IMG_2041', 'image/jpeg', files[1]!.bytes.length, sha(files[1]!.bytes), lines.a, WORLD.logins.mA],
        ['Reçu n°1 (cantine).png', 'image/png', files[2]!.bytes.length, sha(files[2]!.bytes), lines.a, WORLD.logins.mA],
      ]);
      expect(Object.keys(made[0]).sort()).toEqual(
        ['createdAt', 'createdBy', 'id', 'lineId', 'name', 'sha256', 'size', 'type'].sort(),
      );

      const list = await mA.request('GET', `${base()}/lines/${lines.a}/attachments`);
      expect(list.status).toBe(200);
      expect(list.body.map((a: { id: number }) => a.id)).toEqual(made.map((m) => m.id));

      for (const [i, m] of made.entries()) {
        const d = await download(mA, m.id);
        expect(d.status).toBe(200);
        expect(sha(d.bytes)).toBe(sha(files[i]!.bytes));
        expect(d.headers.get('content-type')).toBe(m.type);
        expect(d.headers.get('x-content-type-options')).toBe('nosniff');
        expect(d.headers.get('content-security-policy')).toMatch(/^sandbox(;|$)/);
      }
      expect((await download(mA, made[2].id)).headers.get('content-disposition')).toBe(
        "inline; filename*=UTF-8''Re%C3%A7u%20n%C2%B01%20%28cantine%29.png",
      );
      // The département's trésorier sees them too.
      expect((await download(t87, made[0].id)).status).toBe(200);
    });

    test('la même pièce deux fois sur une ligne est gardée une fois ; sur une autre ligne, son contenu reste unique', async () => {
      const png = tinyPng(3, 1, [1, 2, 3]);
      const first = await attach(mA, lines.b, png, 'ticket.png');
      expect(first.status).toBe(201);
      const before = [await rows(), (await stored()).length];
      const again = await attach(mA, lines.b, png, 'ticket (1).png');
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect([await rows(), (await stored()).length]).toEqual(before);

      const elsewhere = await attach(mA, lines.c, png, 'ticket.png');
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body.id).not.toBe(first.body.id);
      expect(await rows()).toBe(before[0]! + 1);
      expect((await stored()).filter((s) => s === sha(png))).toHaveLength(1);

      const counts = await mA.request('GET', `${base()}/attachments`);
      expect(counts.status).toBe(200);
      expect(counts.body.counts[lines.b]).toBe(1);
      expect(counts.body.counts[lines.c]).toBe(1);
      expect(counts.body.counts[lines.gone]).toBeUndefined();
    });

    test('un programme renommé facture.pdf et un fichier texte sont refusés (415, en français), rien n’est gardé', async () => {
      const before = [await rows(), await stored()];
      const exe = await attach(mA, lines.a, windowsExe(), 'facture.pdf', { type: 'application/pdf' });
      expect(exe.status).toBe(415);
      expect(exe.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(exe.body.code).toBe('type_de_fichier_refuse');
      expect(exe.body.detail).toBe(
        'Le fichier « facture.pdf » n’est pas un PDF, JPEG ou PNG d’après son contenu (c’est un programme Windows) : ' +
          'seuls les fichiers PDF et les images JPEG ou PNG sont acceptés comme pièce justificative.',
      );
      const text = await attach(mA, lines.a, Buffer.from('Facture 45899 : 45,90 €\n'), 'facture.jpg', {
        type: 'image/jpeg',
      });
      expect(text.status).toBe(415);
      expect(text.body.detail).toMatch(
        /^Le fichier « facture\.jpg » n’est pas un PDF, JPEG ou PNG .*\(c’est un fichier texte\)/,
      );
      expect([await rows(), await stored()]).toEqual(before);
    });

    test('10 Mo exactement sont acceptés ; un octet de plus : 413, rien n’est gardé', async () => {
      const before = [await rows(), await stored()];
      const over = await attach(mA, lines.b, padded(tinyPdf('trop gros'), MAX_ATTACHMENT_BYTES + 1), 'scan.pdf');
      expect(over.status).toBe(413);
      expect(over.body.code).toBe('corps_trop_gros');
      expect(over.body.detail).toMatch(/^Le fichier dépasse 10 Mo/);
      // Announced by its Content-Length: refused before it is read.
      const far = await attach(mA, lines.b, padded(tinyPdf('bien trop gros'), 12 * 1024 * 1024), 'scan.pdf');
      expect([far.status, far.body.code]).toEqual([413, 'corps_trop_gros']);
      expect([await rows(), await stored()]).toEqual(before);

      const exact = padded(tinyPdf('juste 10 Mo'), MAX_ATTACHMENT_BYTES);
      const ok = await attach(mA, lines.b, exact, 'scan.pdf');
      expect(ok.status).toBe(201);
      expect(ok.body.size).toBe(MAX_ATTACHMENT_BYTES);
      const back = await download(mA, ok.body.id);
      expect(sha(back.bytes)).toBe(sha(exact));
      expect((await mA.request('DELETE', `${base()}/attachments/${ok.body.id}`)).status).toBe(204);
    });

    test('retirer une pièce est historisé ; son contenu part quand plus aucune pièce ne l’utilise', async () => {
      const jpeg = tinyJpeg('retrait');
      const onB = await attach(mA, lines.b, jpeg, 'photo.jpg');
      const onC = await attach(mA, lines.c, jpeg, 'photo.jpg');
      expect([onB.status, onC.status]).toEqual([201, 201]);

      expect((await mA.request('DELETE', `${base()}/attachments/${onB.body.id}`)).status).toBe(204);
      expect(await stored()).toContain(sha(jpeg)); // line c still uses it
      expect((await download(mA, onC.body.id)).status).toBe(200);
      expect((await mA.request('DELETE', `${base()}/attachments/${onC.body.id}`)).status).toBe(204);
      expect(await stored()).not.toContain(sha(jpeg));
      expect((await download(mA, onC.body.id)).status).toBe(404);
      expect((await mA.request('DELETE', `${base()}/attachments/${onC.body.id}`)).status).toBe(404);

      const audit = await service.db.models.SideBookAudit.findAll({
        where: { book: 'piece', recordId: String(onC.body.id) },
        order: [['id', 'ASC']],
      });
      expect(audit.map((a) => [a.action, a.login])).toEqual([
        ['create', WORLD.logins.mA],
        ['delete', WORLD.logins.mA],
      ]);
      expect(JSON.parse(audit[0]!.after!)).toEqual(onC.body);
      expect(JSON.parse(audit[1]!.before!)).toEqual(onC.body);
      expect(audit[1]!.after).toBeNull();
    });

    test('la ligne doit exister dans l’exercice et ne pas être supprimée (404)', async () => {
      const png = tinyPng();
      expect((await attach(mA, lines.gone, png, 'x.png')).status).toBe(404);
      const unknown = await attach(mA, uuid(), png, 'x.png');
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toMatch(/^La ligne .* est introuvable dans cet exercice/);

      // A line deleted after its pièce was attached keeps it (shown, read), uncounted, closed to new ones.
      const later = uuid();
      expect((await mA.put(A, later, expense(pj(5)))).status).toBe(201);
      const kept = await attach(mA, later, tinyPdf(`ligne supprimée ${store}`), 'avant.pdf');
      expect(kept.status).toBe(201);
      expect((await mA.request('GET', `${base()}/attachments`)).body.counts[later]).toBe(1);
      expect((await mA.request('DELETE', `${base()}/lines/${later}`, undefined, { 'If-Match': '"1"' })).status).toBe(
        200,
      );
      expect((await mA.request('GET', `${base()}/attachments`)).body.counts[later]).toBeUndefined();
      expect((await mA.request('GET', `${base()}/lines/${later}/attachments`)).body).toEqual([kept.body]);
      expect((await download(mA, kept.body.id)).status).toBe(200);
      expect((await attach(mA, later, tinyPng(), 'apres.png')).status).toBe(404);
      expect((await mA.request('GET', `${base()}/lines/${uuid()}/attachments`)).status).toBe(404);
    });

    test('le corps : multipart/form-data (415), le champ file (422), un nom nettoyé', async () => {
      const json = await mA.request('POST', `${base()}/lines/${lines.a}/attachments`, { file: 'x' });
      expect(json.status).toBe(415);
      expect(json.body.code).toBe('multipart_attendu');
      const other = await attach(mA, lines.a, tinyPng(), 'x.png', { field: 'piece' });
      expect(other.status).toBe(422);
      expect(other.body.errors).toEqual([{ field: 'file', message: expect.stringMatching(/^file : /) }]);
      const form = new FormData();
      form.append('file', 'du texte');
      const textField = await fetch(`${mA.base}${base()}/lines/${lines.a}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${mA.token}` },
        body: form,
      });
      expect(textField.status).toBe(422);
      const empty = await attach(mA, lines.a, Buffer.alloc(0), 'vide.pdf');
      expect(empty.status).toBe(422);
      expect(empty.body.detail).toBe('file : le fichier « vide.pdf » est vide.');

      const named = await attach(mA, lines.a, tinyPng(1, 1), 'C:\\Users\\prof\\Bureau\\re\u202eçu.png');
      expect(named.status).toBe(201);
      expect(named.body.name).toBe('reçu.png');
      // A control character in a part's header is not multipart/form-data.
      const bell = await attach(mA, lines.a, tinyPng(1, 1), 're\u0007çu.png');
      expect([bell.status, bell.body.code]).toEqual([400, 'multipart_invalide']);
    });

    test('une autre coopérative : 404 partout ; sans session : 401', async () => {
      const pdf = await attach(mA, lines.c, tinyPdf('à cacher'), 'secret.pdf');
      expect(pdf.status).toBe(201);
      const id = pdf.body.id;
      expect((await attach(mB, lines.c, tinyPng(), 'x.png')).status).toBe(404);
      expect((await mB.request('GET', `${base()}/lines/${lines.c}/attachments`)).status).toBe(404);
      expect((await mB.request('GET', `${base()}/attachments`)).status).toBe(404);
      expect((await download(mB, id)).status).toBe(404);
      expect((await mB.request('DELETE', `${base()}/attachments/${id}`)).status).toBe(404);
      // B's own exercise does not reach A's pièce by its number either.
      const ofB = `/api/coops/${WORLD.coops.B}/exercises/2025/attachments/${id}`;
      expect((await mB.request('GET', ofB)).status).toBe(404);
      expect((await mB.request('DELETE', ofB)).status).toBe(404);

      const anonymous = new Client(instance.url);
      expect((await attach(anonymous, lines.c, tinyPng(), 'x.png')).status).toBe(401);
      expect((await anonymous.request('GET', `${base()}/attachments`)).status).toBe(401);
      expect((await download(anonymous, id)).status).toBe(401);
      expect((await anonymous.request('DELETE', `${base()}/attachments/${id}`)).status).toBe(401);
      expect((await download(mA, id)).status).toBe(200);
    });

    test('exercice clôturé : ni ajout ni retrait (409), la lecture reste possible', async () => {
      const closed = (await service.db.models.Exercise.findOne({
        where: { year: 2024, coopId: (await service.db.models.Coop.findOne({ where: { number: A } }))!.id },
      }))!;
      const line = uuid();
      await setExerciseStatus(service.db, closed.id, 'open');
      expect((await mA.put(A, line, expense(pj(1), 1000, { date: '2024-10-01' }), undefined, 2024)).status).toBe(201);
      const kept = await attach(mA, line, tinyPdf('2024'), 'facture-2024.pdf', { year: 2024 });
      expect(kept.status).toBe(201);
      await setExerciseStatus(service.db, closed.id, 'closed');

      const refused = await attach(mA, line, tinyPng(), 'x.png', { year: 2024 });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('exercice_clos');
      expect(refused.body.detail).toBe('L’exercice 2024-2025 est clôturé : il ne peut plus être modifié.');
      const del = await mA.request('DELETE', `${base(2024)}/attachments/${kept.body.id}`);
      expect(del.status).toBe(409);
      expect((await mA.request('GET', `${base(2024)}/lines/${line}/attachments`)).body).toEqual([kept.body]);
      expect((await mA.request('GET', `${base(2024)}/attachments/${kept.body.id}`)).status).toBe(200);
    });

    test('deux instances sur la même base (et le même dossier) voient les pièces l’une de l’autre', async () => {
      const other = await startService({ dbUrl: dbUrlOf(service), port: 0, sessionHours: 1, attachmentsDir: storeDir });
      try {
        const mA2 = clientOf(other, tokens.mA);
        const pdf = tinyPdf('deux instances');
        const made = await attach(mA, lines.b, pdf, 'partagee.pdf');
        expect(made.status).toBe(201);
        const seen = await download(mA2, made.body.id);
        expect([seen.status, sha(seen.bytes)]).toEqual([200, sha(pdf)]);
        expect((await attach(mA2, lines.b, pdf, 'partagee.pdf')).body).toEqual(made.body);

        const png = tinyPng(5, 5, [9, 9, 9]);
        const made2 = await attach(mA2, lines.c, png, 'seconde.png');
        expect(made2.status).toBe(201);
        expect(sha((await download(mA, made2.body.id)).bytes)).toBe(sha(png));

        expect((await mA2.request('DELETE', `${base()}/attachments/${made.body.id}`)).status).toBe(204);
        expect((await download(mA, made.body.id)).status).toBe(404);
        expect(await stored()).not.toContain(sha(pdf));

        // Adding and removing the same content on both instances at once: whatever the order,
        // every pièce left has its bytes, and no bytes are left without a pièce.
        const shared = tinyJpeg('partagée');
        for (let round = 0; round < 6; round++) {
          const first = await attach(mA, lines.a, shared, 'meme.jpg');
          const [, second] = await Promise.all([
            mA.request('DELETE', `${base()}/attachments/${first.body.id}`),
            attach(mA2, lines.b, shared, 'meme.jpg'),
          ]);
          expect(second.status).toBe(201);
          expect(sha((await download(mA, second.body.id)).bytes)).toBe(sha(shared));
          expect((await mA2.request('DELETE', `${base()}/attachments/${second.body.id}`)).status).toBe(204);
          expect(await stored()).not.toContain(sha(shared));
        }
      } finally {
        await other.close();
      }
    });
  });
});
