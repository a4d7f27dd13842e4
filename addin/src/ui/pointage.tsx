/**
 * Pointage: the bank lines not yet seen on a statement, filterable; point or un-point with a
 * confirmation; the statement balance typed in and the gap shown.
 */
import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Text,
} from '@fluentui/react-components';
import {
  formatDateFr,
  formatEuros,
  isIsoDate,
  parseEuros,
  rapprochement,
  touchesBank,
  type CahierLine,
} from '../../../templates/definition';
import type { SheetLine, SyncEngine } from '../sync';
import { AmountInput, DateField, amountError } from './fields';

export function Pointage({ engine }: { engine: SyncEngine }) {
  const [lines, setLines] = useState<SheetLine[]>([]);
  const [showPointed, setShowPointed] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [cheque, setCheque] = useState('');
  const [releve, setReleve] = useState('');
  const [confirm, setConfirm] = useState<SheetLine | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = async () => setLines(await engine.readSheet());
  useEffect(() => {
    void reload();
  }, []);

  const valid = lines.filter((s): s is SheetLine & { line: CahierLine } => s.line !== null);
  const bank = valid.filter((s) => touchesBank(s.line));
  const wanted = parseEuros(amount || 'x');
  const shown = bank.filter(
    (s) =>
      Boolean(s.line.pointed) === showPointed &&
      (!isIsoDate(from) || s.line.date >= from) &&
      (!isIsoDate(to) || s.line.date <= to) &&
      (!('cents' in wanted) || s.line.amount === wanted.cents) &&
      (!cheque || (s.line.cheque ?? '').includes(cheque.trim())),
  );
  const statement = parseEuros(releve || 'x');
  const rap =
    'cents' in statement
      ? rapprochement(
          valid.map((s) => s.line),
          engine.opening,
          statement.cents,
        )
      : null;

  const doPoint = async (s: SheetLine) => {
    setConfirm(null);
    setError(null);
    try {
      await engine.point(s.row, !s.line!.pointed);
    } catch (e) {
      setError((e as Error).message);
    }
    await reload();
  };

  return (
    <section aria-label="Pointage">
      <div className="cc-row">
        <DateField label="Du" value={from} onChange={setFrom} name="du" />
        <DateField label="Au" value={to} onChange={setTo} name="au" />
      </div>
      <div className="cc-row">
        <Field label="Montant (€)" validationMessage={amountError(amount)}>
          <AmountInput value={amount} onChange={setAmount} name="montant" placeholder="45,90" />
        </Field>
        <Field label="N° de chèque">
          <Input value={cheque} onChange={(_, d) => setCheque(d.value)} />
        </Field>
      </div>
      <div className="cc-row">
        <Button appearance={showPointed ? 'secondary' : 'primary'} onClick={() => setShowPointed(false)}>
          À pointer
        </Button>
        <Button appearance={showPointed ? 'primary' : 'secondary'} onClick={() => setShowPointed(true)}>
          Déjà pointées
        </Button>
      </div>
      <ul className="cc-list" aria-label={showPointed ? 'Lignes pointées' : 'Lignes à pointer'}>
        {shown.map((s) => (
          <li key={s.id ?? s.row}>
            <span>
              {s.line!.pj} · {formatDateFr(s.line!.date)} · {s.line!.libelle}
              {s.line!.cheque ? ` · chèque ${s.line!.cheque}` : ''} · <strong>{formatEuros(s.line!.amount)}</strong>
            </span>
            <Button size="small" onClick={() => setConfirm(s)}>
              {s.line!.pointed ? 'Dépointer' : 'Pointer'}
            </Button>
          </li>
        ))}
        {shown.length === 0 && <li>Aucune ligne.</li>}
      </ul>
      <Field label="Solde du relevé bancaire (€)" validationMessage={amountError(releve)}>
        <AmountInput value={releve} onChange={setReleve} name="releve" placeholder="1 234,56" />
      </Field>
      {rap && (
        <Text role="status" className={rap.ecart === 0 ? 'cc-ok' : 'cc-gap'}>
          {rap.ecart === 0
            ? 'Rapprochement juste : le relevé et le cahier concordent.'
            : `Écart de rapprochement : ${formatEuros(rap.ecart)} (recettes non pointées ${formatEuros(rap.recettesNonPointees)}, dépenses non pointées ${formatEuros(rap.depensesNonPointees)})`}
        </Text>
      )}
      {error && <Text className="cc-gap">{error}</Text>}
      <Dialog open={confirm !== null} onOpenChange={(_, d) => !d.open && setConfirm(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{confirm?.line?.pointed ? 'Dépointer cette ligne ?' : 'Pointer cette ligne ?'}</DialogTitle>
            <DialogContent>
              {confirm?.line && `${confirm.line.pj} – ${confirm.line.libelle} – ${formatEuros(confirm.line.amount)}`}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => confirm && void doPoint(confirm)}>
                Confirmation
              </Button>
              <Button onClick={() => setConfirm(null)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
