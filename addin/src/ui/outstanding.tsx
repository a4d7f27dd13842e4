/**
 * « Opérations de l’exercice précédent non pointées »: last year's bank lines left unpointed at
 * its closing (cheques not cashed, receipts not credited), never re-entered, pointed here in the
 * new exercise. The petit tableau bleu ciel of the paper book: a light-blue header.
 */
import { useEffect, useState } from 'react';
import { Button, Text } from '@fluentui/react-components';
import { formatDateFr, formatEuros } from '../../../templates/definition';
import { ApiError, type CarriedItem } from '../api';
import type { SyncEngine } from '../sync';

const HEAD = { background: '#DDEBF7', textAlign: 'left' as const, padding: '2px 4px' };
const CELL = { padding: '2px 4px', borderBottom: '1px solid #eee' };

export function Outstanding({ engine }: { engine: SyncEngine }) {
  const [items, setItems] = useState<CarriedItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    engine.api
      .outstanding(engine.coop, engine.year)
      .then((o) => setItems(o.items))
      .catch((e: unknown) => {
        // A service without the route, or no previous exercise: nothing to show.
        if (!(e instanceof ApiError && e.status === 404)) setError((e as Error).message);
      });
  }, [engine]);

  const point = async (item: CarriedItem) => {
    setError(null);
    try {
      const out = await engine.api.pointOutstanding(engine.coop, engine.year, item.id, !item.cleared);
      setItems((all) => (all ?? []).map((i) => (i.id === out.id ? out : i)));
    } catch (e) {
      setError(e instanceof ApiError ? e.sentences : (e as Error).message);
    }
  };

  if (!items?.length && !error) return null;
  return (
    <section aria-label="Opérations de l’exercice précédent non pointées" className="cc-form">
      <Text weight="semibold">Opérations de l’exercice précédent non pointées</Text>
      {error && <Text className="cc-error">{error}</Text>}
      <table style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            <th style={HEAD}>PJ</th>
            <th style={HEAD}>Date</th>
            <th style={HEAD}>Libellé</th>
            <th style={{ ...HEAD, textAlign: 'right' }}>Montant</th>
            <th style={HEAD}>Pointage</th>
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map((i) => (
            <tr key={i.id}>
              <td style={CELL}>{i.pj}</td>
              <td style={CELL}>{formatDateFr(i.date)}</td>
              <td style={CELL}>
                {i.libelle}
                {i.cheque ? ` (chèque ${i.cheque})` : ''}
              </td>
              <td style={{ ...CELL, textAlign: 'right' }}>
                {formatEuros(i.direction === 'depense' ? -i.amount : i.amount)}
              </td>
              <td style={CELL}>
                <Button
                  size="small"
                  aria-label={`${i.cleared ? 'Dépointer' : 'Pointer'} PJ ${i.pj}`}
                  onClick={() => void point(i)}
                >
                  {i.cleared ? `Pointée le ${formatDateFr(i.cleared.on)} – dépointer` : 'Pointer'}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
