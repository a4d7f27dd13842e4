import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exerciseLabel, exerciseOf } from '../../templates/definition';
import { buildCahierWorkbook } from '../../templates/workbook/build';
import { DEMO_IMPORTED_COOP, demoLegacyCahier } from '../demo/legacy';
import { DEMO_COOP, generateYear } from '../demo/year';
import { UserError, type Command } from './command';
import { DB_OPTION } from './db-option';
import { ATTACHMENTS_OPTION, runService } from './serve-command';

/**
 * `cahier start`: the product on this machine. Writes, under the data folder, the empty cahier
 * template of the current exercise and a demo cahier workbook, then starts the service on
 * SQLite (data/cahier.sqlite) with the demo cooperative and its logins.
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
    const year = generateYear({ exercise: demoYear, seed: 2025 });
    const files: [string, Promise<Buffer>][] = [
      [
        `cahier-modele-${exerciseLabel(exercise)}.xlsx`,
        buildCahierWorkbook({
          coop: { nom: '', numero: '', departement: '' },
          exercise,
          opening: { banque: 0, caisse: 0 },
        }),
      ],
      [
        `cahier-demo-${exerciseLabel(demoYear)}.xlsx`,
        buildCahierWorkbook({
          coop: DEMO_COOP,
          exercise: demoYear,
          opening: year.opening,
          lines: year.lines,
          cashCounts: year.cashCounts,
          subsidies: year.subsidies,
          inventory: year.inventory,
          releve: year.releve,
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
        `  Cahier de démonstration (${DEMO_COOP.nom}, ${year.lines.length} écritures) : ${join(dir, files[1]![0])}`,
        `  Ancien cahier Excel de la coopérative ${DEMO_IMPORTED_COOP.number} (déjà importé dans la démonstration) : ${join(dir, files[2]![0])}`,
        'Ouvrez-les dans Excel ou LibreOffice Calc ; les formules se calculent à l’ouverture.',
        '',
      ].join('\n'),
    );
    await runService({ ...values, db: values.db ?? `sqlite:${join(dir, 'cahier.sqlite')}` }, io, true);
    return new Promise<number>(() => undefined); // runs until stopped
  },
};
