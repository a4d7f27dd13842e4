/**
 * Département: the dashboard of the department's trésorier (and of an administrator) — every coop
 * of the department, where its exercise stands for the closure and what blocks it, filtered by
 * state and exercise; a chart of the closure states (SVG drawn here, with its counts in a text
 * legend); per coop « Ouvrir le cahier » (the pane switches to it) and « Exporter » (its whole
 * workbook); the table downloaded as CSV or xlsx, as the service writes them.
 */
import { useEffect, useState } from 'react';
import { Button, Field, MessageBar, MessageBarBody, Select, Spinner, Text } from '@fluentui/react-components';
import {
  DASHBOARD_COLUMNS,
  DASHBOARD_STATES,
  DASHBOARD_STATE_LABELS,
  dashboardCells,
  dashboardFileName,
  dayText,
  exerciseLabel,
  formatEuros,
  type DashboardCoop,
  type DashboardJson,
  type DashboardState,
} from '../../../templates/definition';
import { saveFile, type Api, type CoopSummary, type SessionUser } from '../api';
import { downloadWorkbook } from './classeur';

/**
 * What blocks a closure, in French, by the code of the check (the closure's own and the side
 * books'); a code without a label here is shown as it is.
 */
export const BLOCKER_LABELS: Record<string, string> = {
  date_trop_tot: 'Exercice pas encore terminé',
  lignes_brouillon: 'Lignes en brouillon',
  file_attente: 'Saisies en attente d’envoi',
  releve_manquant: 'Relevé bancaire manquant',
  rapprochement_ecart: 'Écart de rapprochement bancaire',
  pointage_ancien: 'Lignes bancaires anciennes non pointées',
  avoirs_a_verifier: 'Avoirs à vérifier',
  lignes_sans_action: 'Lignes sans action',
  caisse_non_comptee: 'Caisse non comptée',
  caisse_ecart: 'Écart de caisse',
  subvention_non_rattachee: 'Subvention non rattachée',
  subvention_a_justifier: 'Subvention à justifier',
  subvention_depassee: 'Subvention dépassée',
  inventaire_manquant: 'Inventaire manquant',
  inventaire_ecart: 'Écart d’inventaire',
  regie_non_soldee: 'Régie non soldée',
  regie_sans_titulaire: 'Régie sans titulaire',
  regie_brouillon: 'Régie en brouillon',
};

export const blockerText = (code: string) => BLOCKER_LABELS[code] ?? code;

const STATE_COLORS: Record<DashboardState, string> = {
  bloque: '#c50f1f',
  vide: '#616161',
  pret: '#107c10',
  cloture: '#0f6cbd',
};

/** « 3 coopératives », « 1 coopérative ». */
const coopsText = (n: number) => `${n} coopérative${n > 1 ? 's' : ''}`;

/** The closure states of the department's coops as bars, their counts said in the label and the legend. */
export function StatesChart({ totals }: { totals: DashboardJson['totals'] }) {
  const max = Math.max(1, ...DASHBOARD_STATES.map((s) => totals.byState[s]));
  const said = DASHBOARD_STATES.map((s) => `${DASHBOARD_STATE_LABELS[s]} : ${totals.byState[s]}`).join(', ');
  const row = 26;
  const width = 260;
  return (
    <figure className="cc-form" style={{ margin: 0 }}>
      <svg
        role="img"
        aria-label={`États de clôture des ${coopsText(totals.coops)} du département — ${said}`}
        viewBox={`0 0 ${width + 40} ${row * DASHBOARD_STATES.length}`}
        width="100%"
        style={{ maxWidth: 360 }}
      >
        {DASHBOARD_STATES.map((s, i) => {
          const n = totals.byState[s];
          const w = Math.round((n / max) * width);
          return (
            <g key={s} data-state={s}>
              <rect x={0} y={i * row + 4} width={Math.max(w, n > 0 ? 2 : 0)} height={row - 8} fill={STATE_COLORS[s]} />
              <text x={w + 6} y={i * row + row / 2 + 4} fontSize={12}>
                {n}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul aria-label="Légende des états de clôture" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {DASHBOARD_STATES.map((s) => (
            <li key={s} data-state={s}>
              <span
                aria-hidden="true"
                style={{
                  display: 'inline-block',
                  width: 10,
                  height: 10,
                  marginRight: 6,
                  background: STATE_COLORS[s],
                }}
              />
              {DASHBOARD_STATE_LABELS[s]} : {totals.byState[s]}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** A coop's cell in the pane's table (as the files' cells, with the blockers and amounts in French). */
function Cell({ coop, keyName, text }: { coop: DashboardCoop; keyName: string; text: string | number }) {
  if (keyName === 'state') {
    return (
      <Text weight="semibold" style={{ color: STATE_COLORS[coop.state] }}>
        {DASHBOARD_STATE_LABELS[coop.state]}
      </Text>
    );
  }
  if (keyName === 'blockers') {
    return coop.blockers.length ? (
      <ul style={{ margin: 0, paddingLeft: 16 }}>
        {coop.blockers.map((b) => (
          <li key={b} title={b} data-code={b}>
            {blockerText(b)}
          </li>
        ))}
      </ul>
    ) : null;
  }
  if (keyName === 'lastStatement' && coop.lastStatement) {
    return (
      <>
        {dayText(coop.lastStatement.date)} : {formatEuros(coop.lastStatement.balance)}
      </>
    );
  }
  if (keyName === 'crfSent') return <>{coop.crfSent ? 'Oui' : 'Non'}</>;
  return <>{text}</>;
}

export interface DepartementProps {
  api: Api;
  user: SessionUser;
  /** The coops the session sees (an administrator picks the department among theirs). */
  coops: CoopSummary[];
  /** « Ouvrir le cahier »: the pane switches to this coop and exercise. */
  onOpen: (coop: string, year: number) => void;
}

export function Departement({ api, user, coops, onOpen }: DepartementProps) {
  const departments = [...new Set(coops.map((c) => c.department))].sort();
  const [department, setDepartment] = useState(user.department ?? departments[0] ?? '');
  const [exercise, setExercise] = useState<number | undefined>(undefined);
  const [state, setState] = useState<DashboardState | ''>('');
  const [data, setData] = useState<DashboardJson | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!department && departments[0]) setDepartment(departments[0]);
  }, [department, departments]);

  useEffect(() => {
    if (!department) return;
    let cancelled = false;
    setBusy(true);
    setError(null);
    api
      .dashboard(department, { exercise, state: state || undefined })
      .then(
        (d) => {
          if (!cancelled) setData(d);
        },
        (e: Error) => {
          if (!cancelled) setError(e.message);
        },
      )
      .finally(() => {
        if (!cancelled) setBusy(false);
      });
    return () => {
      cancelled = true;
    };
  }, [api, department, exercise, state]);

  const shown = exercise ?? data?.exercise;
  const years = shown === undefined ? [] : [shown + 1, shown, shown - 1, shown - 2, shown - 3];

  const download = async (format: 'csv' | 'xlsx') => {
    if (!data) return;
    setError(null);
    try {
      const blob = await api.download(
        api.dashboardPath(department, { exercise: data.exercise, state: state || undefined }, format),
      );
      saveFile(blob, dashboardFileName(data, format));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const exportCoop = async (coop: string) => {
    if (!data) return;
    setError(null);
    try {
      await downloadWorkbook(api, coop, data.exercise);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-label="Tableau de bord du département" className="cc-form">
      <Text as="h2" size={500} weight="semibold">
        Département {department}
        {data ? ` – exercice ${data.label}` : ''}
      </Text>
      <div className="cc-row">
        {!user.department && departments.length > 1 && (
          <Field label="Département">
            <Select value={department} onChange={(_, d) => setDepartment(d.value)} name="departement">
              {departments.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <Field label="Exercice du tableau de bord">
          <Select value={shown ?? ''} onChange={(_, d) => setExercise(Number(d.value))} name="dashboard-exercise">
            {years.map((y) => (
              <option key={y} value={y}>
                {exerciseLabel(y)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="État de clôture">
          <Select value={state} onChange={(_, d) => setState(d.value as DashboardState | '')} name="dashboard-state">
            <option value="">Tous les états</option>
            {DASHBOARD_STATES.map((s) => (
              <option key={s} value={s}>
                {DASHBOARD_STATE_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {busy && <Spinner size="tiny" label="Lecture du tableau de bord…" />}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {data && (
        <>
          <Text>
            {coopsText(data.totals.coops)} · {data.totals.lines} ligne(s) dont {data.totals.drafts} en brouillon ·{' '}
            {data.totals.unpointedBankLines} ligne(s) bancaire(s) non pointée(s) · {data.totals.crfSent} compte(s)
            rendu(s) envoyé(s) · chiffres du {dayText(data.date)}
          </Text>
          <StatesChart totals={data.totals} />
          <div className="cc-row">
            <Button onClick={() => void download('csv')}>Télécharger le tableau (CSV)</Button>
            <Button onClick={() => void download('xlsx')}>Télécharger le tableau (xlsx)</Button>
          </div>
          {data.coops.length === 0 ? (
            <Text>
              {state
                ? `Aucune coopérative dans l’état « ${DASHBOARD_STATE_LABELS[state]} ».`
                : 'Aucune coopérative dans ce département.'}
            </Text>
          ) : (
            <div style={{ overflowX: 'auto' }}>
              <table className="cc-table" aria-label="Coopératives du département">
                <thead>
                  <tr>
                    {DASHBOARD_COLUMNS.map((c) => (
                      <th key={c.key} scope="col">
                        {c.header}
                      </th>
                    ))}
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {data.coops.map((coop) => {
                    const cells = dashboardCells(coop);
                    return (
                      <tr key={coop.number} data-coop={coop.number} data-state={coop.state}>
                        {DASHBOARD_COLUMNS.map((c, i) => (
                          <td key={c.key}>
                            <Cell coop={coop} keyName={c.key} text={cells[i] ?? ''} />
                          </td>
                        ))}
                        <td>
                          <Button size="small" onClick={() => onOpen(coop.number, data.exercise)}>
                            Ouvrir le cahier
                          </Button>
                          <Button size="small" appearance="subtle" onClick={() => void exportCoop(coop.number)}>
                            Exporter
                          </Button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
