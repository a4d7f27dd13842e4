/**
 * The version check of a side book's record (If-Match), as every book answers it: 428 when a
 * required version is not given, 412 when it is not the current one, the record as it stands
 * joined in `current` so the client can show it.
 */
import { ServiceError } from '../errors';

/** How the messages name a record: « La subvention », « Le bien », « L’arrêté de caisse du 31/08/2026 ». */
export interface RecordName {
  /** The subject, capitalised: « La subvention ». */
  the: string;
  /** « de la subvention », « du bien ». */
  of: string;
  feminine: boolean;
}

/** 412: the record changed since the client read it (version `expected`); `current` is joined. */
export function staleVersion(name: RecordName, current: { version: number }, expected: number): ServiceError {
  const e = name.feminine ? 'e' : '';
  const it = name.feminine ? 'la' : 'le';
  return new ServiceError(
    412,
    'version_perimee',
    `${name.the} a été modifié${e} entre-temps (version ${current.version}, vous aviez la version ${expected}) : rechargez-${it} avant de ${it} changer.`,
    { current },
  );
}

/** 428 without If-Match, 412 when it is not `version`: `current()` gives the record as it stands. */
export async function requireVersion(
  name: RecordName,
  version: number,
  ifMatch: number | null,
  current: () => Promise<{ version: number }>,
): Promise<void> {
  if (ifMatch === null) {
    throw new ServiceError(
      428,
      'version_requise',
      `Indiquez la version ${name.of} que vous modifiez (en-tête If-Match).`,
      {
        current: await current(),
      },
    );
  }
  if (ifMatch !== version) throw staleVersion(name, await current(), ifMatch);
}
