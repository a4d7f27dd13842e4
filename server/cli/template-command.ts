import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { exerciseLabel, exerciseOf, parseEuros } from '../../templates/definition';
import { buildCahierWorkbook, DEFAULT_ROWS } from '../../templates/workbook/build';
import { UserError, type Command, type Values } from './command';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function parseYear(value: string | undefined, option = 'exercice'): number {
  if (value === undefined) return exerciseOf(today());
  if (!/^\d{4}$/.test(value) || Number(value) < 2000 || Number(value) > 2100) {
    throw new UserError(
      `--${option} attend l’année de début de l’exercice (ex. : 2025 pour 2025-2026), pas « ${value} ».`,
      2,
    );
  }
  return Number(value);
}

function parseAmount(values: Values, name: string): number {
  const v = values[name];
  if (typeof v !== 'string') return 0;
  const r = parseEuros(v);
  if ('error' in r) throw new UserError(`--${name} : ${r.error}`, 2);
  return r.cents;
}

export const templateCommand: Command = {
  name: 'template',
  summary: 'crée le classeur modèle du cahier (.xlsx) à partir de la définition',
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'FICHIER',
      description: 'fichier à écrire (défaut : cahier-AAAA-AAAA.xlsx)',
    },
    exercice: {
      type: 'string',
      value: 'ANNÉE',
      description: 'année de début de l’exercice (défaut : l’exercice en cours)',
    },
    nom: { type: 'string', value: 'NOM', description: 'nom de la coopérative' },
    numero: { type: 'string', value: 'N°', description: 'numéro d’affiliation OCCE' },
    departement: { type: 'string', value: 'CODE', description: 'département (ex. : 87)' },
    ecole: { type: 'string', value: 'NOM', description: 'école' },
    banque: { type: 'string', value: 'MONTANT', description: 'report à nouveau en banque (ex. : 1234,56)' },
    caisse: { type: 'string', value: 'MONTANT', description: 'report à nouveau en caisse' },
    lignes: { type: 'string', value: 'N', description: `lignes prêtes à remplir (défaut : ${DEFAULT_ROWS})` },
  },
  async run(values, _positionals, io) {
    const exercise = parseYear(values.exercice as string | undefined);
    const rows = values.lignes === undefined ? DEFAULT_ROWS : Number(values.lignes);
    if (!Number.isInteger(rows) || rows < 1 || rows > 20000) {
      throw new UserError(`--lignes attend un nombre entier entre 1 et 20000, pas « ${String(values.lignes)} ».`, 2);
    }
    const out = resolve(typeof values.out === 'string' ? values.out : `cahier-${exerciseLabel(exercise)}.xlsx`);
    const buffer = await buildCahierWorkbook({
      coop: {
        nom: (values.nom as string) ?? '',
        numero: (values.numero as string) ?? '',
        departement: (values.departement as string) ?? '',
        ecole: (values.ecole as string) ?? '',
      },
      exercise,
      opening: { banque: parseAmount(values, 'banque'), caisse: parseAmount(values, 'caisse') },
      rows,
    });
    try {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, buffer);
    } catch (e) {
      throw new UserError(`Impossible d’écrire ${out} : ${(e as Error).message}`);
    }
    io.out(`Modèle du cahier ${exerciseLabel(exercise)} écrit : ${out}\n`);
    return 0;
  },
};
