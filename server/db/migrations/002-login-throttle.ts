/**
 * The login throttle counts password checks, reserved before each check, not failures counted
 * after it: the column says so. Its keys hold logins, which are case-sensitive: on MySQL the key
 * gets the binary collation (001 asked for it, but createTable does not apply a column's
 * collation). Keys change form, so the counters start afresh.
 */
import type { QueryInterface } from 'sequelize';

const keyWith = (collation: string) =>
  `ALTER TABLE login_attempts MODIFY \`key\` VARCHAR(200) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('login_attempts', {});
  await qi.renameColumn('login_attempts', 'failures', 'checks');
  if (qi.sequelize.getDialect() === 'mysql') await qi.sequelize.query(keyWith('utf8mb4_bin'));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === 'mysql') await qi.sequelize.query(keyWith('utf8mb4_unicode_ci'));
  await qi.renameColumn('login_attempts', 'checks', 'failures');
}
