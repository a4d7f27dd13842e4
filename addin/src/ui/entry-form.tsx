/**
 * Création d'une écriture: every field of a pièce on one screen, with the ventilation either
 * automatique (one chapter takes the whole amount) or répartie over several chapters with the
 * remaining gap shown live. The shared rules run as the treasurer types.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Text,
} from '@fluentui/react-components';
import {
  ACCOUNT_LABELS,
  KINDS,
  LINE_KINDS,
  MODES,
  MODE_LABELS,
  chapterChoice,
  formatEuros,
  orderChart,
  parseEuros,
  touchesRegie,
  ventilationShortfall,
  type Account,
  type Chart,
  type LineInput,
  type LineKind,
  type Mode,
  type Problem,
} from '../../../templates/definition';
import { AmountInput, DateField, amountError, formatAmount } from './fields';

export interface EntryFormProps {
  chart: Chart;
  proposePj: () => Promise<string>;
  validate: (line: LineInput) => Problem[];
  onSave: (line: LineInput) => Promise<void>;
  /** A line to modify (portrait), or null for a new one. */
  initial: LineInput | null;
  onCancel?: () => void;
}

interface Part {
  chapter: string;
  amount: string;
}

/** Today in the treasurer's own calendar (not UTC: a line typed at 00:30 is today's). */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function EntryForm(props: EntryFormProps) {
  const { chart, initial } = props;
  const [pj, setPj] = useState(initial?.pj ?? '');
  const [date, setDate] = useState(initial?.date ?? today());
  const [libelle, setLibelle] = useState(initial?.libelle ?? '');
  const [kind, setKind] = useState<LineKind>(initial?.kind ?? 'depense');
  const [account, setAccount] = useState<Account>(initial?.account ?? 'banque');
  const [mode, setMode] = useState<Mode | ''>(initial?.mode ?? 'cheque');
  const [cheque, setCheque] = useState(initial?.cheque ?? '');
  const [action, setAction] = useState(initial?.action ?? '');
  const [holder, setHolder] = useState(initial?.holder ?? '');
  const [amount, setAmount] = useState(initial ? formatAmount(initial.amount) : '');
  const [split, setSplit] = useState((initial?.ventilation.length ?? 0) > 1);
  const [chapter, setChapter] = useState(initial?.ventilation[0]?.chapter ?? '');
  const [parts, setParts] = useState<Part[]>(
    initial && initial.ventilation.length > 1
      ? initial.ventilation.map((p) => ({ chapter: p.chapter, amount: formatAmount(p.amount) }))
      : [
          { chapter: '', amount: '' },
          { chapter: '', amount: '' },
        ],
  );
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ text: string; draft: boolean } | null>(null);

  /** The treasurer typed the PJ herself: it is no longer the one proposed. */
  const pjTyped = useRef(Boolean(initial));
  const propose = () =>
    props.proposePj().then((next) => {
      if (!pjTyped.current) setPj(next);
    });

  useEffect(() => {
    if (!initial) void propose();
  }, []);

  const def = KINDS[kind];
  const side = def.side;
  // A line that gives, spends or returns a régie d'avance names the teacher who holds it.
  const regie = def.accounts.includes(account) && touchesRegie({ kind, account });
  const chapters = orderChart(chart);
  const sideChapters = chapters.filter((c) => !side || c.side === side);
  const parsed = parseEuros(amount || '0');
  const cents = 'cents' in parsed ? parsed.cents : NaN;

  const line: LineInput = useMemo(() => {
    const ventilation = !def.ventilated
      ? []
      : split
        ? parts
            .filter((p) => p.chapter && p.amount.trim())
            .map((p) => {
              const r = parseEuros(p.amount);
              return { chapter: p.chapter, amount: 'cents' in r ? r.cents : NaN };
            })
        : chapter
          ? [{ chapter, amount: cents }]
          : [];
    return {
      pj: pj.trim(),
      date,
      libelle,
      kind,
      account,
      mode: mode || null,
      cheque: cheque.trim() || null,
      action: action.trim() || null,
      holder: regie ? holder.trim() || null : null,
      amount: cents,
      ventilation,
    };
  }, [
    pj,
    date,
    libelle,
    kind,
    account,
    mode,
    cheque,
    action,
    holder,
    regie,
    cents,
    split,
    parts,
    chapter,
    def.ventilated,
  ]);

  // Checks appear once the treasurer has started the pièce (a fresh form is not an error).
  const started = Boolean(initial) || libelle.trim() !== '' || amount.trim() !== '';
  const problems = !started || ('error' in parsed && amount) ? [] : props.validate(line);
  const errors = problems.filter((p) => p.severity === 'error');
  const holderProblem = problems.find((p) => p.field === 'holder' && p.severity === 'error');
  const gap = def.ventilated && split && Number.isFinite(cents) ? ventilationShortfall(line, chart) : 0;

  const changeKind = (k: LineKind) => {
    setKind(k);
    if (!KINDS[k].accounts.includes(account)) setAccount(KINDS[k].accounts[0]!);
    setChapter('');
  };

  const save = async () => {
    setSaving(true);
    setMessage(null);
    try {
      await props.onSave(line);
      setMessage(
        errors.length
          ? { text: 'Écriture gardée en brouillon : corrigez les points signalés.', draft: true }
          : { text: 'Écriture enregistrée.', draft: false },
      );
      if (!initial) {
        setLibelle('');
        setAmount('');
        setCheque('');
        setChapter('');
        setParts([
          { chapter: '', amount: '' },
          { chapter: '', amount: '' },
        ]);
        pjTyped.current = false;
        await propose();
      }
    } catch (e) {
      setMessage({ text: (e as Error).message, draft: true });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="cc-form"
      aria-label={initial ? 'Modifier l’écriture' : 'Nouvelle écriture'}
      // Lines may have arrived since the PJ was proposed (the exercise loaded, a line typed in
      // the sheet): coming back to the form proposes the next free number again.
      onFocus={(e) => {
        if (!initial && !pjTyped.current && !e.currentTarget.contains(e.relatedTarget as Node | null)) void propose();
      }}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="cc-row">
        <Field label="N° de pièce" required>
          <Input
            value={pj}
            onChange={(_, d) => {
              pjTyped.current = true;
              setPj(d.value);
            }}
            name="pj"
          />
        </Field>
        <DateField label="Date" required value={date} onChange={setDate} name="date" />
      </div>
      <Field label="Libellé (qui – quoi)" required>
        <Input
          value={libelle}
          onChange={(_, d) => setLibelle(d.value)}
          name="libelle"
          placeholder="Librairie Martin – albums"
        />
      </Field>
      <div className="cc-row">
        <Field label="Nature">
          <Select value={kind} onChange={(_, d) => changeKind(d.value as LineKind)} name="kind">
            {LINE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KINDS[k].label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Compte">
          <Select value={account} onChange={(_, d) => setAccount(d.value as Account)} name="account">
            {def.accounts.map((a) => (
              <option key={a} value={a}>
                {ACCOUNT_LABELS[a]}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="cc-row">
        <Field label="Mode">
          <Select value={mode} onChange={(_, d) => setMode(d.value as Mode | '')} name="mode">
            <option value="">—</option>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_LABELS[m]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="N° de chèque">
          <Input value={cheque} onChange={(_, d) => setCheque(d.value)} name="cheque" />
        </Field>
      </div>
      <div className="cc-row">
        <Field label="Montant (€)" required validationMessage={amountError(amount)}>
          <AmountInput value={amount} onChange={setAmount} name="amount" placeholder="45,90" />
        </Field>
        <Field label="Action">
          <Input value={action} onChange={(_, d) => setAction(d.value)} name="action" placeholder="Photos scolaires" />
        </Field>
      </div>
      {regie && (
        <Field
          label="Titulaire de la régie"
          required
          hint="L’enseignant qui tient la régie d’avance (son nom, et sa classe si besoin)."
          validationMessage={holderProblem?.message}
        >
          <Input value={holder} onChange={(_, d) => setHolder(d.value)} name="holder" placeholder="Mme Martin (CE1)" />
        </Field>
      )}
      {def.ventilated && (
        <fieldset className="cc-ventilation">
          <legend>Ventilation</legend>
          <RadioGroup
            layout="horizontal"
            value={split ? 'split' : 'auto'}
            onChange={(_, d) => setSplit(d.value === 'split')}
          >
            <Radio value="auto" label="Automatique" />
            <Radio value="split" label="Sur plusieurs chapitres" />
          </RadioGroup>
          {!split ? (
            <Field label="Chapitre">
              <Select value={chapter} onChange={(_, d) => setChapter(d.value)} name="chapter">
                <option value="">Choisissez un chapitre</option>
                {sideChapters.map((c) => (
                  <option key={c.code} value={c.code}>
                    {chapterChoice(c)}
                  </option>
                ))}
              </Select>
            </Field>
          ) : (
            <>
              {parts.map((p, i) => (
                <div className="cc-row" key={i}>
                  <Select
                    aria-label={`Chapitre ${i + 1}`}
                    value={p.chapter}
                    onChange={(_, d) => setParts(parts.map((x, j) => (j === i ? { ...x, chapter: d.value } : x)))}
                  >
                    <option value="">Chapitre</option>
                    {chapters.map((c) => (
                      <option key={c.code} value={c.code}>
                        {chapterChoice(c)}
                      </option>
                    ))}
                  </Select>
                  <AmountInput
                    aria-label={`Montant du chapitre ${i + 1}`}
                    value={p.amount}
                    onChange={(v) => setParts(parts.map((x, j) => (j === i ? { ...x, amount: v } : x)))}
                  />
                </div>
              ))}
              <Button size="small" onClick={() => setParts([...parts, { chapter: '', amount: '' }])}>
                Ajouter un chapitre
              </Button>
              <Text role="status" className={gap === 0 ? 'cc-ok' : 'cc-gap'}>
                {gap === 0
                  ? 'Ventilation équilibrée'
                  : gap > 0
                    ? `Reste à ventiler : ${formatEuros(gap)}`
                    : `Ventilé en trop : ${formatEuros(-gap)}`}
              </Text>
            </>
          )}
        </fieldset>
      )}
      {problems.length > 0 && (
        <ul className="cc-problems" aria-label="Contrôles">
          {problems.map((p, i) => (
            <li key={i} className={p.severity === 'error' ? 'cc-error' : 'cc-warning'}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit" disabled={saving}>
          {initial ? 'Enregistrer la modification' : 'Enregistrer l’écriture'}
        </Button>
        {props.onCancel && <Button onClick={props.onCancel}>Annuler</Button>}
      </div>
      {message && (
        <MessageBar intent={message.draft ? 'warning' : 'success'}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}
