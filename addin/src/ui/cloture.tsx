/**
 * Clôture: what blocks the closure of the exercise (errors first) and what deserves a look
 * (warnings), as the service checks it, each problem with the PJ of its lines; the queue of the
 * workbook is sent with the request (a line still waiting blocks). Refreshed on demand and when
 * the queue has emptied.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { formatDateFr, formatEuros, type ClosureReport } from '../../../templates/definition';
import { ApiError } from '../api';
import type { SyncEngine } from '../sync';

export function Cloture({ engine }: { engine: SyncEngine }) {
  const [report, setReport] = useState<ClosureReport | null>(null);
  const [pjs, setPjs] = useState<Map<string, string>>(new Map());
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lastPending = useRef(engine.snapshot.pending);

  const refresh = useCallback(async () => {
    setBusy(true);
    setNote(null);
    try {
      const [r, sheet] = await Promise.all([
        engine.api.closure(engine.coop, engine.year, engine.snapshot.pending),
        engine.readSheet(),
      ]);
      setPjs(new Map(sheet.flatMap((s) => (s.id && s.line ? [[s.id, s.line.pj] as const] : []))));
      setReport(r);
    } catch (e) {
      setNote(
        e instanceof ApiError && e.status === 404
          ? 'La liste de contrôle de la clôture n’est pas encore proposée par ce service.'
          : (e as Error).message,
      );
    } finally {
      setBusy(false);
    }
  }, [engine]);

  useEffect(() => {
    void refresh();
    // Once the queue has emptied, what the service checks has changed.
    return engine.subscribe((s) => {
      if (lastPending.current > 0 && s.pending === 0) void refresh();
      lastPending.current = s.pending;
    });
  }, [engine, refresh]);

  const errors = report?.problems.filter((p) => p.severity === 'error') ?? [];
  const warnings = report?.problems.filter((p) => p.severity === 'warning') ?? [];
  const pjText = (ids: string[]) => ids.map((id) => pjs.get(id) ?? '?').join(', ');

  return (
    <section aria-label="Clôture" className="cc-form">
      <Button onClick={() => void refresh()} disabled={busy}>
        Actualiser les contrôles
      </Button>
      {busy && <Spinner size="tiny" label="Contrôle en cours…" />}
      {note && (
        <MessageBar intent="error">
          <MessageBarBody>{note}</MessageBarBody>
        </MessageBar>
      )}
      {report && (
        <>
          <MessageBar intent={report.canClose ? 'success' : 'warning'}>
            <MessageBarBody>
              {report.canClose
                ? `Rien ne bloque la clôture (contrôle du ${formatDateFr(report.date)}).`
                : `La clôture n’est pas encore possible : ${errors.length} point${errors.length > 1 ? 's' : ''} à régler (contrôle du ${formatDateFr(report.date)}).`}
            </MessageBarBody>
          </MessageBar>
          <Text>
            Banque {formatEuros(report.figures.balances.banque)} · Caisse {formatEuros(report.figures.balances.caisse)}{' '}
            · Résultat {formatEuros(report.figures.result)}
          </Text>
          {report.problems.length > 0 && (
            <ul className="cc-list" aria-label="Points de clôture">
              {[...errors, ...warnings].map((p, i) => (
                <li key={`${p.code}-${i}`} className={p.severity === 'error' ? 'cc-gap' : ''} data-code={p.code}>
                  <Badge color={p.severity === 'error' ? 'danger' : 'warning'}>
                    {p.severity === 'error' ? 'Bloquant' : 'À vérifier'}
                  </Badge>{' '}
                  {p.message}
                  {p.lines.length > 0 && <Text block>PJ : {pjText(p.lines)}</Text>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
