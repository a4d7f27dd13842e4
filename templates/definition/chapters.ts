/**
 * The chart of chapters (plan de ventilation). It is data: a department may add chapters
 * (6181, 6168, 761…); this default is the OCCE chart of the paper cahier.
 */
import { compareNumeric } from './order';

export type ChapterSide = 'charge' | 'produit';

/** A reminder the cahier shows when a line uses the chapter. */
export type ChapterReminder = 'inventaire' | 'subvention';

export interface Chapter {
  /** Account code as written in the cahier: "6180". */
  code: string;
  side: ChapterSide;
  /** Short French label, used in column headers (no [ ] # ' characters). */
  label: string;
  /** What belongs to it, in the words of the paper cahier. */
  description: string;
  reminder?: ChapterReminder;
}

export type Chart = readonly Chapter[];

export const DEFAULT_CHART: Chart = [
  {
    code: '6070',
    side: 'charge',
    label: 'Achats pour revente',
    description: 'Biens achetés pour être revendus sans transformation : calendriers OCCE, photos de classe…',
  },
  {
    code: '6180',
    side: 'charge',
    label: 'Activités éducatives',
    description:
      'Frais des projets pédagogiques : sorties, voyages, matériel, transport, droits d’entrée, livres de bibliothèque, abonnements…',
  },
  { code: '6281', side: 'charge', label: 'Cotisation OCCE', description: 'Cotisation versée à l’OCCE.' },
  { code: '6282', side: 'charge', label: 'Assurance', description: 'Souscription de l’assurance MAE / MAIF.' },
  {
    code: '6500',
    side: 'charge',
    label: 'Charges non éducatives',
    description: 'Dépenses non pédagogiques : loto, tombola, timbres-poste…',
  },
  {
    code: '6700',
    side: 'charge',
    label: 'Charges exceptionnelles',
    description: 'Dépenses imprévues, versements des collectes, opérations de solidarité, dons…',
  },
  {
    code: '6800',
    side: 'charge',
    label: 'Biens durables',
    description: 'Matériels devant être assurés (audio-vidéo, informatique…) : à inscrire au cahier d’inventaire.',
    reminder: 'inventaire',
  },
  { code: '7070', side: 'produit', label: 'Ventes de biens', description: 'Ventes des biens achetés en 6070.' },
  {
    code: '7080',
    side: 'produit',
    label: 'Produits des activités',
    description:
      'Vente de journaux scolaires, de produits fabriqués par les élèves, participations aux sorties et aux activités…',
  },
  {
    code: '7410',
    side: 'produit',
    label: 'Subventions des collectivités',
    description: 'Subventions des collectivités locales (commune, département…).',
    reminder: 'subvention',
  },
  {
    code: '7420',
    side: 'produit',
    label: 'Subventions des associations',
    description: 'Subventions des associations (parents d’élèves…).',
    reminder: 'subvention',
  },
  {
    code: '7500',
    side: 'produit',
    label: 'Fêtes lotos tombolas',
    description: 'Lotos, tombolas, aides versées par l’OCCE.',
  },
  {
    code: '7560',
    side: 'produit',
    label: 'Participation des familles',
    description: 'Participation des familles au fonctionnement de la coopérative.',
  },
  {
    code: '7700',
    side: 'produit',
    label: 'Produits exceptionnels',
    description: 'Produits exceptionnels, dons, reversements, collectes et opérations de solidarité.',
  },
];

export const CHAPTER_SIDE_LABELS: Record<ChapterSide, string> = { charge: 'Charge', produit: 'Produit' };

/** Charges first, then produits, each by code: the order of the right page. */
export function orderChart(chart: Chart): Chapter[] {
  return [...chart].sort((a, b) => (a.side === b.side ? compareNumeric(a.code, b.code) : a.side === 'charge' ? -1 : 1));
}

export function findChapter(chart: Chart, code: string): Chapter | undefined {
  return chart.find((c) => c.code === code);
}

/** "6180 – Activités éducatives": the text of the chapter list in the workbook. */
export function chapterChoice(chapter: Chapter): string {
  return `${chapter.code} – ${chapter.label}`;
}

/** Reads a chapter list entry back ("6180 – Activités…", "6180" or the number 6180). */
export function chapterCodeFromChoice(choice: unknown): string | null {
  if (typeof choice === 'number' && Number.isInteger(choice)) return String(choice);
  if (typeof choice !== 'string') return null;
  const m = /^\s*(\d+)/.exec(choice);
  return m ? m[1]! : null;
}

/** Checks a department's chart: unique numeric codes, charges start with 6, produits with 7. */
export function chartProblems(chart: Chart): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of chart) {
    if (!/^\d{3,6}$/.test(c.code)) problems.push(`Le code de chapitre « ${c.code} » doit être un nombre.`);
    if (seen.has(c.code)) problems.push(`Le chapitre ${c.code} est déclaré deux fois.`);
    seen.add(c.code);
    const expected = c.side === 'charge' ? '6' : '7';
    if (!c.code.startsWith(expected)) {
      problems.push(
        `Le chapitre ${c.code} est déclaré comme ${CHAPTER_SIDE_LABELS[c.side].toLowerCase()} : son code devrait commencer par ${expected}.`,
      );
    }
    if (!c.label.trim() || /[[\]#']/.test(c.label)) {
      problems.push(`Le libellé du chapitre ${c.code} est vide ou contient [ ] # ou une apostrophe droite.`);
    }
  }
  return problems;
}
