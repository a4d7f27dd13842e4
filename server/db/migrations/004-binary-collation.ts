/**
 * Logins and line ids are compared byte for byte on MySQL too. Migration 001 asked for the
 * binary collation, but createTable does not apply a column's collation: `users.login`,
 * `lines.id` and `audit.line_id` compared ignoring case, accents and trailing spaces, so
 * « Claire » and « claire » could not both exist. SQLite already compares bytes.
 */
import type { QueryInterface } from 'sequelize';

const COLUMNS = [
  ['users', 'login', 'VARCHAR(100)'],
  ['lines', 'id', 'VARCHAR(36)'],
  ['audit', 'line_id', 'VARCHAR(36)'],
] as const;

async function collate(qi: QueryInterface, collation: string): Promise<void> {
  if (qi.sequelize.getDialect() !== 'mysql') return;
  for (const [table, column, type] of COLUMNS) {
    await qi.sequelize.query(
      `ALTER TABLE \`${table}\` MODIFY \`${column}\` ${type} CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`,
    );
  }
}

export const up = ({ context: qi }: { context: QueryInterface }) => collate(qi, 'utf8mb4_bin');
export const down = ({ context: qi }: { context: QueryInterface }) => collate(qi, 'utf8mb4_general_ci');
