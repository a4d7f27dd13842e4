/**
 * The generated year's side books through the domain's own functions (the service's figures),
 * lines named by their PJ as ids: what the workbook's sheets must show.
 */
import {
  DEFAULT_CHART,
  inventoryCheck,
  subsidiesBook,
  type BookLine,
  type CahierLine,
  type InventoryCheckJson,
  type SubsidiesJson,
} from '../../templates/definition';
import type { GeneratedInventoryItem, GeneratedSubsidy } from '../../server/demo/year';

/** The lines with their PJ as id. */
export function withIds(lines: readonly CahierLine[]): BookLine[] {
  return lines.map((l) => ({ ...l, id: l.pj }));
}

/** The tableau des subventions as the service computes it, subsidies numbered from 1. */
export function subsidiesOf(subsidies: readonly GeneratedSubsidy[], lines: readonly CahierLine[]): SubsidiesJson {
  const records = subsidies.map((s, i) => ({
    id: i + 1,
    version: 1,
    financeur: s.financeur,
    objet: s.objet,
    chapter: s.chapter,
    granted: s.granted,
    decisionDate: s.decisionDate,
    actions: s.actions,
    state: s.state,
    justifiedOn: s.justifiedOn,
    note: s.note,
  }));
  const links = subsidies.flatMap((s, i) => [
    ...s.receipts.map((l) => ({ subsidyId: i + 1, lineId: l.pj, role: 'receipt' as const })),
    ...s.uses.map((l) => ({ subsidyId: i + 1, lineId: l.pj, role: 'use' as const })),
  ]);
  return subsidiesBook(records, links, withIds(lines), DEFAULT_CHART);
}

/** The cahier d'inventaire of the exercise as the service computes it, items numbered from 1. */
export function inventoryOf(
  exercise: number,
  items: readonly GeneratedInventoryItem[],
  lines: readonly CahierLine[],
): InventoryCheckJson {
  const records = items.map((item, i) => ({ ...item, id: i + 1, version: 1, lines: item.lines.map((l) => l.pj) }));
  const itemLines = new Map(withIds(lines).map((l) => [l.id, { ...l, exercise }]));
  return inventoryCheck(exercise, records, withIds(lines), itemLines, DEFAULT_CHART);
}
