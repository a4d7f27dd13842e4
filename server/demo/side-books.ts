/**
 * The demo year's side books, stored through the same operations as the API: the monthly
 * arrêtés de caisse, the two subsidies with their receipts and uses, the inventory of the
 * durable goods, a pièce justificative on the first purchases, and the coop's administrative
 * data. Lines are named by their PJ in the generated year; `ids` maps each PJ to its line id.
 */
import type { Chart } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { CoopRow, ExerciseRow } from '../db/models';
import type { Principal } from '../operations/access';
import { addAttachment } from '../operations/side-books/attachments';
import { putCashCount } from '../operations/side-books/cash-counts';
import { updateCoopAdmin } from '../operations/side-books/coop-admin';
import { createInventoryItem } from '../operations/side-books/inventory';
import { attachSubsidyLine, createSubsidy } from '../operations/side-books/subsidies';
import type { AttachmentStore } from '../storage/attachments';
import { onePagePdf } from './pieces';
import type { GeneratedYear } from './year';

export interface DemoSideBooks {
  db: Db;
  coop: CoopRow;
  exercise: ExerciseRow;
  chart: Chart;
  /** The mandataire: the side books are hers. */
  mandataire: Principal;
  /** The department's trésorier: the coop's bank details are his. */
  tresorier: Principal;
  store: AttachmentStore;
}

export async function seedSideBooks(demo: DemoSideBooks, year: GeneratedYear, ids: Map<string, string>): Promise<void> {
  const { db, coop, exercise, chart, mandataire, tresorier, store } = demo;
  const scope = { db, principal: mandataire, exercise, chart };
  const id = (pj: string) => {
    const found = ids.get(pj);
    if (!found) throw new Error(`démo : la pièce ${pj} n’a pas de ligne`);
    return found;
  };
  for (const count of year.cashCounts) await putCashCount(scope, count.date, { counts: count.counts }, null);
  for (const { receipts, uses, received: _r, spent: _s, ...input } of year.subsidies) {
    const subsidy = await createSubsidy(scope, input);
    for (const r of receipts) await attachSubsidyLine(scope, subsidy.id, id(r.pj), 'receipt');
    for (const u of uses) await attachSubsidyLine(scope, subsidy.id, id(u.pj), 'use');
  }
  const coopScope = { db, principal: mandataire, coop, chart };
  for (const item of year.inventory) {
    // An item bought before the demo year has no line in it (its lines were in an older cahier).
    const lines = item.lines.filter((l) => ids.has(l.pj)).map((l) => id(l.pj));
    await createInventoryItem(coopScope, { ...item, lines });
  }
  // The invoices of the durable goods, scanned.
  for (const item of year.inventory.slice(0, 3)) {
    for (const l of item.lines.filter((x) => ids.has(x.pj))) {
      await addAttachment(scope, store, id(l.pj), {
        name: `facture-${l.pj}.pdf`,
        bytes: onePagePdf(`Facture - ${item.designation} - PJ ${l.pj}`),
      });
    }
  }
  await updateCoopAdmin(db, tresorier, coop.number, {
    address: '12 rue Jules Ferry\n87000 Limoges',
    mandataire: { name: 'Claire Dubois', email: 'claire.dubois@example.fr', phone: '05 55 00 00 01' },
    cosignatory: { name: 'Marc Laurent', email: null, phone: null },
    bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP', name: 'Banque de la Coopération' },
  });
}
