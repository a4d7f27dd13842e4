/**
 * The whole workbook of the exercise, as the service builds it (the template filled with every
 * line, the compte rendu and the side books, live formulas): inserted into the treasurer's
 * workbook where Excel can (ExcelApi 1.13), offered to download elsewhere; and « Mettre à jour
 * les feuilles du compte rendu », which replaces those sheets by the service's.
 */
import { useState } from 'react';
import { Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { blobToBase64, saveFile, type Api } from '../api';
import type { SyncEngine } from '../sync';
import { NO_INSERT, REPORT_SHEETS, WORKBOOK_SHEETS, type CahierWorkbook } from '../workbook';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** « Cahier », « Cahier et Caisse », « Cahier, Caisse et Actions ». */
export function namesText(names: readonly string[]): string {
  const quoted = names.map((n) => `« ${n} »`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} et ${quoted[quoted.length - 1]}` : (quoted[0] ?? '');
}

/** The sheets of `wanted` the workbook already holds, or null when none. */
export async function sheetsTaken(workbook: CahierWorkbook, wanted: readonly string[]): Promise<string[] | null> {
  const existing = new Set(await workbook.sheetNames());
  const taken = wanted.filter((n) => existing.has(n));
  return taken.length ? taken : null;
}

/** Why the cahier is not created: sheets of the same names are there, and they are left alone. */
export function takenText(taken: readonly string[]): string {
  const one = taken.length === 1;
  return (
    `Ce classeur contient déjà ${one ? 'une feuille nommée' : 'des feuilles nommées'} ${namesText(taken)} : ` +
    `le cahier n’y est pas créé, pour ne pas ${one ? 'l’écraser' : 'les écraser'}. ` +
    `Renommez ${one ? 'cette feuille' : 'ces feuilles'} ou ouvrez un classeur vide.`
  );
}

/** The file name of the exercise's workbook. */
export const workbookFileName = (coop: string, year: number) => `cahier-${coop}-${year}.xlsx`;

/** Downloads the exercise's whole workbook (the session's token goes with the request). */
export async function downloadWorkbook(api: Api, coop: string, year: number): Promise<void> {
  saveFile(await api.workbook(coop, year), workbookFileName(coop, year), XLSX_TYPE);
}

/**
 * What Excel did not carry along: workbook names the formulas use, missing or pointing nowhere
 * once the sheets are in (the formulas that use them show an error); the download gives them intact.
 */
export function brokenNamesText(names: readonly string[]): string {
  const one = names.length === 1;
  return (
    `Excel n’a pas repris ${one ? 'le nom' : 'les noms'} ${namesText(names)} du classeur du service : ` +
    `les formules qui s’en servent affichent une erreur (#REF! ou #NOM?). ` +
    'Le classeur complet téléchargé les a intacts.'
  );
}

/**
 * Inserts the service's whole workbook of the exercise (ExcelApi 1.13). `refused`: a French
 * sentence when it does not (sheets of the same names are already there); `warning`: when it did
 * but Excel left names the formulas use behind.
 */
export async function insertWholeWorkbook(
  workbook: CahierWorkbook,
  api: Api,
  coop: string,
  year: number,
): Promise<{ refused?: string; warning?: string }> {
  const taken = await sheetsTaken(workbook, WORKBOOK_SHEETS);
  if (taken) return { refused: takenText(taken) };
  const base64 = await blobToBase64(await api.workbook(coop, year));
  const broken = await workbook.insertWorkbook(base64);
  if (!(await workbook.hasCahier())) {
    return {
      refused:
        'Le classeur du service a été inséré, mais son tableau des écritures est introuvable : le cahier ne peut pas être synchronisé.',
    };
  }
  return broken.length ? { warning: brokenNamesText(broken) } : {};
}

/** « Télécharger le classeur complet (.xlsx) », with the reason it is offered. */
export function DownloadWorkbook({ api, coop, year, why }: { api: Api; coop: string; year: number; why?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="cc-form" role="group" aria-label="Classeur complet">
      {why && <Text size={200}>{why}</Text>}
      <Button
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          downloadWorkbook(api, coop, year)
            .catch((e: Error) => setError(e.message))
            .finally(() => setBusy(false));
        }}
      >
        Télécharger le classeur complet (.xlsx)
      </Button>
      {busy && <Spinner size="tiny" label="Préparation du classeur…" />}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

/** Where Excel cannot insert sheets: what the treasurer gets instead. */
export const DOWNLOAD_INSTEAD = `${NO_INSERT} Le cahier est créé dans ce classeur avec ses feuilles Cahier, Coopérative et Chapitres ; le classeur complet (compte rendu, caisse, subventions, inventaire, régies, actions) se télécharge ici.`;

/**
 * « Mettre à jour les feuilles du compte rendu »: the sheets Compte rendu, Caisse, Subventions,
 * Inventaire, Régies and Actions replaced by the service's (after the Cahier sheet); where Excel
 * cannot insert sheets, the workbook to download instead, saying why.
 */
export function RefreshSheets({ engine }: { engine: SyncEngine }) {
  const { api, coop, year, workbook } = engine;
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const can = workbook.canInsertWorkbook();

  const refresh = async () => {
    setBusy(true);
    setDone(null);
    setError(null);
    setWarning(null);
    try {
      // What waits in the queue is sent first, so the service's figures count it.
      await engine.flush();
      const base64 = await blobToBase64(await api.workbook(coop, year));
      const broken = await workbook.replaceSheets(base64, REPORT_SHEETS);
      if (broken.length) setWarning(brokenNamesText(broken));
      const waiting = engine.snapshot.pending;
      setDone(
        `Feuilles mises à jour depuis le service : ${namesText(REPORT_SHEETS)}.` +
          (waiting > 0 ? ` ${waiting} saisie(s) encore en attente d’envoi n’y sont pas comptées.` : ''),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="cc-form" role="group" aria-label="Feuilles du compte rendu">
      {can ? (
        <Button onClick={() => void refresh()} disabled={busy}>
          Mettre à jour les feuilles du compte rendu
        </Button>
      ) : (
        <DownloadWorkbook
          api={api}
          coop={coop}
          year={year}
          why={`${NO_INSERT} Les feuilles du compte rendu ne peuvent donc pas être remplacées dans ce classeur : téléchargez le classeur complet, à jour.`}
        />
      )}
      {busy && <Spinner size="tiny" label="Mise à jour des feuilles…" />}
      {done && (
        <MessageBar intent="success">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      )}
      {warning && (
        <>
          <MessageBar intent="warning">
            <MessageBarBody>{warning}</MessageBarBody>
          </MessageBar>
          <DownloadWorkbook api={api} coop={coop} year={year} />
        </>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
