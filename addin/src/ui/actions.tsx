/**
 * Synthèse des actions: per action tag of the lines (a project: photos scolaires, sortie…), its
 * receipts, expenses, result and how many lines, with the totals — the Actions sheet's figures,
 * as the service computes them.
 */
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { formatEuros, type ActionJson } from '../../../templates/definition';
import { WorkState, useBook, useBookTableStyles } from './book-parts';
import type { SideBookProps } from './livres';

function Result({ cents, label }: { cents: number; label: string }) {
  return (
    <span className={cents < 0 ? 'cc-gap' : undefined} aria-label={label}>
      {formatEuros(cents)}
    </span>
  );
}

export function Actions({ api, coop, year }: SideBookProps) {
  const {
    book: actions,
    busy,
    note,
  } = useBook<ActionJson[]>(api, `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/actions`);
  const styles = useBookTableStyles();

  const totals = (actions ?? []).reduce(
    (t, a) => ({
      receipts: t.receipts + a.receipts,
      expenses: t.expenses + a.expenses,
      result: t.result + a.result,
      lines: t.lines + a.lines,
    }),
    { receipts: 0, expenses: 0, result: 0, lines: 0 },
  );

  return (
    <section aria-label="Synthèse des actions" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Synthèse des actions
      </Text>
      <Text size={200}>
        Pour chaque action (la colonne « Action » des écritures) : ce qu’elle a rapporté, ce qu’elle a coûté et son
        résultat.
      </Text>
      <WorkState busy={busy} note={note} reading={actions ? null : 'Lecture des actions…'} />
      {actions && actions.length === 0 && (
        <Text>
          Aucune écriture ne porte d’action dans cet exercice : indiquez-la dans le champ « Action » de la saisie.
        </Text>
      )}
      {actions && actions.length > 0 && (
        <Table size="extra-small" aria-label="Actions de l’exercice">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Action</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Recettes</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Dépenses</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Résultat</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Lignes</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {actions.map((a) => (
              <TableRow key={a.action}>
                <TableCell>{a.action}</TableCell>
                <TableCell className={styles.amount}>{formatEuros(a.receipts)}</TableCell>
                <TableCell className={styles.amount}>{formatEuros(a.expenses)}</TableCell>
                <TableCell className={styles.amount}>
                  <Result cents={a.result} label={`Résultat de l’action ${a.action}`} />
                </TableCell>
                <TableCell className={styles.amount}>{a.lines}</TableCell>
              </TableRow>
            ))}
            <TableRow aria-label="Total des actions">
              <TableCell>
                <strong>Total</strong>
              </TableCell>
              <TableCell className={styles.amount}>
                <strong>{formatEuros(totals.receipts)}</strong>
              </TableCell>
              <TableCell className={styles.amount}>
                <strong>{formatEuros(totals.expenses)}</strong>
              </TableCell>
              <TableCell className={styles.amount}>
                <strong>
                  <Result cents={totals.result} label="Résultat de toutes les actions" />
                </strong>
              </TableCell>
              <TableCell className={styles.amount}>
                <strong>{totals.lines}</strong>
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      )}
    </section>
  );
}
