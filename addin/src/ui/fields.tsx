/**
 * The pane's date and amount fields, French whatever the browser's or Excel's language: dates
 * typed and shown jj/mm/aaaa (a native date input would follow the browser's locale, e.g.
 * mm/dd/yyyy), amounts typed and shown 1 234,56.
 */
import { useEffect, useState } from 'react';
import { Field, Input, type InputProps } from '@fluentui/react-components';
import { formatDateFr, formatEuros, isIsoDate, parseDateFr, parseEuros } from '../../../templates/definition';

/**
 * What a treasurer types as a date: "15/09/2025", "15/9/25", "15.09.2025", "15092025",
 * "150925" (and "2025-09-15" pasted). Returns the ISO date, null when empty, or a French error.
 */
export function parseDateInput(text: string): { date: string } | { error: string } | null {
  const t = text.trim();
  if (!t) return null;
  if (isIsoDate(t)) return { date: t };
  const m = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{2}|\d{4})$/.exec(t);
  if (!m) return { error: `« ${t} » n’est pas une date : tapez-la jj/mm/aaaa (ex. 15/09/2025).` };
  const fr = `${m[1]!.padStart(2, '0')}/${m[2]!.padStart(2, '0')}/${m[3]!.length === 2 ? `20${m[3]}` : m[3]}`;
  const date = parseDateFr(fr);
  return date ? { date } : { error: `Le ${fr} n’existe pas dans le calendrier.` };
}

/** What the field hands on: the ISO date, '' when empty, the text as typed when it is no date. */
function dateOf(text: string): string {
  const r = parseDateInput(text);
  return r === null ? '' : 'date' in r ? r.date : text.trim();
}

export interface DateFieldProps {
  label: string;
  /** ISO date ("2025-09-15"), '' for none, or a text that is no date. */
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  name?: string;
  /** What the form says of the date (a refusal of its rules or of the service), shown under it. */
  error?: string | null;
}

/**
 * A date typed jj/mm/aaaa; rewritten jj/mm/aaaa when the field is left. Under it, once it is
 * left, what is no date in its own French words; else what the form says of the date.
 */
export function DateField({ label, value, onChange, required, name, error }: DateFieldProps) {
  const [text, setText] = useState(isIsoDate(value) ? formatDateFr(value) : value);
  const [editing, setEditing] = useState(false);
  // A value set from outside (a line to modify, a form reset) replaces the text.
  useEffect(() => {
    if (dateOf(text) !== value) setText(isIsoDate(value) ? formatDateFr(value) : value);
  }, [value]);
  const parsed = parseDateInput(text);
  const wrong = parsed && 'error' in parsed ? parsed.error : undefined;
  const message = (wrong ? (editing ? undefined : wrong) : error) ?? undefined;
  return (
    <Field label={label} required={required} validationMessage={message}>
      <Input
        name={name}
        value={text}
        placeholder="jj/mm/aaaa"
        autoComplete="off"
        onFocus={() => setEditing(true)}
        onChange={(_, d) => {
          setText(d.value);
          onChange(dateOf(d.value));
        }}
        onBlur={() => {
          setEditing(false);
          if (parsed && 'date' in parsed) setText(formatDateFr(parsed.date));
        }}
      />
    </Field>
  );
}

/** 123456 → "1 234,56" (the euro sign is in the field's label). */
export function formatAmount(cents: number): string {
  return formatEuros(cents).replace(/\u00a0€$/, '');
}

/** An amount typed "1 234,56" (or "1234.5", "45,90 €"), shown "1 234,56" once the field is left. */
export function AmountInput({
  value,
  onChange,
  ...props
}: Omit<InputProps, 'value' | 'onChange'> & { value: string; onChange: (value: string) => void }) {
  return (
    <Input
      {...props}
      value={value}
      inputMode="decimal"
      autoComplete="off"
      onChange={(_, d) => onChange(d.value)}
      onBlur={() => {
        const r = parseEuros(value);
        if (value.trim() && 'cents' in r) onChange(formatAmount(r.cents));
      }}
    />
  );
}

/** The error of an amount field, in French, once something is typed. */
export function amountError(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const r = parseEuros(text);
  return 'error' in r ? r.error : undefined;
}
