/**
 * Clôture: what blocks the closure of the exercise (errors first) and what deserves a look
 * (warnings), as the service checks it, each problem with the PJ of its lines; the queue of the
 * workbook is sent with the request (a line still waiting blocks). Refreshed on demand and when
 * the queue has emptied. Each PJ is a button that selects its line in the sheet; « Sélectionner
 * les N lignes » selects every line of a problem at once. When nothing blocks, « Clôturer l’exercice » (after a confirmation); once closed, the archived documents
 * with their SHA-256, each downloadable, and « Rouvrir » for the department's trésorier.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { exerciseLabel, formatDateFr, formatEuros, type ClosureReport } from '../../../templates/definition';
import { ApiError, saveFile, type ArchiveJson, type SessionUser } from '../api';
import type { SyncEngine } from '../sync';

/** "1 234 octets", "12,3 ko", "1,2 Mo". */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} octets`;
  const [n, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'ko'] : [bytes / (1024 * 1024), 'Mo'];
  return `${n.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ${unit}`;
}

/** The French sentences of a refusal, with the problems a 409 cloture_impossible lists. */
function refusalText(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error).message;
  const problems = Array.isArray(e.body.problems) ? (e.body.problems as { message?: unknown }[]) : [];
  const listed = problems.map((p) => (typeof p.message === 'string' ? p.message : '')).filter(Boolean);
  return listed.length ? `${e.sentences} ${listed.join(' ; ')}` : e.sentences;
}

/** « 2 lignes ne sont plus dans la feuille. » */
function missingText(n: number): string {
  return n > 1 ? `${n} lignes ne sont plus dans la feuille.` : '1 ligne n’est plus dans la feuille.';
}

export function Cloture({
  engine,
  role,
  onExercisesChanged,
}: {
  engine: SyncEngine;
  role: SessionUser['role'];
  /** An exercise was closed (the next one opened) or reopened: the pane's list of exercises is read again. */
  onExercisesChanged?: () => void;
}) {
  const [report, setReport] = useState<ClosureReport | null>(null);
  const [pjs, setPjs] = useState<Map<string, string>>(new Map());
  const [note, setNote] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [closed, setClosed] = useState(false);
  const [archives, setArchives] = useState<ArchiveJson[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const lastPending = useRef(engine.snapshot.pending);
  const { api, coop, year } = engine;

  const refresh = useCallback(async () => {
    setBusy(true);
    setNote(null);
    setHint(null);
    try {
      const [r, sheet, exercises] = await Promise.all([
        engine.api.closure(engine.coop, engine.year, engine.snapshot.pending),
        engine.readSheet(),
        engine.api.exercises(engine.coop),
      ]);
      setPjs(new Map(sheet.flatMap((s) => (s.id && s.line ? [[s.id, s.line.pj] as const] : []))));
      setReport(r);
      const isClosed = exercises.some((e) => e.year === engine.year && e.status === 'closed');
      setClosed(isClosed);
      setArchives(isClosed ? await engine.api.archives(engine.coop, engine.year) : []);
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
  const select = async (id: string) => {
    setHint(null);
    if (!(await engine.selectLine(id))) setNote('Cette ligne n’est plus dans la feuille.');
  };

  /** Every line of a problem selected at once in the sheet; what could not be, said. */
  const selectAll = async (ids: string[]) => {
    setNote(null);
    setHint(null);
    try {
      const { selected, missing } = await engine.selectLines(ids);
      const found = new Set(ids).size - missing;
      if (!found) {
        setNote('Ces lignes ne sont plus dans la feuille.');
        return;
      }
      const said: string[] = [];
      if (selected < found) {
        said.push(`Excel ne peut pas sélectionner ces ${found} lignes d’un coup : seule la première est sélectionnée.`);
      }
      if (missing) said.push(missingText(missing));
      if (said.length) setHint(said.join(' '));
    } catch (e) {
      setNote((e as Error).message);
    }
  };

  const close = async () => {
    setConfirming(false);
    setRefusal(null);
    setDone(null);
    setBusy(true);
    try {
      const out = await api.close(coop, year);
      setClosed(true);
      setArchives(out.archives);
      setDone(
        `Exercice ${exerciseLabel(year)} clôturé : ${out.archives.length} document(s) archivé(s). ` +
          `L’exercice ${exerciseLabel(out.next.year)} est ouvert avec les soldes de clôture en report à nouveau ` +
          `(banque ${formatEuros(out.next.opening.banque)}, caisse ${formatEuros(out.next.opening.caisse)}).`,
      );
      onExercisesChanged?.();
    } catch (e) {
      setRefusal(refusalText(e));
    } finally {
      setBusy(false);
    }
    void refresh();
  };

  const reopen = async () => {
    setRefusal(null);
    setDone(null);
    try {
      await api.reopen(coop, year, reason.trim());
      setReopening(false);
      setReason('');
      setDone(`Exercice ${exerciseLabel(year)} rouvert ; les documents archivés restent.`);
      onExercisesChanged?.();
      void refresh();
    } catch (e) {
      setRefusal(refusalText(e));
    }
  };

  const download = async (a: ArchiveJson) => {
    try {
      saveFile(await api.download(api.archivePath(coop, year, a.id)), a.name, a.type);
    } catch (e) {
      setRefusal(refusalText(e));
    }
  };

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
      {hint && (
        <MessageBar intent="warning">
          <MessageBarBody>{hint}</MessageBarBody>
        </MessageBar>
      )}
      {report && (
        <>
          <MessageBar intent={closed || report.canClose ? 'success' : 'warning'}>
            <MessageBarBody>
              {closed
                ? `L’exercice ${exerciseLabel(year)} est clôturé : il ne peut plus changer sans réouverture. Les chiffres ci-dessous sont ceux de la clôture.`
                : report.canClose
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
                <li
                  key={`${p.code}-${i}`}
                  className={p.severity === 'error' ? 'cc-proposal cc-gap' : 'cc-proposal'}
                  data-code={p.code}
                >
                  <div>
                    <Badge color={p.severity === 'error' ? 'danger' : 'warning'}>
                      {p.severity === 'error' ? 'Bloquant' : 'À vérifier'}
                    </Badge>{' '}
                    {p.message}
                  </div>
                  {p.lines.length > 0 && (
                    <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 4 }}>
                      <span>PJ : </span>
                      {p.lines.map((id) => (
                        <Button
                          key={id}
                          size="small"
                          appearance="subtle"
                          title="Sélectionner la ligne dans la feuille"
                          onClick={() => void select(id)}
                        >
                          {pjs.get(id) ?? '?'}
                        </Button>
                      ))}
                      {p.lines.length > 1 && (
                        <Button
                          size="small"
                          title="Sélectionner toutes les lignes de ce point dans la feuille"
                          onClick={() => void selectAll(p.lines)}
                        >
                          Sélectionner les {p.lines.length} lignes
                        </Button>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {refusal && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{refusal}</MessageBarBody>
        </MessageBar>
      )}
      {done && (
        <MessageBar intent="success">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      )}
      {report?.canClose && !closed && (
        <Button appearance="primary" onClick={() => setConfirming(true)} disabled={busy}>
          Clôturer l’exercice
        </Button>
      )}
      {closed && (
        <>
          <Text weight="semibold">Exercice {exerciseLabel(year)} clôturé : documents archivés</Text>
          <ul className="cc-list" aria-label="Documents archivés">
            {archives.map((a) => (
              <li key={a.id} className="cc-proposal">
                <Button size="small" appearance="subtle" onClick={() => void download(a)}>
                  {a.name}
                </Button>
                <Text size={200}>
                  {sizeText(a.size)} · clôture n° {a.closing}
                </Text>
                <Text size={200} font="monospace" style={{ wordBreak: 'break-all' }}>
                  SHA-256 : {a.sha256}
                </Text>
              </li>
            ))}
          </ul>
          {role !== 'mandataire' && <Button onClick={() => setReopening(true)}>Rouvrir</Button>}
        </>
      )}
      <Dialog open={confirming} onOpenChange={(_, d) => setConfirming(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Clôturer l’exercice {exerciseLabel(year)} ?</DialogTitle>
            <DialogContent>
              L’exercice passera en lecture seule : plus aucune écriture ne pourra y être saisie ni modifiée sans une
              réouverture par le trésorier départemental. L’exercice suivant s’ouvrira avec les soldes de clôture en
              report à nouveau, et le compte rendu financier sera archivé.
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => void close()}>
                Clôturer
              </Button>
              <Button onClick={() => setConfirming(false)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
      <Dialog open={reopening} onOpenChange={(_, d) => setReopening(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Rouvrir l’exercice {exerciseLabel(year)}</DialogTitle>
            <DialogContent>
              <Field label="Raison de la réouverture" required>
                <Textarea value={reason} onChange={(_, d) => setReason(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" disabled={!reason.trim()} onClick={() => void reopen()}>
                Rouvrir
              </Button>
              <Button onClick={() => setReopening(false)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
