/**
 * The task pane: connexion, choice of coop and exercise, sync state, « Créer le cahier » (the
 * service's whole workbook inserted where Excel can, the three sheets and a download elsewhere),
 * the department's dashboard for its trésorier, and the tabs Nouvelle écriture, Ligne
 * sélectionnée, Pointage (with the bank statement's rapprochement), Livres annexes, Clôture.
 * French throughout.
 */
import { useEffect, useRef, useState } from 'react';
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
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  ProgressBar,
  Select,
  Spinner,
  Tab,
  TabList,
  Text,
} from '@fluentui/react-components';
import { DEFAULT_CHART, formatDateFr, formatEuros, type Chart, type LineInput } from '../../../templates/definition';
import { Api, type CoopSummary, type ExerciseSummary, type SessionUser } from '../api';
import { SyncEngine, type SyncState } from '../sync';
import { CREATED_SHEETS, WORKBOOK_SHEETS, type CahierWorkbook } from '../workbook';
import {
  DOWNLOAD_INSTEAD,
  DownloadWorkbook,
  insertWholeWorkbook,
  RefreshSheets,
  sheetsTaken,
  takenText,
} from './classeur';
import { Cloture } from './cloture';
import { Departement } from './departement';
import { EntryForm } from './entry-form';
import { ImportLegacy } from './import';
import { Outstanding } from './outstanding';
import { Pointage } from './pointage';
import { Livres } from './livres';
import { Pieces } from './pieces';
import { Rapprochement } from './rapprochement';

function Login({ api, onDone }: { api: Api; onDone: (u: SessionUser) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="cc-form"
      aria-label="Connexion"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        api
          .login(login, password)
          .then(onDone, (err: Error) => setError(err.message))
          .finally(() => setBusy(false));
      }}
    >
      <Text as="h2" size={500} weight="semibold">
        Connexion
      </Text>
      <Field label="Identifiant" hint="Attention aux majuscules et minuscules.">
        <Input value={login} onChange={(_, d) => setLogin(d.value)} name="login" autoComplete="username" />
      </Field>
      <Field label="Mot de passe">
        <Input
          type="password"
          value={password}
          onChange={(_, d) => setPassword(d.value)}
          name="password"
          autoComplete="current-password"
        />
      </Field>
      <Button appearance="primary" type="submit" disabled={busy}>
        Se connecter
      </Button>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}

function SyncBadge({ state, onRetry }: { state: SyncState; onRetry: () => void }) {
  let text = 'Tout est synchronisé';
  let color: 'success' | 'warning' | 'danger' | 'informative' = 'success';
  if (state.syncing) {
    text = `Envoi en cours… (${state.pending} en attente)`;
    color = 'informative';
  } else if (state.conflicts.length) {
    text = `${state.conflicts.length} conflit(s) à résoudre`;
    color = 'danger';
  } else if (state.errors) {
    text = `${state.errors} en erreur`;
    color = 'danger';
  } else if (state.pending) {
    const why = state.sessionExpired ? ' – session expirée' : state.offline ? ' – service injoignable' : '';
    text = `${state.pending} en attente${why}`;
    color = 'warning';
  }
  return (
    <div className="cc-sync" role="status" aria-label="État de la synchronisation">
      <Badge appearance="tint" color={color}>
        {text}
      </Badge>
      {state.pending > 0 && !state.syncing && (
        <Button size="small" appearance="subtle" onClick={onRetry}>
          Réessayer
        </Button>
      )}
      {state.progress !== null && <ProgressBar value={state.progress} />}
      {state.lastError && state.pending > 0 && <Text size={200}>{state.lastError}</Text>}
    </div>
  );
}

function describe(line: LineInput | null | undefined): string {
  if (!line) return 'supprimée';
  return `${line.pj} · ${formatDateFr(line.date)} · ${line.libelle} · ${formatEuros(line.amount)}`;
}

function Conflicts({ engine, state }: { engine: SyncEngine; state: SyncState }) {
  const c = state.conflicts[0];
  return (
    <Dialog open={Boolean(c)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Conflit sur une écriture</DialogTitle>
          <DialogContent>
            <p>{c?.message}</p>
            <p>
              <strong>Votre version :</strong> <span data-testid="mine">{describe(c?.mine)}</span>
            </p>
            <p>
              <strong>Version du service :</strong>{' '}
              <span data-testid="theirs">{describe(c?.theirs && !('deleted' in c.theirs) ? c.theirs : null)}</span>
            </p>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => c && void engine.resolve(c.id, 'mine')}>
              Garder ma version
            </Button>
            <Button onClick={() => c && void engine.resolve(c.id, 'theirs')}>Garder celle du service</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function SelectedLine({ engine, onEdit }: { engine: SyncEngine; onEdit: (row: number, line: LineInput) => void }) {
  const [row, setRow] = useState<number | null>(null);
  const [line, setLine] = useState<LineInput | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = async () => {
    const r = await engine.workbook.selectedRow();
    setRow(r);
    const [s] = r === null ? [] : await engine.readSheet([r]);
    setLine(s?.line ?? null);
  };
  useEffect(() => {
    void refresh();
  }, []);
  return (
    <section aria-label="Ligne sélectionnée" className="cc-form">
      <Button onClick={() => void refresh()}>Lire la ligne sélectionnée</Button>
      <Text>{row === null || !line ? 'Sélectionnez une ligne du cahier dans la feuille.' : describe(line)}</Text>
      {row !== null && line && (
        <div className="cc-row">
          <Button onClick={() => onEdit(row, line)}>Modifier</Button>
          <Button
            onClick={() =>
              void engine.duplicate(row).then(
                (r) => setMessage(`Ligne dupliquée (ligne ${r + 1} du tableau).`),
                (e: Error) => setMessage(e.message),
              )
            }
          >
            Dupliquer
          </Button>
          <Button onClick={() => setConfirmDelete(true)}>Supprimer</Button>
        </div>
      )}
      {message && <Text>{message}</Text>}
      {row !== null && line && <Pieces engine={engine} row={row} />}
      <Dialog open={confirmDelete} onOpenChange={(_, d) => setConfirmDelete(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Supprimer cette écriture ?</DialogTitle>
            <DialogContent>{describe(line)}</DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  setConfirmDelete(false);
                  if (row !== null)
                    void engine.remove(row).then(
                      () => setMessage('Écriture supprimée.'),
                      (e: Error) => setMessage(e.message),
                    );
                }}
              >
                Supprimer
              </Button>
              <Button onClick={() => setConfirmDelete(false)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}

export function App({ workbook, api: given }: { workbook: CahierWorkbook; api?: Api }) {
  // One client for the pane's life: it holds the session token.
  const [api] = useState(() => given ?? new Api());
  const [user, setUser] = useState<SessionUser | null>(null);
  const [coops, setCoops] = useState<CoopSummary[]>([]);
  const [coop, setCoop] = useState('');
  const [importing, setImporting] = useState(false);
  /** The department's dashboard is shown (trésorier, administrator). */
  const [dashboard, setDashboard] = useState(false);
  /** The exercise to show once the coop's exercises are read (« Ouvrir le cahier » of the dashboard). */
  const wantedYear = useRef<number | null>(null);
  const [exercises, setExercises] = useState<ExerciseSummary[]>([]);
  const [year, setYear] = useState<number | null>(null);
  const [chart, setChart] = useState<Chart>(DEFAULT_CHART);
  const [engine, setEngine] = useState<SyncEngine | null>(null);
  const [state, setState] = useState<SyncState | null>(null);
  const [tab, setTab] = useState('saisie');
  const [hasCahier, setHasCahier] = useState<boolean | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** The cahier was just created with its three sheets (Excel cannot insert the whole workbook). */
  const [created, setCreated] = useState(false);
  /** The whole workbook was inserted, but Excel left names its formulas use behind. */
  const [namesWarning, setNamesWarning] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ row: number; line: LineInput } | null>(null);
  /** Bumped when lines are pointed from a statement: the pointage list reads the sheet again. */
  const [pointings, setPointings] = useState(0);

  useEffect(() => {
    if (!user) return;
    void api.coops().then((list) => {
      setCoops(list);
      setCoop(user.coop ?? list[0]?.number ?? '');
    });
    void api.chapters().then(setChart);
  }, [user, api]);

  useEffect(() => {
    if (!coop) return;
    void api.exercises(coop).then((list) => {
      setExercises(list);
      const open = list.filter((e) => e.status === 'open');
      const wanted = list.find((e) => e.year === wantedYear.current);
      wantedYear.current = null;
      setYear((wanted ?? open[open.length - 1] ?? list[list.length - 1])?.year ?? null);
    });
  }, [coop, api]);

  const exercise = exercises.find((e) => e.year === year) ?? null;
  // The engine follows the exercise's year and opening balances, not its status: closing or
  // reopening it from the pane (the list of exercises read again) keeps the engine and the views.
  const engineYear = exercise?.year ?? null;
  const openingBanque = exercise?.opening.banque ?? 0;
  const openingCaisse = exercise?.opening.caisse ?? 0;

  useEffect(() => {
    if (engineYear === null) return;
    let cancelled = false;
    const e = new SyncEngine(workbook, api, coop, engineYear, chart, { banque: openingBanque, caisse: openingCaisse });
    void workbook.hasCahier().then(async (has) => {
      if (cancelled) return;
      setHasCahier(has);
      if (has) await e.start();
      setEngine(e);
    });
    const off = e.subscribe(setState);
    return () => {
      cancelled = true;
      off();
      e.stop();
    };
  }, [engineYear, openingBanque, openingCaisse, coop, chart, workbook, api]);

  if (!user) return <Login api={api} onDone={setUser} />;

  /** The exercises read again (one closed, the next opened): the exercise shown stays. */
  const reloadExercises = () => {
    // Unreachable service: the list stays as it was read.
    api.exercises(coop).then(setExercises, () => undefined);
  };

  /**
   * « Créer le cahier »: where Excel can insert sheets (ExcelApi 1.13), the service's whole
   * workbook of the exercise (every sheet of the template, filled, live formulas); elsewhere the
   * three sheets the pane writes itself, and the whole workbook offered to download. Sheets of
   * the same names already there are left alone. Then the lines are loaded as always.
   */
  const createAndLoad = async () => {
    if (!engine || !exercise) return;
    setBusy('Création du cahier et chargement des écritures…');
    setNotice(null);
    setNamesWarning(null);
    try {
      let inserted = false;
      if (!(await workbook.hasCahier())) {
        if (workbook.canInsertWorkbook()) {
          const { refused, warning } = await insertWholeWorkbook(workbook, api, coop, exercise.year);
          if (refused) {
            setNotice(refused);
            return;
          }
          setNamesWarning(warning ?? null);
          inserted = true;
        } else {
          const taken = await sheetsTaken(workbook, CREATED_SHEETS);
          if (taken) {
            setNotice(takenText(taken));
            return;
          }
          const c = coops.find((x) => x.number === coop);
          await workbook.createCahier({
            nom: c?.name ?? coop,
            numero: coop,
            departement: c?.department ?? '',
            exercise: exercise.year,
            opening: exercise.opening,
          });
          setCreated(true);
        }
        await engine.start();
        setHasCahier(true);
      }
      const n = await engine.pull();
      setNotice(
        inserted
          ? `Classeur complet inséré (${WORKBOOK_SHEETS.join(', ')}). ${n} écriture(s) chargée(s) depuis le service.`
          : `${n} écriture(s) chargée(s) depuis le service.`,
      );
    } catch (e) {
      setNotice((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="cc-pane">
      <header className="cc-header">
        <Text weight="semibold">Cahier Coop</Text>
        <Text size={200}>
          <Link href="/aide" target="_blank" rel="noopener">
            Aide
          </Link>{' '}
          {user.login}
          <Button size="small" appearance="subtle" onClick={() => void api.logout().then(() => setUser(null))}>
            Déconnexion
          </Button>
        </Text>
      </header>
      <div className="cc-row">
        {coops.length > 1 && (
          <Field label="Coopérative">
            <Select value={coop} onChange={(_, d) => setCoop(d.value)} name="coop">
              {coops.map((c) => (
                <option key={c.number} value={c.number}>
                  {c.number} – {c.name}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <Field label="Exercice">
          <Select value={year ?? ''} onChange={(_, d) => setYear(Number(d.value))} name="exercise">
            {exercises.map((e) => (
              <option key={e.year} value={e.year}>
                {e.label}
                {e.status === 'closed' ? ' (clôturé)' : ''}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {state && engine && <SyncBadge state={state} onRetry={() => void engine.flush()} />}
      {state?.sessionExpired && (
        <MessageBar intent="warning">
          <MessageBarBody>{state.lastError}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void api.logout().then(() => setUser(null))}>Se reconnecter</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {engine && state && <Conflicts engine={engine} state={state} />}
      {hasCahier === false && (
        <MessageBar intent="info">
          <MessageBarBody>Ce classeur n’a pas encore de cahier.</MessageBarBody>
        </MessageBar>
      )}
      <Button onClick={() => void createAndLoad()} disabled={!engine || busy !== null}>
        {hasCahier ? 'Charger l’exercice depuis le service' : 'Créer le cahier dans ce classeur'}
      </Button>
      {busy && <Spinner size="tiny" label={busy} />}
      {notice && <Text role="note">{notice}</Text>}
      {namesWarning && exercise && (
        <>
          <MessageBar intent="warning">
            <MessageBarBody>{namesWarning}</MessageBarBody>
          </MessageBar>
          <DownloadWorkbook api={api} coop={coop} year={exercise.year} />
        </>
      )}
      {!workbook.canInsertWorkbook() && exercise && (hasCahier === false || created) && (
        <DownloadWorkbook api={api} coop={coop} year={exercise.year} why={DOWNLOAD_INSTEAD} />
      )}
      {user.role !== 'mandataire' && (
        <>
          <Button appearance="subtle" onClick={() => setDashboard((v) => !v)} aria-expanded={dashboard}>
            {dashboard ? 'Fermer le tableau de bord' : 'Tableau de bord du département'}
          </Button>
          {dashboard && (
            <Departement
              api={api}
              user={user}
              coops={coops}
              onOpen={(number, y) => {
                setDashboard(false);
                if (number === coop) {
                  if (exercises.some((e) => e.year === y)) setYear(y);
                } else {
                  wantedYear.current = y;
                  setCoop(number);
                }
              }}
            />
          )}
        </>
      )}
      {user.role !== 'mandataire' && coop && (
        <>
          <Button appearance="subtle" onClick={() => setImporting((v) => !v)} aria-expanded={importing}>
            {importing ? 'Fermer l’import' : 'Importer un ancien cahier'}
          </Button>
          {importing && <ImportLegacy api={api} coop={coop} onImported={reloadExercises} />}
        </>
      )}
      {engine && hasCahier && (
        <>
          <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(String(d.value))}>
            <Tab value="saisie">Nouvelle écriture</Tab>
            <Tab value="ligne">Ligne sélectionnée</Tab>
            <Tab value="pointage">Pointage</Tab>
            <Tab value="livres">Livres annexes</Tab>
            <Tab value="cloture">Clôture</Tab>
          </TabList>
          {tab === 'saisie' && !editing && (
            <EntryForm
              chart={chart}
              initial={null}
              proposePj={() => engine.nextPj()}
              validate={(l) => engine.validate(l, [], null)}
              onSave={async (l) => {
                await engine.saveLine(l);
              }}
            />
          )}
          {tab === 'ligne' && !editing && (
            <SelectedLine engine={engine} onEdit={(row, line) => setEditing({ row, line })} />
          )}
          {editing && (
            <EntryForm
              chart={chart}
              initial={editing.line}
              proposePj={() => engine.nextPj()}
              validate={(l) => engine.validate(l, [], null)}
              onSave={async (l) => {
                await engine.saveLine(l, editing.row);
                setEditing(null);
              }}
              onCancel={() => setEditing(null)}
            />
          )}
          {tab === 'pointage' && (
            <>
              <Rapprochement engine={engine} onPointed={() => setPointings((n) => n + 1)} />
              <Outstanding engine={engine} />
              <Pointage key={`${state?.pending ?? 0}-${pointings}`} engine={engine} />
            </>
          )}
          {tab === 'livres' && year !== null && (
            <>
              <RefreshSheets engine={engine} />
              <Livres api={api} engine={engine} coop={coop} year={year} />
            </>
          )}
          {tab === 'cloture' && (
            <>
              <Cloture engine={engine} role={user.role} onExercisesChanged={reloadExercises} />
              <RefreshSheets engine={engine} />
            </>
          )}
        </>
      )}
    </div>
  );
}
