/**
 * The coop's administrative data as the department keeps it: school, address, mandataire and
 * co-signataire, bank account, last bank statement. The fields the user may change (the service
 * says which) are inputs, the others are shown as they are. The IBAN and the BIC are checked as
 * they are typed; the service checks everything again and its French sentence is shown under
 * the field it names.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, Spinner, Text, Textarea } from '@fluentui/react-components';
import {
  COOP_ADMIN_FIELDS,
  checkBic,
  checkIban,
  formatDateFr,
  formatEuros,
  formatIban,
  isIsoDate,
  parseEuros,
  type CoopAdminField,
  type CoopAdminInput,
  type CoopJson,
  type PersonJson,
} from '../../../templates/definition';
import { ApiError } from '../api';
import { errorText } from './book-parts';
import { AmountInput, DateField, amountError, formatAmount } from './fields';
import type { SideBookProps } from './livres';

/** The form as typed: every field a text. */
interface Draft {
  name: string;
  school: string;
  address: string;
  mandataire: { name: string; email: string; phone: string };
  cosignatory: { name: string; email: string; phone: string };
  bank: { iban: string; bic: string; name: string };
  lastStatement: { date: string; balance: string };
  /** jj/mm, empty for the default (1 June). */
  pointageThreshold: string;
}

/** "06-01" ↔ "01/06": the threshold of old unpointed bank lines, typed the French way. */
const thresholdDraft = (t: string | null) => (t ? `${t.slice(3, 5)}/${t.slice(0, 2)}` : '');
function thresholdOf(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\s*$/.exec(text);
  return m ? `${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : text.trim() || null;
}

const personDraft = (p: PersonJson | null) => ({ name: p?.name ?? '', email: p?.email ?? '', phone: p?.phone ?? '' });

function draftOf(c: CoopJson): Draft {
  return {
    name: c.name,
    school: c.school ?? '',
    address: c.address ?? '',
    mandataire: personDraft(c.mandataire),
    cosignatory: personDraft(c.cosignatory),
    bank: { iban: c.bank ? formatIban(c.bank.iban) : '', bic: c.bank?.bic ?? '', name: c.bank?.name ?? '' },
    lastStatement: {
      date: c.lastStatement?.date ?? '',
      balance: c.lastStatement ? formatAmount(c.lastStatement.balance) : '',
    },
    pointageThreshold: thresholdDraft(c.pointageThreshold),
  };
}

const text = (s: string) => s.trim() || null;

function personOf(p: Draft['mandataire']): PersonJson | null {
  if (!p.name.trim() && !p.email.trim() && !p.phone.trim()) return null;
  return { name: p.name.trim(), email: text(p.email), phone: text(p.phone) };
}

/** What the form says, field by field, in the service's shape (before the checks). */
function inputOf(d: Draft): Required<CoopAdminInput> {
  const iban = checkIban(d.bank.iban);
  const bic = checkBic(d.bank.bic);
  const balance = parseEuros(d.lastStatement.balance);
  return {
    name: d.name.trim(),
    school: text(d.school),
    address: text(d.address),
    mandataire: personOf(d.mandataire),
    cosignatory: personOf(d.cosignatory),
    bank:
      !d.bank.iban.trim() && !d.bank.bic.trim() && !d.bank.name.trim()
        ? null
        : {
            iban: iban.ok ? iban.iban : d.bank.iban.trim(),
            bic: d.bank.bic.trim() ? (bic.ok ? bic.bic : d.bank.bic.trim()) : null,
            name: text(d.bank.name),
          },
    lastStatement:
      !d.lastStatement.date && !d.lastStatement.balance.trim()
        ? null
        : { date: d.lastStatement.date, balance: 'cents' in balance ? balance.cents : NaN },
    pointageThreshold: thresholdOf(d.pointageThreshold),
  };
}

/** The checks the pane can make before sending, by field path ("bank.iban"). */
function localErrors(d: Draft, editable: readonly CoopAdminField[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const can = (f: CoopAdminField) => editable.includes(f);
  if (can('name') && !d.name.trim()) errors.name = 'Nom : obligatoire.';
  for (const key of ['mandataire', 'cosignatory'] as const) {
    const p = d[key];
    if (can(key) && !p.name.trim() && (p.email.trim() || p.phone.trim())) errors[`${key}.name`] = 'Nom : obligatoire.';
    if (can(key) && p.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email.trim())) {
      errors[`${key}.email`] = `Courriel : « ${p.email.trim()} » n’est pas une adresse (ex. prenom.nom@ac-limoges.fr).`;
    }
  }
  if (can('bank')) {
    const b = d.bank;
    if (b.iban.trim() || b.bic.trim() || b.name.trim()) {
      const iban = checkIban(b.iban);
      if (!iban.ok) errors['bank.iban'] = iban.error;
      const bic = checkBic(b.bic);
      if (b.bic.trim() && !bic.ok) errors['bank.bic'] = bic.error;
    }
  }
  if (can('lastStatement')) {
    const s = d.lastStatement;
    if (s.date || s.balance.trim()) {
      if (!isIsoDate(s.date)) errors['lastStatement.date'] = 'Date du relevé : jj/mm/aaaa.';
      if (!s.balance.trim()) errors['lastStatement.balance'] = 'Solde du relevé : obligatoire avec sa date.';
      else {
        const e = amountError(s.balance);
        if (e) errors['lastStatement.balance'] = e;
      }
    }
  }
  if (
    can('pointageThreshold') &&
    d.pointageThreshold.trim() &&
    !/^\d{1,2}\/\d{1,2}$/.test(d.pointageThreshold.trim())
  ) {
    errors.pointageThreshold = 'Seuil de pointage : jour et mois, jj/mm (ex. 01/06).';
  }
  return errors;
}

/**
 * The service's refusal as sentences per field path: its field errors ("bank.iban", "bank",
 * "/bank/iban"…), else its detail under the field it names, else for the whole form ("").
 */
function serviceErrors(e: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  const list = Array.isArray(e.body.errors) ? (e.body.errors as { field?: unknown; message?: unknown }[]) : [];
  for (const x of list) {
    const field = typeof x.field === 'string' ? x.field.replace(/^\//, '').replace(/\//g, '.') : '';
    const message = typeof x.message === 'string' ? x.message : e.message;
    out[field] = out[field] ? `${out[field]} ; ${message}` : message;
  }
  if (list.length === 0) {
    const field = typeof e.body.field === 'string' ? e.body.field : '';
    out[field] = e.message;
  }
  return out;
}

/** A shown value (read-only field). */
function Shown({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Field label={label}>
      <Text aria-label={label}>{children || '—'}</Text>
    </Field>
  );
}

const FIELD_LABELS: Record<CoopAdminField, string> = {
  name: 'Nom de la coopérative',
  school: 'École',
  address: 'Adresse',
  mandataire: 'Mandataire',
  cosignatory: 'Co-signataire',
  bank: 'Banque',
  lastStatement: 'Dernier relevé',
  pointageThreshold: 'Seuil de pointage (jj/mm)',
};

export function Cooperative({ api, coop }: SideBookProps) {
  const path = `/api/coops/${encodeURIComponent(coop)}`;
  const [data, setData] = useState<CoopJson | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ intent: 'success' | 'error'; text: string } | null>(null);

  const show = (c: CoopJson) => {
    setData(c);
    setDraft(draftOf(c));
  };

  useEffect(() => {
    api
      .request<CoopJson>('GET', path)
      .then(show)
      .catch((e: unknown) => setNote({ intent: 'error', text: errorText(e) }));
  }, [api, path]);

  if (!data || !draft) {
    return (
      <section aria-label="Coopérative" className="cc-form">
        {note ? (
          <MessageBar intent={note.intent}>
            <MessageBarBody>{note.text}</MessageBarBody>
          </MessageBar>
        ) : (
          <Spinner size="tiny" label="Lecture de la coopérative…" />
        )}
      </section>
    );
  }

  const editable = data.editable;
  const can = (f: CoopAdminField) => editable.includes(f);
  const checks = localErrors(draft, editable);
  const errorOf = (key: string) => checks[key] ?? errors[key];
  const set = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    // The service's sentences were about what was sent: a change sends something new.
    setErrors({});
    setNote(null);
  };
  /** The service's sentence for a group (« bank ») goes under its first field. */
  const groupError = (group: string, first: string) => errorOf(first) ?? errors[group];

  const before = inputOf(draftOf(data));
  const after = inputOf(draft);
  const changed = editable.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));

  const save = async () => {
    setErrors({});
    setNote(null);
    if (Object.keys(checks).length > 0) return;
    const body: CoopAdminInput = {};
    for (const f of changed) (body as Record<string, unknown>)[f] = after[f];
    setBusy(true);
    try {
      show(await api.request<CoopJson>('PATCH', path, body));
      setNote({ intent: 'success', text: 'Données de la coopérative enregistrées.' });
    } catch (e) {
      if (!(e instanceof ApiError)) {
        setNote({ intent: 'error', text: (e as Error).message });
        return;
      }
      const byField = serviceErrors(e);
      setErrors(byField);
      const named = Object.keys(byField).filter(Boolean);
      setNote({
        intent: 'error',
        text: named.length
          ? `Rien n’a été enregistré : corrigez ${named.length > 1 ? 'les champs signalés' : 'le champ signalé'}.`
          : e.sentences,
      });
    } finally {
      setBusy(false);
    }
  };

  const person = (key: 'mandataire' | 'cosignatory') => {
    const p = draft[key];
    const label = FIELD_LABELS[key];
    if (!can(key)) {
      const shown = data[key];
      return (
        <Shown label={label}>{shown ? [shown.name, shown.email, shown.phone].filter(Boolean).join(' · ') : ''}</Shown>
      );
    }
    const edit = (patch: Partial<Draft['mandataire']>) => set({ [key]: { ...p, ...patch } });
    return (
      <fieldset className="cc-ventilation" aria-label={label}>
        <legend>{label}</legend>
        <Field label="Nom" validationMessage={groupError(key, `${key}.name`)}>
          <Input value={p.name} onChange={(_, d) => edit({ name: d.value })} name={`${key}-name`} />
        </Field>
        <div className="cc-row">
          <Field label="Courriel" validationMessage={errorOf(`${key}.email`)}>
            <Input type="email" value={p.email} onChange={(_, d) => edit({ email: d.value })} name={`${key}-email`} />
          </Field>
          <Field label="Téléphone" validationMessage={errorOf(`${key}.phone`)}>
            <Input type="tel" value={p.phone} onChange={(_, d) => edit({ phone: d.value })} name={`${key}-phone`} />
          </Field>
        </div>
      </fieldset>
    );
  };

  return (
    <section aria-label="Coopérative" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Coopérative {data.number}
      </Text>
      <Text size={200}>
        Données tenues par l’association départementale (département {data.department})
        {editable.length < COOP_ADMIN_FIELDS.length
          ? ' : celles qui s’affichent sans zone de saisie ne se modifient que par le trésorier départemental.'
          : '.'}
      </Text>
      {can('name') ? (
        <Field label={FIELD_LABELS.name} required validationMessage={errorOf('name')}>
          <Input value={draft.name} onChange={(_, d) => set({ name: d.value })} name="name" />
        </Field>
      ) : (
        <Shown label={FIELD_LABELS.name}>{data.name}</Shown>
      )}
      {can('school') ? (
        <Field label={FIELD_LABELS.school} validationMessage={errorOf('school')}>
          <Input value={draft.school} onChange={(_, d) => set({ school: d.value })} name="school" />
        </Field>
      ) : (
        <Shown label={FIELD_LABELS.school}>{data.school}</Shown>
      )}
      {can('address') ? (
        <Field label={FIELD_LABELS.address} validationMessage={errorOf('address')}>
          <Textarea value={draft.address} onChange={(_, d) => set({ address: d.value })} name="address" rows={3} />
        </Field>
      ) : (
        <Shown label={FIELD_LABELS.address}>{data.address}</Shown>
      )}
      {person('mandataire')}
      {person('cosignatory')}
      {can('bank') ? (
        <fieldset className="cc-ventilation" aria-label={FIELD_LABELS.bank}>
          <legend>{FIELD_LABELS.bank}</legend>
          <Field label="IBAN" validationMessage={groupError('bank', 'bank.iban')}>
            <Input
              value={draft.bank.iban}
              onChange={(_, d) => set({ bank: { ...draft.bank, iban: d.value } })}
              onBlur={() => {
                const r = checkIban(draft.bank.iban);
                if (r.ok) set({ bank: { ...draft.bank, iban: formatIban(r.iban) } });
              }}
              name="iban"
              placeholder="FR76 3000 6000 0112 3456 7890 189"
              autoComplete="off"
            />
          </Field>
          <div className="cc-row">
            <Field label="BIC" validationMessage={errorOf('bank.bic')}>
              <Input
                value={draft.bank.bic}
                onChange={(_, d) => set({ bank: { ...draft.bank, bic: d.value } })}
                name="bic"
                autoComplete="off"
              />
            </Field>
            <Field label="Nom de la banque" validationMessage={errorOf('bank.name')}>
              <Input
                value={draft.bank.name}
                onChange={(_, d) => set({ bank: { ...draft.bank, name: d.value } })}
                name="bank-name"
              />
            </Field>
          </div>
        </fieldset>
      ) : (
        <Shown label={FIELD_LABELS.bank}>
          {data.bank ? [formatIban(data.bank.iban), data.bank.bic, data.bank.name].filter(Boolean).join(' · ') : ''}
        </Shown>
      )}
      {can('lastStatement') ? (
        <fieldset className="cc-ventilation" aria-label={FIELD_LABELS.lastStatement}>
          <legend>Dernier relevé de banque</legend>
          <div className="cc-row">
            <DateField
              label="Date du relevé"
              value={draft.lastStatement.date}
              onChange={(date) => set({ lastStatement: { ...draft.lastStatement, date } })}
              name="statement-date"
              error={errorOf('lastStatement.date')}
            />
            <Field label="Solde du relevé (€)" validationMessage={groupError('lastStatement', 'lastStatement.balance')}>
              <AmountInput
                value={draft.lastStatement.balance}
                onChange={(balance) => set({ lastStatement: { ...draft.lastStatement, balance } })}
                name="statement-balance"
                placeholder="1 234,56"
              />
            </Field>
          </div>
        </fieldset>
      ) : (
        <Shown label="Dernier relevé de banque">
          {data.lastStatement
            ? `${formatDateFr(data.lastStatement.date)} : ${formatEuros(data.lastStatement.balance)}`
            : ''}
        </Shown>
      )}
      {can('pointageThreshold') ? (
        <Field
          label={FIELD_LABELS.pointageThreshold}
          hint="Les lignes de banque non pointées datées d’avant ce jour bloquent la clôture (vide : 01/06)."
          validationMessage={errorOf('pointageThreshold')}
        >
          <Input
            value={draft.pointageThreshold}
            onChange={(_, d) => set({ pointageThreshold: d.value })}
            name="pointage-threshold"
            placeholder="01/06"
          />
        </Field>
      ) : (
        <Shown label={FIELD_LABELS.pointageThreshold}>{thresholdDraft(data.pointageThreshold) || '01/06'}</Shown>
      )}
      {editable.length > 0 ? (
        <div className="cc-row">
          <Button appearance="primary" disabled={busy || changed.length === 0} onClick={() => void save()}>
            Enregistrer
          </Button>
          <Button
            disabled={busy || changed.length === 0}
            onClick={() => {
              setDraft(draftOf(data));
              setErrors({});
              setNote(null);
            }}
          >
            Annuler les changements
          </Button>
        </div>
      ) : (
        <Text size={200}>Ces données ne se modifient que par le trésorier départemental.</Text>
      )}
      {busy && <Spinner size="tiny" label="Enregistrement…" />}
      {note && (
        <MessageBar intent={note.intent}>
          <MessageBarBody>{note.text}</MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
