/**
 * A file sent as multipart/form-data (a browser's FormData, `curl -F file=@scan.pdf`): the one
 * file of the named field, read with limits (one file, a few small fields and parts), refused
 * with 413 as soon as it passes its size, without reading the rest of the request.
 */
import busboy from 'busboy';
import type { Context } from 'koa';
import { ServiceError } from '../operations/errors';
import type { UploadedFile } from './context';

/** What the parts around the file may add to the body (boundaries, part headers, small fields). */
const ENVELOPE_BYTES = 64 * 1024;

const megabytes = (n: number) => `${Math.round(n / 1024 / 1024)} Mo`;

const missingFile = (field: string, message: string) =>
  new ServiceError(422, 'donnees_invalides', message, { errors: [{ field, message }] });

export async function readMultipartFile(
  ctx: Context,
  { field, maxBytes }: { field: string; maxBytes: number },
): Promise<UploadedFile> {
  const tooBig = () =>
    new ServiceError(
      413,
      'corps_trop_gros',
      `Le fichier dépasse ${megabytes(maxBytes)} : envoyez une pièce plus petite (un scan en PDF ou une photo moins lourde).`,
    );
  const contentType = ctx.get('Content-Type');
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new ServiceError(
      415,
      'multipart_attendu',
      `Envoyez la pièce en multipart/form-data, le fichier dans le champ « ${field} » (Content-Type reçu : ${contentType || 'aucun'}).`,
    );
  }
  if (Number(ctx.get('Content-Length') || 0) > maxBytes + ENVELOPE_BYTES) {
    ctx.set('Connection', 'close');
    throw tooBig();
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: ctx.req.headers,
      defParamCharset: 'utf8',
      // One file more than allowed is seen (then refused); the file limit is one byte over the
      // maximum, so that a file of exactly `maxBytes` is not taken for a truncated one.
      limits: { files: 1, fileSize: maxBytes + 1, fields: 8, fieldSize: 1024, parts: 10, headerPairs: 20 },
    });
  } catch (e) {
    throw new ServiceError(400, 'multipart_invalide', `Corps multipart/form-data illisible : ${(e as Error).message}.`);
  }

  const req = ctx.req;
  return new Promise<UploadedFile>((ok, ko) => {
    let file: UploadedFile | null = null;
    let reading = false;
    let sawTextField = false;
    let settled = false;
    let parserDone = false;
    const fail = (e: ServiceError) => {
      if (settled) return;
      settled = true;
      // Nothing more is read: the rest of the request is left unread and the connection closes
      // after the answer.
      req.unpipe(parser);
      req.pause();
      ctx.set('Connection', 'close');
      ko(e);
    };
    const finish = () => {
      if (settled || reading) return;
      if (file) {
        settled = true;
        return ok(file);
      }
      fail(
        missingFile(
          field,
          sawTextField
            ? `${field} : un fichier est attendu dans ce champ, pas du texte.`
            : `${field} : aucun fichier reçu dans le champ « ${field} » (formulaire multipart/form-data).`,
        ),
      );
    };

    parser.on('file', (name, stream, info) => {
      if (name !== field || file || reading) {
        stream.resume();
        return;
      }
      reading = true;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => fail(tooBig()));
      stream.on('end', () => {
        reading = false;
        if (settled) return;
        if (size > maxBytes) return fail(tooBig());
        file = {
          name: info.filename ?? null,
          declaredType: info.mimeType,
          bytes: Buffer.concat(chunks, size),
        };
        if (parserDone) finish();
      });
    });
    parser.on('field', (name) => {
      if (name === field) sawTextField = true;
    });
    parser.on('filesLimit', () =>
      fail(missingFile(field, `${field} : une seule pièce par envoi (plusieurs fichiers reçus).`)),
    );
    parser.on('close', () => {
      parserDone = true;
      finish();
    });
    parser.on('error', (e: Error) =>
      fail(new ServiceError(400, 'multipart_invalide', `Corps multipart/form-data illisible : ${e.message}.`)),
    );
    req.on('error', (e: Error) =>
      fail(new ServiceError(400, 'multipart_invalide', `Envoi interrompu : ${e.message}.`)),
    );
    // Whatever the parts hold (a file of another field is skipped, not kept), the request itself
    // stops at the file's maximum and its envelope, with or without Content-Length.
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes + ENVELOPE_BYTES) fail(tooBig());
    });
    req.pipe(parser);
  });
}
