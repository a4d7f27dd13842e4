/**
 * Régies d'avance: per teacher holding one, what was given, spent and returned, and the balance
 * that must be back to zero at the closure (a balance left is shown in red with the service's
 * sentence). A holder picked shows the régie's lines and what was spent per chapter.
 */
import { useState } from 'react';
import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import {
  KINDS,
  findChapter,
  formatDateFr,
  formatEuros,
  type BookProblem,
  type RegieJson,
  type RegiesJson,
} from '../../../templates/definition';
import { WorkState, useBook, useBookTableStyles } from './book-parts';
import type { SideBookProps } from './livres';

/** A régie's holder as shown (validated lines entered without one are grouped under ""). */
const holderLabel = (holder: string) => holder || 'Sans titulaire';

/**
 * The problems of one régie: those naming one of its lines, or (for its lines still in draft,
 * which are in no régie) naming its holder.
 */
function problemsOf(regie: RegieJson, problems: readonly BookProblem[]): BookProblem[] {
  const ids = new Set(regie.lines.map((l) => l.id));
  const named = regie.holder
    ? new RegExp(`de ${regie.holder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u')
    : null;
  return problems.filter((p) => p.lines.some((id) => ids.has(id)) || (named !== null && named.test(p.message)));
}

function RegieDetail({ regie, chart }: { regie: RegieJson; chart: SideBookProps['engine']['chart'] }) {
  return (
    <section aria-label={`Régie : ${holderLabel(regie.holder)}`} className="cc-form">
      <Text as="h3" weight="semibold">
        Régie : {holderLabel(regie.holder)}
      </Text>
      <ul className="cc-list" aria-label={`Lignes de la régie : ${holderLabel(regie.holder)}`}>
        {regie.lines.map((l) => (
          <li key={l.id}>
            <span>
              PJ {l.pj} · {formatDateFr(l.date)} · {KINDS[l.kind]?.label ?? l.kind}
              <br />
              {l.libelle}
            </span>
            <span>{formatEuros(l.amount)}</span>
          </li>
        ))}
      </ul>
      <Text weight="semibold">Dépensé par chapitre</Text>
      {regie.spentByChapter.length === 0 ? (
        <Text size={200}>Aucune dépense payée par cette régie.</Text>
      ) : (
        <ul className="cc-list" aria-label={`Dépenses par chapitre : ${holderLabel(regie.holder)}`}>
          {regie.spentByChapter.map((c) => {
            const chapter = findChapter(chart, c.chapter);
            return (
              <li key={c.chapter}>
                <span>
                  {c.chapter}
                  {chapter ? ` – ${chapter.label}` : ''}
                </span>
                <span>{formatEuros(c.amount)}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function Regies({ api, engine, coop, year }: SideBookProps) {
  const {
    book: data,
    busy,
    note,
  } = useBook<RegiesJson>(api, `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/regies`);
  const [holder, setHolder] = useState<string | null>(null);
  const styles = useBookTableStyles();

  const shown = data?.regies.find((r) => r.holder === holder) ?? null;
  // Problems that belong to no régie listed (e.g. a line without its holder) are shown above.
  const general = data?.problems.filter((p) => !data.regies.some((r) => problemsOf(r, [p]).length > 0)) ?? [];

  return (
    <section aria-label="Régies d’avance" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Régies d’avance
      </Text>
      <Text size={200}>
        Une régie d’avance est une somme confiée à un enseignant pour les dépenses de sa classe. Ce qui est versé doit
        être dépensé (avec les pièces) ou rendu : à la clôture, chaque régie revient à zéro.
      </Text>
      <WorkState busy={busy} note={note} reading={data ? null : 'Lecture des régies…'} />
      {general.length > 0 && (
        <ul className="cc-problems" aria-label="Points à régler">
          {general.map((p, i) => (
            <li key={i} className={p.severity === 'error' ? 'cc-error' : 'cc-warning'}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      {data && data.regies.length === 0 && (
        <Text>
          Aucune régie d’avance dans cet exercice. Une régie commence par une écriture « Régie versée » qui nomme son
          titulaire.
        </Text>
      )}
      {data && data.regies.length > 0 && (
        <Table size="extra-small" aria-label="Régies par titulaire">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Titulaire</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Versé</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Dépensé</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Rendu</TableHeaderCell>
              <TableHeaderCell className={styles.amount}>Solde</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.regies.map((r) => {
              const problems = problemsOf(r, data.problems);
              return [
                <TableRow key={r.holder}>
                  <TableCell>
                    <Button
                      size="small"
                      appearance={r.holder === holder ? 'primary' : 'subtle'}
                      onClick={() => setHolder(r.holder === holder ? null : r.holder)}
                    >
                      {holderLabel(r.holder)}
                    </Button>
                  </TableCell>
                  <TableCell className={styles.amount}>{formatEuros(r.given)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(r.spent)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(r.returned)}</TableCell>
                  <TableCell className={styles.amount}>
                    <Text
                      weight={r.balance !== 0 ? 'semibold' : 'regular'}
                      className={r.balance !== 0 ? 'cc-gap' : 'cc-ok'}
                      aria-label={`Solde de la régie : ${holderLabel(r.holder)}`}
                    >
                      {formatEuros(r.balance)}
                    </Text>
                  </TableCell>
                </TableRow>,
                ...problems.map((p, i) => (
                  <TableRow key={`${r.holder}-${i}`}>
                    <TableCell colSpan={5}>
                      <Text size={200} className={p.severity === 'error' ? 'cc-error' : 'cc-warning'}>
                        {p.message}
                      </Text>
                    </TableCell>
                  </TableRow>
                )),
              ];
            })}
          </TableBody>
        </Table>
      )}
      {data && data.regies.length > 0 && !shown && (
        <Text size={200}>Choisissez un titulaire pour voir les lignes de sa régie.</Text>
      )}
      {shown && <RegieDetail regie={shown} chart={engine.chart} />}
    </section>
  );
}
