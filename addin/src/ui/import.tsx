/**
 * « Importer un ancien cahier », for the department's trésorier (and admins): a legacy workbook
 * (.xlsx, .xls, .ods) sent to the service for a dry run first — what it found (sheet, exercise,
 * report à nouveau, lines and drafts, pointed lines, totals, new chapters), the rows it skipped
 * and why, the problems by row and column — then imported for real on request. The service does
 * the reading; nothing is stored until « Importer ».
 */
import { useRef, useState, type ChangeEvent } from 'react';
import {
  Button,
  Checkbox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { formatDateFr, formatEuros, type ImportFileReport } from '../../../templates/definition';
import { ApiError, type Api } from '../api';
import { WorkState, useWork } from './book-parts';
import { formatSize } from './pieces';

/** What the file picker offers: the workbooks the import reads (by type and by name). */
export const LEGACY_FILES =
  '.xlsx,.xls,.ods,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet';

/** The row and column numbers' cells: narrow, so the sentences have the room. */
const NARROW = { width: '3.5em' } as const;

/** The report of an import, from the answer or from a refusal that carries it. */
function reportOf(e: unknown): ImportFileReport | null {
  if (!(e instanceof ApiError)) return null;
  const b = e.body as Record<string, unknown>;
  const candidate = (b.report ?? b) as Partial<ImportFileReport>;
  return typeof candidate.file === 'string' && (candidate.status === 'ok' || candidate.status === 'rejected')
    ? (candidate as ImportFileReport)
    : null;
}

export function ImportLegacy({ api, coop, onImported }: { api: Api; coop: string; onImported: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportFileReport | null>(null);
  const [done, setDone] = useState(false);
  const [merge, setMerge] = useState(false);
  const { busy, note, setNote, run } = useWork();

  const send = async (f: File, dryRun: boolean): Promise<ImportFileReport> => {
    const form = new FormData();
    form.append('file', f, f.name);
    const query = `dryRun=${dryRun}${merge ? '&merge=true' : ''}`;
    try {
      return await api.request<ImportFileReport>(
        'POST',
        `/api/coops/${encodeURIComponent(coop)}/imports?${query}`,
        form,
      );
    } catch (e) {
      const r = reportOf(e);
      if (r) return r;
      throw e;
    }
  };

  const analyse = (f: File) =>
    run('Lecture du fichier…', async () => {
      setDone(false);
      setReport(await send(f, true));
    });

  const picked = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0] ?? null;
    e.target.value = '';
    if (!f) return;
    setFile(f);
    setReport(null);
    void analyse(f);
  };

  const importNow = () =>
    run('Import en cours…', async () => {
      if (!file) return;
      const r = await send(file, false);
      setReport(r);
      if (r.status === 'ok') {
        setDone(true);
        setNote({
          intent: 'success',
          text: `${file.name} importé : ${r.entries?.validated ?? 0} écriture(s) validée(s), ${r.entries?.drafts ?? 0} en brouillon.`,
        });
        onImported();
      }
    });

  const r = report;
  return (
    <section className="cc-form" aria-label="Importer un ancien cahier">
      <Text weight="semibold">Importer un ancien cahier</Text>
      <Text size={200}>
        Un cahier tenu dans Excel ou LibreOffice (.xlsx, .xls, .ods) pour la coopérative {coop} : le service le lit
        d’abord sans rien enregistrer et montre ce qu’il a compris.
      </Text>
      <input
        ref={input}
        type="file"
        className="cc-file"
        aria-label="Fichier de l’ancien cahier"
        accept={LEGACY_FILES}
        onChange={picked}
      />
      <div className="cc-row">
        <Button disabled={busy !== null} onClick={() => input.current?.click()}>
          Choisir le fichier…
        </Button>
        {file && (
          <Text size={200}>
            {file.name} ({formatSize(file.size)})
          </Text>
        )}
      </div>
      <WorkState busy={busy} note={note} />
      {r?.status === 'rejected' && (
        <Text role="alert" className="cc-gap">
          {r.file} refusé : {r.error?.message ?? 'fichier illisible.'}
        </Text>
      )}
      {r && r.status === 'ok' && (
        <>
          <Table size="small" aria-label="Ce que le fichier contient">
            <TableBody>
              <TableRow>
                <TableCell>Feuille</TableCell>
                <TableCell>{r.sheet}</TableCell>
              </TableRow>
              {r.exercise && (
                <TableRow>
                  <TableCell>Exercice</TableCell>
                  <TableCell>
                    du {formatDateFr(r.exercise.start)} au {formatDateFr(r.exercise.end)}
                  </TableCell>
                </TableRow>
              )}
              {r.openingBalances && (
                <TableRow>
                  <TableCell>Report à nouveau</TableCell>
                  <TableCell>
                    banque {formatEuros(r.openingBalances.banque)}, caisse {formatEuros(r.openingBalances.caisse)}
                  </TableCell>
                </TableRow>
              )}
              <TableRow>
                <TableCell>Écritures</TableCell>
                <TableCell>
                  {r.entries?.validated ?? 0} validée(s), {r.entries?.drafts ?? 0} en brouillon, {r.pointed ?? 0}{' '}
                  pointée(s)
                </TableCell>
              </TableRow>
              {r.totals && (
                <TableRow>
                  <TableCell>Banque</TableCell>
                  <TableCell>
                    recettes {formatEuros(r.totals.banque.recettes)}, dépenses {formatEuros(r.totals.banque.depenses)}
                  </TableCell>
                </TableRow>
              )}
              {r.totals && (
                <TableRow>
                  <TableCell>Caisse</TableCell>
                  <TableCell>
                    recettes {formatEuros(r.totals.caisse.recettes)}, dépenses {formatEuros(r.totals.caisse.depenses)}
                  </TableCell>
                </TableRow>
              )}
              {(r.newChapters?.length ?? 0) > 0 && (
                <TableRow>
                  <TableCell>Chapitres nouveaux</TableCell>
                  <TableCell>{r.newChapters!.join(', ')}</TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
          {(r.problems?.length ?? 0) > 0 && (
            <Table size="small" aria-label="Problèmes relevés">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={NARROW}>Ligne</TableHeaderCell>
                  <TableHeaderCell style={NARROW}>Col.</TableHeaderCell>
                  <TableHeaderCell>Problème</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {r.problems!.map((p, i) => (
                  <TableRow key={i} className={p.severity === 'error' ? 'cc-gap' : undefined} data-code={p.code}>
                    <TableCell>{p.row || ''}</TableCell>
                    <TableCell>{p.column ?? ''}</TableCell>
                    <TableCell>
                      {p.severity === 'error' ? 'Brouillon : ' : 'À vérifier : '}
                      {p.message}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {(r.skippedRows?.length ?? 0) > 0 && (
            <Table size="small" aria-label="Lignes ignorées">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={NARROW}>Ligne</TableHeaderCell>
                  <TableHeaderCell>Ignorée car</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {r.skippedRows!.map((s) => (
                  <TableRow key={s.row}>
                    <TableCell>{s.row}</TableCell>
                    <TableCell>{s.reason}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
      {r && file && !done && (
        <>
          <Checkbox
            checked={merge}
            onChange={(_, d) => setMerge(Boolean(d.checked))}
            label="Compléter un exercice qui a déjà des écritures (garder les siennes, ajouter les nouvelles)"
          />
          <div className="cc-row">
            <Button appearance="primary" disabled={busy !== null || r.status !== 'ok'} onClick={() => void importNow()}>
              Importer
            </Button>
            <Button disabled={busy !== null} onClick={() => void analyse(file)}>
              Relire
            </Button>
          </div>
        </>
      )}
    </section>
  );
}
