/**
 * Arrêté de caisse: the paper counting form (every note and coin, how many of each), the total
 * as the treasurer types, the date of the count. Saved on the service, which answers with the
 * caisse balance of the cahier at the end of that date and the gap: « Bravo » when the caisse
 * is right, the gap in red otherwise. The arrêtés already made are listed, newest first; one
 * picked is loaded back into the grid.
 */
import { useState } from 'react';
import {
  Button,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import {
  DENOMINATIONS,
  caisseTotal,
  exerciseBounds,
  formatDateFr,
  formatEuros,
  isInExercise,
  isIsoDate,
  type CaisseCount,
  type CashCountJson,
} from '../../../templates/definition';
import { ConfirmRemoval, WorkState, useBook, useBookTableStyles } from './book-parts';
import { today } from './entry-form';
import { DateField } from './fields';
import type { SideBookProps } from './livres';

/** What is typed in each box of the grid, by denomination in cents. */
type Typed = Record<number, string>;

/** Today when it falls in the exercise, else the exercise's nearest end. */
function defaultDate(year: number): string {
  const t = today();
  const { start, end } = exerciseBounds(year);
  return isInExercise(t, year) ? t : t > end ? end : start;
}

/** How many notes or coins a box says: a whole number, 0 when empty, null when it is not one. */
function howMany(text: string | undefined): number | null {
  const t = (text ?? '').trim();
  if (!t) return 0;
  return /^\d{1,6}$/.test(t) ? Number(t) : null;
}

function typedOf(counts: Record<string, number>): Typed {
  const typed: Typed = {};
  for (const d of DENOMINATIONS) {
    const n = counts[String(d.cents)];
    if (n) typed[d.cents] = String(n);
  }
  return typed;
}

/** The sentence under the count: « Bravo » or the gap and what to do. */
function Verdict({ count }: { count: CashCountJson }) {
  if (count.ok || count.gap === 0) {
    return (
      <Text weight="semibold" className="cc-ok" role="status" aria-label="Résultat de l’arrêté">
        Bravo, la caisse est juste !
      </Text>
    );
  }
  const missing = count.gap < 0;
  return (
    <Text weight="semibold" className="cc-gap" role="status" aria-label="Résultat de l’arrêté">
      Écart : {formatEuros(count.gap)} ({missing ? 'il manque' : 'il y a en trop'} {formatEuros(Math.abs(count.gap))}{' '}
      dans la caisse). Recomptez ou vérifiez les écritures de caisse.
    </Text>
  );
}

export function Caisse({ api, engine, coop, year }: SideBookProps) {
  const path = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/cash-counts`;
  const [typed, setTyped] = useState<Typed>({});
  const [date, setDate] = useState(() => defaultDate(year));
  const [result, setResult] = useState<CashCountJson | null>(null);
  const { book: list, load: reload, busy, note, setNote, run } = useBook<CashCountJson[]>(api, path);
  const [removing, setRemoving] = useState<CashCountJson | null>(null);
  const styles = useBookTableStyles();

  const numbers = DENOMINATIONS.map((d) => howMany(typed[d.cents]));
  const wrong = DENOMINATIONS.filter((_, i) => numbers[i] === null);
  const count: CaisseCount = {};
  DENOMINATIONS.forEach((d, i) => {
    if (numbers[i]) count[d.cents] = numbers[i]!;
  });
  const total = caisseTotal(count);
  const { start, end } = exerciseBounds(year);
  const dateError = !isIsoDate(date)
    ? 'Indiquez la date du comptage (jj/mm/aaaa).'
    : !isInExercise(date, year)
      ? `La date du comptage doit être dans l’exercice, du ${formatDateFr(start)} au ${formatDateFr(end)}.`
      : null;

  const type = (cents: number, value: string) => {
    setTyped((t) => ({ ...t, [cents]: value }));
    setResult(null);
  };

  const save = () =>
    run('Enregistrement de l’arrêté…', async () => {
      // The lines typed a moment ago go first, so the balance of the cahier counts them.
      await engine.flush().catch(() => undefined);
      const counts: Record<string, number> = {};
      for (const [cents, n] of Object.entries(count)) if (n) counts[cents] = n;
      const saved = await api.request<CashCountJson>('PUT', `${path}/${date}`, { counts });
      setResult(saved);
      await reload();
    });

  const load = (c: CashCountJson) => {
    setTyped(typedOf(c.counts));
    setDate(c.date);
    setResult(c);
    setNote(null);
  };

  const remove = (c: CashCountJson) =>
    run('Suppression de l’arrêté…', async () => {
      await api.request('DELETE', `${path}/${c.date}`);
      if (result?.date === c.date) setResult(null);
      await reload();
      setNote({ intent: 'success', text: `Arrêté du ${formatDateFr(c.date)} supprimé.` });
    });

  return (
    <section aria-label="Arrêté de caisse" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Arrêté de caisse
      </Text>
      <Text size={200}>
        Comptez les billets et les pièces de la caisse et tapez combien il y en a de chaque sorte : le total doit être
        égal au solde de la caisse dans le cahier à cette date.
      </Text>
      <DateField
        label="Date du comptage"
        required
        value={date}
        onChange={setDate}
        name="date-arrete"
        error={dateError}
      />
      <Table size="extra-small" aria-label="Comptage des billets et des pièces">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Billets et pièces</TableHeaderCell>
            <TableHeaderCell>Nombre</TableHeaderCell>
            <TableHeaderCell className={styles.amount}>Montant</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {DENOMINATIONS.map((d, i) => (
            <TableRow key={d.cents}>
              <TableCell className={styles.nowrap}>{d.label}</TableCell>
              <TableCell>
                <Input
                  size="small"
                  aria-label={d.label}
                  aria-invalid={numbers[i] === null}
                  inputMode="numeric"
                  autoComplete="off"
                  placeholder="0"
                  value={typed[d.cents] ?? ''}
                  onChange={(_, v) => type(d.cents, v.value)}
                  style={{ width: '5em' }}
                />
              </TableCell>
              <TableCell className={styles.amount}>{numbers[i] ? formatEuros(numbers[i]! * d.cents) : ''}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {wrong.length > 0 && (
        <Text className="cc-error">
          Tapez un nombre entier de billets ou de pièces pour : {wrong.map((d) => d.label).join(', ')}.
        </Text>
      )}
      <Text weight="semibold" role="status" aria-label="Total compté">
        Total compté : {formatEuros(total)}
      </Text>
      <div className="cc-row">
        <Button
          appearance="primary"
          disabled={busy !== null || wrong.length > 0 || dateError !== null}
          onClick={() => void save()}
        >
          Enregistrer l’arrêté
        </Button>
        <Button
          disabled={busy !== null}
          onClick={() => {
            setTyped({});
            setResult(null);
          }}
        >
          Effacer le comptage
        </Button>
      </div>
      <WorkState busy={busy} note={note} />
      {result && (
        <section aria-label="Résultat de l’arrêté" className="cc-form">
          <Text weight="semibold">Arrêté du {formatDateFr(result.date)}</Text>
          <Text>Total compté : {formatEuros(result.total)}</Text>
          <Text>
            Solde de la caisse dans le cahier au {formatDateFr(result.date)} : {formatEuros(result.balance)}
          </Text>
          <Verdict count={result} />
          <Text size={200}>Le solde du cahier compte les écritures validées jusqu’à cette date incluse.</Text>
        </section>
      )}
      <section aria-label="Arrêtés enregistrés">
        <Text as="h3" weight="semibold">
          Arrêtés enregistrés
        </Text>
        {list === null ? null : list.length === 0 ? (
          <Text block size={200}>
            Aucun arrêté de caisse dans cet exercice.
          </Text>
        ) : (
          <ul className="cc-list">
            {list.map((c) => (
              <li key={c.date}>
                <span>
                  {formatDateFr(c.date)} · {formatEuros(c.total)} ·{' '}
                  <span className={c.ok || c.gap === 0 ? 'cc-ok' : 'cc-gap'}>
                    {c.ok || c.gap === 0 ? 'juste' : `écart ${formatEuros(c.gap)}`}
                  </span>
                </span>
                <span className="cc-row">
                  <Button size="small" disabled={busy !== null} onClick={() => load(c)}>
                    Reprendre
                  </Button>
                  <Button
                    size="small"
                    appearance="subtle"
                    disabled={busy !== null}
                    aria-label={`Supprimer l’arrêté du ${formatDateFr(c.date)}`}
                    onClick={() => setRemoving(c)}
                  >
                    Supprimer
                  </Button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <ConfirmRemoval
        open={removing !== null}
        title="Supprimer l’arrêté de caisse ?"
        confirm="Supprimer l’arrêté"
        onConfirm={() => removing && void remove(removing)}
        onClose={() => setRemoving(null)}
      >
        {removing &&
          `L’arrêté du ${formatDateFr(removing.date)} (${formatEuros(removing.total)} comptés) sera supprimé. Le comptage affiché au-dessus reste en place.`}
      </ConfirmRemoval>
    </section>
  );
}
