/**
 * The refusal of a legacy workbook: a stable code and a French sentence naming the file, in the
 * style of the statement readers (« Fichier « x.xlsx » : … »).
 */

export type LegacyFileErrorCode =
  /** The file has no bytes. */
  | 'fichier_vide'
  /** Over the size cap: refused before anything else is looked at. */
  | 'fichier_trop_gros'
  /** Not a workbook (CSV, PDF, Word document, image, zip of something else…), or a workbook kind not read. */
  | 'format_inconnu'
  /** A workbook saved with an opening password (encrypted). */
  | 'fichier_protege'
  /** Truncated or damaged: the archive, the container or the sheets cannot be read. */
  | 'fichier_invalide'
  /** A zip whose content would decompress far beyond a workbook's (zip bomb): refused unread. */
  | 'archive_suspecte'
  /** More filled cells (or rows) than the cap: refused rather than held whole. */
  | 'feuille_trop_grande'
  /** An .xls or .ods while LibreOffice is not installed. */
  | 'libreoffice_absent'
  /** LibreOffice ran but did not produce a workbook. */
  | 'conversion_impossible'
  /** The conversion or the reading took longer than the time limit and was stopped. */
  | 'delai_depasse';

/** A legacy file refused: `message` is the French sentence to show as it is. */
export class LegacyFileError extends Error {
  readonly code: LegacyFileErrorCode;
  /** French, starting lowercase, ending with a full stop. */
  readonly reason: string;
  /** The file's name as given. */
  readonly file: string;

  constructor(code: LegacyFileErrorCode, file: string, reason: string, options?: { cause?: unknown }) {
    super(`Fichier « ${file} » : ${reason}`, options);
    this.name = 'LegacyFileError';
    this.code = code;
    this.reason = reason;
    this.file = file;
  }
}

/** The refusal of a workbook saved with an opening password, whichever way it was found. */
export function protectedFile(file: string): LegacyFileError {
  return new LegacyFileError(
    'fichier_protege',
    file,
    'le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe, puis importez-le.',
  );
}

/** 250000 → "250 000" (French grouping with a narrow no-break space, as formatEuros). */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/** Bytes → "20 Mo", "25,3 Mo": one decimal, rounded up so a file just over the cap never reads as the cap. */
export function formatMegabytes(bytes: number): string {
  const tenths = Math.ceil((bytes / (1024 * 1024)) * 10);
  return `${formatCount(Math.floor(tenths / 10))}${tenths % 10 ? `,${tenths % 10}` : ''} Mo`;
}
