/**
 * The side books of the exercise in the task pane: arrêté de caisse, subventions, inventaire,
 * régies d'avance, synthèse des actions, and the coop's administrative data. Each view reads
 * and writes the service (the figures are the service's), and may act on the selected line.
 */
import { useState } from 'react';
import { Tab, TabList } from '@fluentui/react-components';
import type { Api } from '../api';
import type { SyncEngine } from '../sync';
import { Actions } from './actions';
import { Caisse } from './caisse';
import { Cooperative } from './cooperative';
import { Inventaire } from './inventaire';
import { Regies } from './regies';
import { Subventions } from './subventions';

export interface SideBookProps {
  api: Api;
  engine: SyncEngine;
  coop: string;
  year: number;
}

const BOOKS = [
  { value: 'caisse', label: 'Caisse', View: Caisse },
  { value: 'subventions', label: 'Subventions', View: Subventions },
  { value: 'inventaire', label: 'Inventaire', View: Inventaire },
  { value: 'regies', label: 'Régies', View: Regies },
  { value: 'actions', label: 'Actions', View: Actions },
  { value: 'cooperative', label: 'Coopérative', View: Cooperative },
] as const;

export function Livres(props: SideBookProps) {
  const [book, setBook] = useState<string>('caisse');
  const current = BOOKS.find((b) => b.value === book) ?? BOOKS[0];
  return (
    <section aria-label="Livres annexes" className="cc-form">
      <TabList size="small" selectedValue={book} onTabSelect={(_, d) => setBook(String(d.value))}>
        {BOOKS.map((b) => (
          <Tab key={b.value} value={b.value}>
            {b.label}
          </Tab>
        ))}
      </TabList>
      <current.View key={`${props.coop}-${props.year}-${current.value}`} {...props} />
    </section>
  );
}
