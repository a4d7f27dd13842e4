/**
 * Pièces justificatives of the selected line: the files the service keeps for it (name, type,
 * size), a scan or a photo joined to it (a phone photo of a receipt is the common case), one
 * opened, one removed. The service recognises PDF, JPEG and PNG by their content and refuses
 * anything else in French; the 📎 count of the sheet's Statut column follows.
 */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Button, Text } from '@fluentui/react-components';
import { MAX_ATTACHMENT_BYTES, type AttachmentJson, type AttachmentType } from '../../../templates/definition';
import type { SyncEngine } from '../sync';
import { ConfirmRemoval, WorkState, errorText, storedLine, useWork } from './book-parts';

/** What the file picker offers: PDF, JPEG and PNG (by type and by name, for every system). */
export const PIECE_FILES = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

const TYPE_LABELS: Record<AttachmentType, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
};

/** 2 048 → « 2 Ko », 1 572 864 → « 1,5 Mo » (French, as the treasurer reads it). */
export function formatSize(bytes: number): string {
  const fr = (n: number) => n.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} octet${bytes > 1 ? 's' : ''}`;
  if (bytes < 1024 * 1024) return `${fr(bytes / 1024)} Ko`;
  return `${fr(bytes / (1024 * 1024))} Mo`;
}

export function Pieces({ engine, row }: { engine: SyncEngine; row: number }) {
  const { api, coop, year } = engine;
  const base = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}`;
  const fileInput = useRef<HTMLInputElement>(null);
  const photoInput = useRef<HTMLInputElement>(null);
  const [lineId, setLineId] = useState<string | null>(null);
  const [pieces, setPieces] = useState<AttachmentJson[] | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  const { busy, note, setNote, run } = useWork();
  const [toDelete, setToDelete] = useState<AttachmentJson | null>(null);
  /** Bumped when the engine has sent what waited: a line that was not on the service may be now. */
  const [sent, setSent] = useState(0);
  const waitingRef = useRef(false);
  waitingRef.current = waiting !== null;

  const list = async (id: string) => {
    const r = await api.request<AttachmentJson[] | { attachments: AttachmentJson[] }>(
      'GET',
      `${base}/lines/${id}/attachments`,
    );
    setPieces(Array.isArray(r) ? r : r.attachments);
  };

  // The line of the row, once the service holds it; its pièces.
  useEffect(() => {
    let gone = false;
    setNote(null);
    setPieces(null);
    storedLine(engine, row)
      .then(async ({ id }) => {
        if (gone) return;
        setLineId(id);
        setWaiting(null);
        await list(id);
      })
      .catch((e: unknown) => {
        if (gone) return;
        setLineId(null);
        setWaiting(errorText(e));
      });
    return () => {
      gone = true;
    };
  }, [engine, row, sent]);

  useEffect(
    () =>
      engine.subscribe((st) => {
        if (waitingRef.current && st.pending === 0 && !st.syncing) setSent((n) => n + 1);
      }),
    [engine],
  );

  const join = (file: File) =>
    run(`Envoi de « ${file.name} »…`, async () => {
      if (!lineId) return;
      if (file.size > MAX_ATTACHMENT_BYTES) {
        throw new Error(
          `« ${file.name} » pèse ${formatSize(file.size)} : une pièce ne peut dépasser ${formatSize(MAX_ATTACHMENT_BYTES)}. Réduisez le scan ou la photo.`,
        );
      }
      const form = new FormData();
      form.append('file', file, file.name);
      const added = await api.request<AttachmentJson>('POST', `${base}/lines/${lineId}/attachments`, form);
      // The same file twice is kept once: the service answers with the pièce already there.
      const already = (pieces ?? []).some((p) => p.id === added.id);
      await list(lineId);
      await engine.refreshAttachments();
      setNote(
        already
          ? {
              intent: 'info',
              text: `Ce fichier est déjà joint à la ligne (« ${added.name} ») : il n’est pas gardé deux fois.`,
            }
          : { intent: 'success', text: `Pièce « ${added.name} » jointe à la ligne.` },
      );
    });

  const open = (p: AttachmentJson) =>
    run(`Ouverture de « ${p.name} »…`, async () => {
      const blob = await api.download(`${base}/attachments/${p.id}`);
      const url = URL.createObjectURL(new Blob([blob], { type: p.type }));
      // A new window shows it; where none may open, the browser saves it under its name.
      if (!window.open(url, '_blank')) {
        const a = document.createElement('a');
        a.href = url;
        a.download = p.name;
        a.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });

  const remove = (p: AttachmentJson) =>
    run(`Suppression de « ${p.name} »…`, async () => {
      if (!lineId) return;
      await api.request('DELETE', `${base}/attachments/${p.id}`);
      await list(lineId);
      await engine.refreshAttachments();
      setNote({ intent: 'success', text: `Pièce « ${p.name} » supprimée.` });
    });

  const picked = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) void join(file);
  };

  return (
    <section aria-label="Pièces justificatives" className="cc-form">
      <Text as="h3" weight="semibold">
        Pièces justificatives{pieces ? ` (${pieces.length})` : ''}
      </Text>
      {waiting && <Text>{waiting}</Text>}
      {pieces && (
        <ul className="cc-list" aria-label="Pièces de la ligne">
          {pieces.map((p) => (
            <li key={p.id}>
              <span>
                📎 {p.name} · {TYPE_LABELS[p.type] ?? p.type} · {formatSize(p.size)}
              </span>
              <span className="cc-row">
                <Button size="small" disabled={busy !== null} onClick={() => void open(p)}>
                  Ouvrir
                </Button>
                <Button size="small" appearance="subtle" disabled={busy !== null} onClick={() => setToDelete(p)}>
                  Supprimer
                </Button>
              </span>
            </li>
          ))}
          {pieces.length === 0 && <li>Aucune pièce jointe à cette ligne.</li>}
        </ul>
      )}
      {lineId && (
        <>
          <input
            ref={fileInput}
            type="file"
            className="cc-file"
            aria-label="Fichier de la pièce"
            accept={PIECE_FILES}
            onChange={picked}
          />
          <input
            ref={photoInput}
            type="file"
            className="cc-file"
            aria-label="Photo de la pièce"
            accept="image/jpeg,image/png"
            capture="environment"
            onChange={picked}
          />
          <div className="cc-row">
            <Button appearance="primary" disabled={busy !== null} onClick={() => fileInput.current?.click()}>
              Joindre une pièce
            </Button>
            <Button disabled={busy !== null} onClick={() => photoInput.current?.click()}>
              Prendre une photo
            </Button>
          </div>
          <Text size={200}>Un scan ou une photo de la facture ou du ticket : PDF, JPEG ou PNG, 10 Mo au plus.</Text>
        </>
      )}
      <WorkState busy={busy} note={note} />
      <ConfirmRemoval
        open={toDelete !== null}
        title="Supprimer cette pièce ?"
        confirm="Supprimer la pièce"
        onClose={() => setToDelete(null)}
        onConfirm={() => toDelete && void remove(toDelete)}
      >
        « {toDelete?.name} » ne sera plus jointe à cette ligne du cahier.
      </ConfirmRemoval>
    </section>
  );
}
