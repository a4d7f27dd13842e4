import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exerciseLabel, exerciseOf } from '../../templates/definition';
import { buildCahierWorkbook } from '../../templates/workbook/build';
import { DEMO_IMPORTED_COOP, demoLegacyCahier } from '../demo/legacy';
import { UserError, type Command } from './command';
import { DB_OPTION } from './db-option';
import { ATTACHMENTS_OPTION, runService } from './serve-command';
import { exportWorkbook } from '../operations/export';
import type { Principal } from '../operations/access';

/** Who exports the demo's workbook at start (reads only). */
const DEMO_EXPORTER: Principal = {
  userId: 0,
  login: 'cahier start',
  role: 'admin',
  coopId: null,
  departmentCode: null,
};

/**
 * `cahier start`: the product on this machine. Writes, under the data folder, the empty cahier
 * template of the current exercise and the old cahier of the demo's second coop, starts the
 * service on SQLite (data/cahier.sqlite) with the demo cooperatives and their logins, then writes
 * the demo coop's workbook as the service exports it.
 */
export const startCommand: Command = {
  name: 'start',
  summary: 'démarre Cahier Coop : service avec la coopérative de démonstration, modèles dans data/',
  options: {
    data: { type: 'string', value: 'DOSSIER', description: 'dossier des fichiers produits (défaut : data)' },
    port: { type: 'string', value: 'N', description: 'port du service (défaut : 3000)' },
    db: { ...DB_OPTION, description: 'base de données (défaut : sqlite:DOSSIER/cahier.sqlite)' },
    attachments: ATTACHMENTS_OPTION,
    https: { type: 'boolean', description: 'HTTPS avec les certificats de développement Office' },
  },
  async run(values, _positionals, io) {
    const dir = resolve(typeof values.data === 'string' ? values.data : 'data');
    const exercise = exerciseOf(new Date().toISOString().slice(0, 10));
    const demoYear = exercise - 1;
    const files: [string, Promise<Buffer>][] = [
      [
        `cahier-modele-${exerciseLabel(exercise)}.xlsx`,
        buildCahierWorkbook({
          coop: { nom: '', numero: '', departement: '' },
          exercise,
          opening: { banque: 0, caisse: 0 },
        }),
      ],
    ];
    // The old Excel cahier of the demo's second coop (imported at the demo's start: importing it
    // again from the pane or with `cahier import` changes nothing).
    const old = demoLegacyCahier(demoYear);
    files.push([(await old).file, old.then((o) => o.bytes)]);
    try {
      await mkdir(dir, { recursive: true });
      for (const [name, content] of files) await writeFile(join(dir, name), await content);
    } catch (e) {
      throw new UserError(`Impossible d’écrire dans ${dir} : ${(e as Error).message}`);
    }
    io.out(
      [
        'Cahier Coop est prêt.',
        `  Modèle vierge de l’exercice ${exerciseLabel(exercise)} : ${join(dir, files[0]![0])}`,
        `  Ancien cahier Excel de la coopérative ${DEMO_IMPORTED_COOP.number} (déjà importé dans la démonstration) : ${join(dir, files[1]![0])}`,
        'Ouvrez-les dans Excel ou LibreOffice Calc ; les formules se calculent à l’ouverture.',
        '',
      ].join('\n'),
    );
    const service = await runService({ ...values, db: values.db ?? `sqlite:${join(dir, 'cahier.sqlite')}` }, io, true);
    // The demo coop's exercise as the service exports it (GET …/workbook.xlsx): every line with its
    // status, id and version, the side books and the compte rendu, to open in Excel.
    if (service.demo) {
      const exported = await exportWorkbook(service.db, DEMO_EXPORTER, service.demo.coop, service.demo.exercise);
      const path = join(dir, exported.fileName);
      await writeFile(path, exported.bytes);
      io.out(`  Cahier de la coopérative de démonstration exporté par le service : ${path}\n`);
    }
    return new Promise<number>(() => undefined); // runs until stopped
  },
};
