/**
 * Rapprochement bancaire: import the bank's statement file, see the service's proposals (the
 * certain ones accepted in one click, the others accepted or set aside one by one), create the
 * cahier line proposed for a statement line that has none (through the sync engine, then
 * cleared by its statement line), and the état de rapprochement at the statement's date.
 * Lines pointed here get their X and new version in the sheet at once.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Badge, Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { STATEMENT_FORMAT_LABELS, formatDateFr, formatEuros, type LineInput } from '../../../templates/definition';
import {
  ApiError,
  type Acceptance,
  type OutstandingItem,
  type Proposal,
  type ReconciliationJson,
  type StatementLineJson,
  type StatementSummary,
  type Unmatched,
} from '../api';
import type { SyncEngine } from '../sync';

/**
 * The files banks give, offered first by the file picker; the service recognises the format by
 * the content, so a file of another name may be chosen too (« Tous les fichiers »).
 */
export const STATEMENT_FILES = '.csv,.txt,.ofx,.xml,.120,.cfonb';

interface Shown {
  statement: StatementSummary;
  /** Lines of the file: read, new, already imported before. */
  counts: { read: number; new: number; alreadyImported: number };
  proposals: Proposal[];
  unmatched: Unmatched[];
}

type Note = { intent: 'success' | 'error' | 'info'; text: string };

function describeStatementLine(l: StatementLineJson): string {
  return `${formatDateFr(l.date)} · ${l.label}${l.cheque ? ` · chèque ${l.cheque}` : ''}`;
}

function StatementLineText({ line }: { line: StatementLineJson }) {
  return (
    <span>
      Relevé : {describeStatementLine(line)} · <strong>{formatEuros(line.amount)}</strong>
    </span>
  );
}

function ProposalItem({ p, actions }: { p: Proposal; actions?: ReactNode }) {
  return (
    <li
      className="cc-proposal"
      aria-label={`Ligne de relevé du ${formatDateFr(p.statementLine.date)} : ${p.statementLine.label}`}
    >
      <StatementLineText line={p.statementLine} />
      {p.lines.map((l) => (
        <span key={l.id}>
          Cahier : PJ {l.pj} · {formatDateFr(l.date)} · {l.libelle} · {formatEuros(l.amount)}
        </span>
      ))}
      <span>
        <Badge appearance="tint" color={p.certain ? 'success' : 'warning'}>
          Score {Math.round(p.score * 100)} %
        </Badge>{' '}
        {p.reasons.join(' ; ')}
      </span>
      {actions && <span className="cc-row">{actions}</span>}
    </li>
  );
}

function OutstandingList({ title, items, total }: { title: string; items: OutstandingItem[]; total: number }) {
  return (
    <div aria-label={title} role="group">
      <Text weight="semibold">
        {title} ({items.length}) : {formatEuros(total)}
      </Text>
      <ul className="cc-list">
        {items.map((i) => (
          <li key={i.id}>
            <span>
              PJ {i.pj} · {formatDateFr(i.date)} · {i.libelle}
              {i.cheque ? ` · chèque ${i.cheque}` : ''}
              {i.carriedOver ? ' (exercice précédent)' : ''}
            </span>
            <span>{formatEuros(i.amount)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Reconciliation({ rec }: { rec: ReconciliationJson }) {
  const nil = rec.gap === 0;
  return (
    <section aria-label="État de rapprochement" className="cc-form">
      <Text as="h3" weight="semibold">
        État de rapprochement au {formatDateFr(rec.date)}
      </Text>
      <Text>
        Solde du relevé :{' '}
        {rec.statementBalance === null ? 'inconnu (le relevé ne le donne pas)' : formatEuros(rec.statementBalance)}
      </Text>
      <OutstandingList
        title="Dépenses non débitées (chèques non encaissés…)"
        items={rec.outstanding.payments.lines}
        total={rec.outstanding.payments.total}
      />
      <OutstandingList
        title="Recettes non créditées"
        items={rec.outstanding.receipts.lines}
        total={rec.outstanding.receipts.total}
      />
      <Text>Solde du cahier (banque) : {formatEuros(rec.cahierBalance)}</Text>
      {rec.gap !== null && (
        <Text weight="semibold" className={nil ? 'cc-ok' : 'cc-gap'} role="status" aria-label="Écart de rapprochement">
          Écart : {formatEuros(rec.gap)}
        </Text>
      )}
    </section>
  );
}

export function Rapprochement({ engine, onPointed }: { engine: SyncEngine; onPointed?: () => void }) {
  const { api, coop, year } = engine;
  const input = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [rejected, setRejected] = useState<Set<number>>(new Set());
  const [rec, setRec] = useState<ReconciliationJson | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<Note | null>(null);

  const refreshReconciliation = async (s: StatementSummary) => {
    const date = s.period?.to;
    if (!date) return setRec(null);
    setRec(await api.reconciliation(coop, year, date));
  };

  /** The statement as the service now sees it: proposals for the lines not yet cleared. */
  const reload = async (id: number) => {
    const d = await api.statement(coop, year, id);
    const read = d.lines.length;
    setShown((prev) => ({
      statement: d.statement,
      counts: prev && prev.statement.id === id ? prev.counts : { read, new: read, alreadyImported: 0 },
      proposals: d.proposals,
      unmatched: d.unmatched,
    }));
    await refreshReconciliation(d.statement);
  };

  // Back on the tab: the last statement imported, where the treasurer left it.
  useEffect(() => {
    api
      .statements(coop, year)
      .then(
        async (list) => {
          const last = list[0];
          if (!last?.id) return;
          setShown({
            statement: last,
            counts: { read: last.lines.read, new: last.lines.new, alreadyImported: last.lines.read - last.lines.new },
            proposals: [],
            unmatched: [],
          });
          await reload(last.id);
        },
        () => undefined, // nothing imported yet, or a service without statements: the import button says the rest
      )
      .catch((e: unknown) => setNote({ intent: 'error', text: (e as Error).message }));
  }, [engine]);

  // A line pointed by hand below, or any change the engine sends, moves the état: read it again
  // once the queue is drained.
  const statementRef = useRef<StatementSummary | null>(null);
  statementRef.current = shown?.statement ?? null;
  useEffect(() => {
    let busySending = false;
    return engine.subscribe((st) => {
      const sending = st.syncing || st.pending > 0;
      if (busySending && !sending && statementRef.current) {
        refreshReconciliation(statementRef.current).catch(() => undefined);
      }
      busySending = sending;
    });
  }, [engine]);

  const run = async (label: string, work: () => Promise<unknown>) => {
    setBusy(label);
    setNote(null);
    try {
      await work();
    } catch (e) {
      setNote({ intent: 'error', text: e instanceof ApiError ? e.sentences : (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  const importFile = (file: File) =>
    run(`Lecture du relevé « ${file.name} »…`, async () => {
      const r = await api.importStatement(coop, year, file, file.name);
      setRejected(new Set());
      setShown({ statement: r.statement, counts: r.lines, proposals: r.proposals, unmatched: r.unmatched });
      await refreshReconciliation(r.statement);
    });

  /**
   * Accepts on the service, then marks the lines pointed in the sheet with their new versions.
   * False when a line changed meanwhile (the proposals are then read again).
   */
  const accept = async (what: 'certain' | Acceptance[]): Promise<boolean> => {
    const id = shown?.statement.id;
    if (!id) return false;
    try {
      const { pointed } = await api.acceptProposals(coop, year, id, what);
      await engine.applyServerLines(pointed);
      onPointed?.();
      setNote({
        intent: 'success',
        text: pointed.length
          ? `${pointed.length} ligne(s) du cahier pointée(s).`
          : 'Aucune ligne à pointer : les propositions ont changé.',
      });
      return true;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 412)) throw e;
      setNote({
        intent: 'error',
        text: 'Une ligne a été modifiée entre-temps : les propositions sont mises à jour, vérifiez-les.',
      });
      return false;
    } finally {
      await reload(id);
    }
  };

  const create = (u: Unmatched) =>
    run('Création de l’écriture…', async () => {
      if (!u.suggestion) return;
      const line: LineInput = { ...u.suggestion, pj: await engine.nextPj() };
      const errors = engine
        .validate(line, await engine.readSheet(), null)
        .filter((p) => p.severity === 'error')
        .map((p) => p.message);
      if (errors.length) {
        throw new Error(
          `L’écriture proposée est incomplète : ${errors.join(' ; ')}. Saisissez-la dans « Nouvelle écriture ».`,
        );
      }
      const row = await engine.saveLine(line);
      const [s] = await engine.readSheet([row]);
      await engine.flush();
      const version = s?.id ? await engine.storedVersion(s.id) : null;
      if (!s?.id || !version) {
        setNote({
          intent: 'info',
          text: `L’écriture PJ ${line.pj} est dans le cahier ; elle sera rapprochée quand le service l’aura reçue.`,
        });
        return;
      }
      if (await accept([{ statementLine: u.statementLine.id, lines: [{ id: s.id, version }] }]))
        setNote({ intent: 'success', text: `Écriture PJ ${line.pj} créée et pointée avec la ligne du relevé.` });
    });

  const certain = shown?.proposals.filter((p) => p.certain) ?? [];
  const toCheck = shown?.proposals.filter((p) => !p.certain && !rejected.has(p.statementLine.id)) ?? [];
  const s = shown?.statement;

  return (
    <section aria-label="Rapprochement bancaire" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Rapprochement bancaire
      </Text>
      <input
        ref={input}
        type="file"
        className="cc-file"
        aria-label="Fichier du relevé"
        accept={STATEMENT_FILES}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFile(file);
        }}
      />
      <Button appearance="primary" disabled={busy !== null} onClick={() => input.current?.click()}>
        Importer un relevé
      </Button>
      <Text size={200}>Fichier de la banque : CSV, OFX, CFONB 120 ou camt.053 (XML).</Text>
      {busy && <Spinner size="tiny" label={busy} />}
      {note && (
        <MessageBar intent={note.intent}>
          <MessageBarBody>{note.text}</MessageBarBody>
        </MessageBar>
      )}
      {s && shown && (
        <section aria-label="Relevé importé">
          <Text block>
            Relevé {s.fileName ? `« ${s.fileName} » ` : ''}({STATEMENT_FORMAT_LABELS[s.format] ?? s.format})
            {s.period ? ` du ${formatDateFr(s.period.from)} au ${formatDateFr(s.period.to)}` : ''}
          </Text>
          <Text block>
            {shown.counts.read} ligne(s) lue(s) : {shown.counts.new} nouvelle(s), {shown.counts.alreadyImported} déjà
            importée(s).
          </Text>
          {s.closingBalance !== null && <Text block>Solde de fin du relevé : {formatEuros(s.closingBalance)}</Text>}
        </section>
      )}
      {shown && (
        <>
          <section aria-label="Rapprochements certains">
            <Text as="h3" weight="semibold">
              Certains ({certain.length})
            </Text>
            <ul className="cc-list">
              {certain.map((p) => (
                <ProposalItem key={p.statementLine.id} p={p} />
              ))}
              {certain.length === 0 && <li>Aucun rapprochement certain en attente.</li>}
            </ul>
            <Button
              appearance="primary"
              disabled={busy !== null || certain.length === 0}
              onClick={() => void run('Pointage des rapprochements certains…', () => accept('certain'))}
            >
              Accepter les rapprochements certains
            </Button>
          </section>
          <section aria-label="Rapprochements à vérifier">
            <Text as="h3" weight="semibold">
              À vérifier ({toCheck.length})
            </Text>
            <ul className="cc-list">
              {toCheck.map((p) => (
                <ProposalItem
                  key={p.statementLine.id}
                  p={p}
                  actions={
                    <>
                      <Button
                        size="small"
                        disabled={busy !== null}
                        onClick={() =>
                          void run('Pointage…', () =>
                            accept([
                              {
                                statementLine: p.statementLine.id,
                                lines: p.lines.map((l) => ({ id: l.id, version: l.version })),
                              },
                            ]),
                          )
                        }
                      >
                        Accepter
                      </Button>
                      <Button
                        size="small"
                        appearance="subtle"
                        onClick={() => setRejected((r) => new Set(r).add(p.statementLine.id))}
                      >
                        Rejeter
                      </Button>
                    </>
                  }
                />
              ))}
              {toCheck.length === 0 && <li>Rien à vérifier.</li>}
            </ul>
          </section>
          <section aria-label="Lignes du relevé sans écriture">
            <Text as="h3" weight="semibold">
              Sans écriture dans le cahier ({shown.unmatched.length})
            </Text>
            <ul className="cc-list">
              {shown.unmatched.map((u) => (
                <li key={u.statementLine.id} className="cc-proposal">
                  <StatementLineText line={u.statementLine} />
                  {u.suggestion ? (
                    <>
                      <span>
                        Écriture proposée : {formatDateFr(u.suggestion.date)} · {u.suggestion.libelle} ·{' '}
                        {u.suggestion.ventilation.map((v) => v.chapter).join(', ') || 'non ventilée'} ·{' '}
                        {formatEuros(u.suggestion.amount)}
                      </span>
                      {u.reason && <span>Chapitre choisi {u.reason}</span>}
                      <span className="cc-row">
                        <Button size="small" disabled={busy !== null} onClick={() => void create(u)}>
                          Créer l’écriture
                        </Button>
                      </span>
                    </>
                  ) : (
                    <span>Aucune écriture à proposer : saisissez-la dans « Nouvelle écriture ».</span>
                  )}
                </li>
              ))}
              {shown.unmatched.length === 0 && <li>Toutes les lignes du relevé ont une écriture.</li>}
            </ul>
          </section>
        </>
      )}
      {rec && <Reconciliation rec={rec} />}
    </section>
  );
}
